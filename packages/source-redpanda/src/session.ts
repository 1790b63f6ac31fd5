import {
  type Clock,
  CoreErrors,
  type Logger,
  type MarketRecord,
  type QiError,
  qiError,
  RECORD_SPECS,
  type RecordSpecs,
  type RetryPolicy,
  realClock,
  retry,
  type SourceBatch,
} from '@qi/core';
import type { RegistryCodec } from '@qi/kafka-codec';
import type { ConsumedBatch, PartitionOffsets, StreamingConsumer, TopicPartitions } from '@qi/streaming';
import { type Decoded, decodeMessages } from './encoding';
import { classifySourceError, commitError, isRebalanceError } from './errors';
import { byTopic, Ownership, tpKey } from './ownership';
import { type Chunk, MessageQueue } from './queue';
import { prepareRegistry } from './registry';

export interface SessionOptions {
  consumer: StreamingConsumer;
  topics: string[];
  /** end offsets of a topic's partitions now (for --once) */
  endOffsets(topic: string): Promise<PartitionOffsets[]>;
  maxBatchRecords: number;
  /** how long a batch short of maxBatchRecords may wait for more messages, from the first one queued (default 0: yield at once) */
  maxBatchWaitMs?: number;
  /** queued messages past which every partition is paused (resumed at half) */
  maxQueued: number;
  /** queued bytes (payloads + a per-message share) past which every partition is paused (resumed at half); default no bound */
  maxQueuedBytes?: number;
  rebalanceWaitMs: number;
  onceIdleMs: number;
  logger: Logger;
  specs?: RecordSpecs;
  /** decodes Confluent-framed Avro by schema id (source config `schemaRegistry`) */
  registry?: RegistryCodec;
  /** every valid record yielded (the point-query cache) */
  onRecords?(records: readonly MarketRecord[]): void;
  /** offsets this process committed, per partition, kept across sessions (--once knows where those partitions stand) */
  committed?: Map<string, bigint>;
  /** time source of batching, --once idleness, rebalance waits and commit backoff (tests move it by hand) */
  clock?: Clock;
}

export interface SessionHealth {
  partitions: number;
  rebalancing: boolean;
  queued: number;
  peakQueued: number;
  paused: boolean;
  batches: number;
  messages: number;
  commits: number;
  /** partitions whose commit was given up (moved away, or refused by the group) */
  abandoned: number;
  /** fetched messages dropped unyielded (lost partitions, stop) */
  dropped: number;
  pauses: number;
  rebalances: number;
  /**
   * messages behind the end of the owned partitions: the end offset the client last
   * reported (kafkajs does with each fetch) minus what was handed to the pipeline;
   * absent until an end offset is known
   */
  lag?: number;
}

interface PendingCommit {
  key: string;
  topic: string;
  partition: number;
  /** next offset to read, as Kafka commits it */
  offset: bigint;
  epoch: number | undefined;
}

/** A commit is tried 4 times, 200, 400 and 800 ms apart; a refusal by a rebalance waits for the new assignment instead. */
const COMMIT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  initialDelayMs: 200,
  maxDelayMs: 800,
  factor: 2,
  jitter: false,
};

const offsetsOf = (pending: readonly PendingCommit[]) =>
  pending.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset.toString() }));

/** A commit refused by a rebalance is worth another try whatever its flag says: the next assignment tells what is still ours. */
const classifyCommitError = (e: unknown): QiError => {
  const error = classifySourceError(e);
  return isRebalanceError(error) && !error.retryable
    ? qiError({ code: error.code, category: error.category, retryable: true }, error.message, {
        cause: error,
        context: error.context,
      })
    : error;
};

/**
 * One consumer-group membership feeding one stream. The consumer pushes
 * per-partition batches (never blocking: past `maxQueued` it pauses every
 * partition and resumes at half), the stream takes them in fetch order and
 * yields SourceBatches whose `ack` commits offset+1 of each partition's last
 * message, only for partitions still owned since the batch was read.
 */
export class ConsumerSession {
  readonly queue: MessageQueue;
  readonly ownership: Ownership;
  /** per partition: the offset after the last message queued (what the consumer should fetch next) */
  private readonly next = new Map<string, bigint>();
  /** per partition: the offset after the last message yielded */
  private readonly yielded = new Map<string, bigint>();
  /** per partition: its end offset as last fetched, and the first offset fetched (lag before anything is yielded) */
  private readonly ends = new Map<string, { high: bigint; first: bigint }>();
  private paused = false;
  private stopped = false;
  private lastArrival: number;
  /** when the oldest message now queued arrived (about: after a partial take, the time of that take) */
  private firstQueuedAt = 0;
  readonly stats = {
    batches: 0,
    messages: 0,
    commits: 0,
    abandoned: 0,
    dropped: 0,
    pauses: 0,
    rebalances: 0,
  };
  private readonly log: Logger;
  private readonly specs: RecordSpecs;
  private readonly maxBytes: number;
  private readonly clock: Clock;

  constructor(private readonly o: SessionOptions) {
    this.clock = o.clock ?? realClock;
    this.queue = new MessageQueue(this.clock);
    this.ownership = new Ownership(this.clock);
    this.lastArrival = this.clock.now();
    this.log = o.logger;
    this.specs = o.specs ?? RECORD_SPECS;
    this.maxBytes = o.maxQueuedBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Subscribes and joins the group; resolves once the consumer runs (first assignment done or under way). */
  async start(): Promise<void> {
    const { consumer } = this.o;
    const sub = await consumer.subscribe({ topics: this.o.topics });
    if (!sub.ok) throw sub.error;
    const run = await consumer.run({
      eachBatch: (b) => this.onBatch(b),
      onAssigned: (a) => this.onAssigned(a),
      onRevoking: () => this.onRevoking(),
    });
    if (!run.ok) throw run.error;
  }

  /** Batches until the signal aborts, or with `once` until every owned partition reached the end offset it had at start. */
  async *batches(signal: AbortSignal, once = false): AsyncGenerator<SourceBatch> {
    const ends = once ? await this.endsAtStart() : undefined;
    try {
      while (!signal.aborted) {
        if (this.ownership.rebalancing) {
          await this.settle(signal);
          continue;
        }
        if (ends && this.caughtUp(ends)) return;
        // latency-aware batching: a full batch leaves at once, a partial one after maxBatchWaitMs
        const waitLeft = this.firstQueuedAt + (this.o.maxBatchWaitMs ?? 0) - this.clock.now();
        if (this.queue.size > 0 && this.queue.size < this.o.maxBatchRecords && waitLeft > 0 && !this.paused) {
          await this.queue.waitForMore(signal, waitLeft);
          continue;
        }
        const chunks = this.queue.take(this.o.maxBatchRecords);
        if (chunks.length === 0) {
          if (ends && this.idle()) {
            this.log.info(
              { event: 'redpanda.source.once_idle', idleMs: this.o.onceIdleMs },
              `--once: no message for ${this.o.onceIdleMs} ms, ending`,
            );
            return;
          }
          await this.queue.wait(signal, ends ? Math.max(50, this.o.onceIdleMs / 4) : undefined);
          continue;
        }
        if (this.queue.size > 0) this.firstQueuedAt = this.clock.now();
        this.resumeIfDrained();
        if (this.o.registry)
          await prepareRegistry(
            this.o.registry,
            chunks.flatMap((c) => c.messages),
            signal,
            this.log,
            this.clock,
          );
        yield this.toBatch(chunks);
      }
    } finally {
      this.stop();
    }
  }

  /** Stops feeding: what is queued goes (it was never yielded, so never committed), every partition pauses. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stats.dropped += this.queue.clear();
    this.pauseAll();
  }

  onBatch(b: ConsumedBatch): Promise<void> {
    if (this.stopped || b.messages.length === 0) return Promise.resolve();
    const key = tpKey(b.topic, b.partition);
    // fetched before the partition moved away: the new owner reads it
    if (!this.ownership.owns(key)) return Promise.resolve();
    let messages = b.messages;
    const next = this.next.get(key);
    // the connector went back to the committed offset (it does after a rejoin): skip what is already queued or yielded
    if (next !== undefined && BigInt(messages[0]!.offset) < next)
      messages = messages.filter((m) => BigInt(m.offset) >= next);
    if (messages.length === 0) return Promise.resolve();
    this.next.set(key, BigInt(messages[messages.length - 1]!.offset) + 1n);
    if (b.highWatermark !== undefined)
      this.ends.set(key, {
        high: BigInt(b.highWatermark),
        first: this.ends.get(key)?.first ?? BigInt(messages[0]!.offset),
      });
    if (this.queue.size === 0) this.firstQueuedAt = this.clock.now();
    this.queue.push({ key, topic: b.topic, partition: b.partition, messages, start: 0 });
    this.lastArrival = this.clock.now();
    if (!this.paused && (this.queue.size >= this.o.maxQueued || this.queue.bytes >= this.maxBytes)) {
      this.stats.pauses++;
      this.pauseAll();
      this.log.debug(
        { event: 'redpanda.source.paused', queued: this.queue.size, queuedBytes: this.queue.bytes },
        'queue full: every partition paused until half of it is taken',
      );
    }
    return Promise.resolve();
  }

  onRevoking(): void {
    this.stats.rebalances++;
    this.ownership.revoking();
    this.log.debug(
      { event: 'redpanda.source.rebalancing' },
      'rebalance started: holding batches and commits until the new assignment',
    );
  }

  onAssigned(assignment: readonly TopicPartitions[]): void {
    const change = this.ownership.assign(assignment);
    const lost = new Set(change.lost.map((tp) => tpKey(tp.topic, tp.partition)));
    if (lost.size) {
      this.stats.dropped += this.queue.drop((k) => lost.has(k));
      for (const k of lost) {
        this.next.delete(k);
        this.yielded.delete(k);
        this.ends.delete(k);
      }
    }
    // kept partitions: the connector restarts them from the committed offset; continue right after what we hold
    for (const tp of change.kept) {
      const n = this.next.get(tpKey(tp.topic, tp.partition));
      if (n !== undefined) void this.o.consumer.seek(tp.topic, tp.partition, n.toString());
    }
    if (this.paused || this.stopped) this.pauseAll();
    else if (change.gained.length) this.o.consumer.resume(byTopic(change.gained));
    // dropping the lost partitions may have drained a paused queue: no take would come to resume it
    if (lost.size) this.resumeIfDrained();
    this.lastArrival = this.clock.now();
    this.log.info(
      {
        event: 'redpanda.source.assigned',
        partitions: this.ownership.list().map((tp) => tpKey(tp.topic, tp.partition)),
        gained: change.gained.length,
        lost: change.lost.length,
      },
      `assigned ${this.ownership.size} partition(s) (+${change.gained.length} -${change.lost.length})`,
    );
  }

  /** Commits offset+1 of the last message of each partition of a batch, for the partitions still owned since it was read. */
  async commit(pending: readonly PendingCommit[]): Promise<void> {
    let owned = pending;
    try {
      await retry(
        async () => {
          if (this.ownership.rebalancing) await this.settle();
          owned = this.stillOwned(owned);
          if (owned.length === 0) return;
          const r = await this.o.consumer.commitOffsets(offsetsOf(owned));
          if (!r.ok) throw r.error;
          this.stats.commits++;
          for (const p of owned) this.o.committed?.set(p.key, p.offset);
        },
        classifyCommitError,
        COMMIT_RETRY,
        {
          clock: this.clock,
          // the next attempt waits for the new assignment (settle), not for a backoff
          delay: (e, _attempt, backoffMs) => (isRebalanceError(e) ? 0 : backoffMs),
          onRetry: (e) => {
            if (isRebalanceError(e)) this.ownership.revoking();
          },
        },
      );
    } catch (e) {
      const error = classifySourceError(e);
      const last =
        error.code === CoreErrors.RETRIES_EXHAUSTED.code ? classifySourceError(error.cause) : error;
      if (!isRebalanceError(last)) throw commitError(error, offsetsOf(owned));
      // giving up a commit loses nothing: the records are read again from the last commit
      this.stats.abandoned += owned.length;
      this.log.warn(
        { event: 'redpanda.source.commit_abandoned', err: last.message, offsets: offsetsOf(owned) },
        'commit refused by the group coordinator after retries; the records will be read again',
      );
    }
  }

  /** The partitions of `pending` still owned in the epoch they were read in; the others are given up, and said so. */
  private stillOwned(pending: readonly PendingCommit[]): readonly PendingCommit[] {
    const owned = pending.filter((p) => this.ownership.owns(p.key, p.epoch));
    if (owned.length < pending.length) {
      this.stats.abandoned += pending.length - owned.length;
      this.log.info(
        {
          event: 'redpanda.source.commit_abandoned',
          partitions: pending.filter((p) => !owned.includes(p)).map((p) => p.key),
        },
        'partitions moved to another member before their batch was acknowledged: not committing them (the new owner reads them again)',
      );
    }
    return owned;
  }

  health(): SessionHealth {
    return {
      partitions: this.ownership.size,
      rebalancing: this.ownership.rebalancing,
      queued: this.queue.size,
      peakQueued: this.queue.peak,
      paused: this.paused,
      ...this.stats,
      ...this.lag(),
    };
  }

  private lag(): { lag?: number } {
    let lag: bigint | undefined;
    for (const [key, e] of this.ends) {
      if (!this.ownership.owns(key)) continue;
      const behind = e.high - (this.yielded.get(key) ?? e.first);
      lag = (lag ?? 0n) + (behind > 0n ? behind : 0n);
    }
    return lag === undefined ? {} : { lag: Number(lag) };
  }

  private toBatch(chunks: Chunk[]): SourceBatch {
    const decoded: Decoded = { records: [], invalid: [] };
    const commits = new Map<string, PendingCommit>();
    for (const c of chunks) {
      decodeMessages(c.messages, decoded, this.specs, this.o.registry);
      const offset = BigInt(c.messages[c.messages.length - 1]!.offset) + 1n;
      commits.set(c.key, {
        key: c.key,
        topic: c.topic,
        partition: c.partition,
        offset,
        epoch: this.ownership.epochOf(c.key),
      });
      this.yielded.set(c.key, offset);
    }
    this.stats.batches++;
    this.stats.messages += decoded.records.length + decoded.invalid.length;
    if (decoded.records.length) this.o.onRecords?.(decoded.records);
    const pending = [...commits.values()];
    return {
      records: decoded.records,
      invalid: decoded.invalid,
      position: Object.fromEntries(pending.map((p) => [p.key, p.offset.toString()])),
      ack: () => this.commit(pending),
    };
  }

  private async settle(signal?: AbortSignal): Promise<void> {
    if (await this.ownership.waitStable(this.o.rebalanceWaitMs, signal)) return;
    if (signal?.aborted) return;
    this.log.warn(
      { event: 'redpanda.source.rebalance_timeout', waitedMs: this.o.rebalanceWaitMs },
      'no new assignment after a rebalance started; carrying on with the current one',
    );
    this.ownership.settle();
  }

  private pauseAll(): void {
    this.paused = true;
    const owned = this.ownership.list();
    if (owned.length) this.o.consumer.pause(byTopic(owned));
  }

  private resumeIfDrained(): void {
    if (!this.paused || this.stopped) return;
    if (this.queue.size > this.o.maxQueued / 2 || this.queue.bytes > this.maxBytes / 2) return;
    this.paused = false;
    // --once idleness counts from here: nothing could arrive while paused
    this.lastArrival = this.clock.now();
    const owned = this.ownership.list();
    if (owned.length) this.o.consumer.resume(byTopic(owned));
    this.log.debug(
      { event: 'redpanda.source.resumed', queued: this.queue.size },
      'queue half empty: resumed',
    );
  }

  private async endsAtStart(): Promise<Map<string, PartitionOffsets>> {
    const ends = new Map<string, PartitionOffsets>();
    for (const topic of this.o.topics)
      for (const p of await this.o.endOffsets(topic)) ends.set(tpKey(topic, p.partition), p);
    return ends;
  }

  /** Every owned partition has been yielded up to the end offset it had when the stream started. */
  private caughtUp(ends: Map<string, PartitionOffsets>): boolean {
    if (!this.ownership.assigned) return false;
    for (const tp of this.ownership.list()) {
      const key = tpKey(tp.topic, tp.partition);
      const end = ends.get(key);
      if (!end || BigInt(end.high) <= BigInt(end.low)) continue;
      const y = this.yielded.get(key) ?? this.o.committed?.get(key);
      if (y === undefined || y < BigInt(end.high)) return false;
    }
    return true;
  }

  private idle(): boolean {
    return (
      this.ownership.assigned &&
      !this.paused &&
      this.queue.size === 0 &&
      this.clock.now() - this.lastArrival >= this.o.onceIdleMs
    );
  }
}
