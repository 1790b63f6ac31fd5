import type * as Rd from '@confluentinc/kafka-javascript';
import { err, type Logger, ok, type Result } from '@qi/core';
import type { StreamingConfig } from '../../config';
import { classifyStreamingError, notConnected } from '../../errors';
import type {
  CommitOffset,
  ConsumedBatch,
  ConsumedMessage,
  ConsumerOptions,
  ConsumerRunOptions,
  StreamingConsumer,
  TopicPartitions,
} from '../../types';
import { baseProperties, bridgeEvents, call, connectError, type Heard, type RdkafkaModule } from './base';
import { fromRdkafka } from './errors';

/** in the binding, missing from its type declarations */
interface Untyped {
  setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void;
  commitCb(offsets: Rd.TopicPartitionOffset[], cb: (e: unknown) => void): void;
}

const keyOf = (topic: string, partition: number) => `${topic}:${partition}`;
/** messages one consume() call may return (from any partitions) */
const CONSUME_MAX = 2000;
/**
 * How long one consume() call waits in librdkafka when nothing is there. It waits in a
 * libuv worker thread, not on the event loop: an idle or all-paused consumer uses no CPU,
 * and a stop is seen within this time.
 */
const CONSUME_WAIT_MS = 250;
/** how long every partition may be paused before librdkafka is told (pausesApplied) */
const SOFT_PAUSE_MS = 1000;
/** before a batch whose eachBatch threw is fetched again */
const REDELIVER_WAIT_MS = 200;

/**
 * librdkafka's consumer: it prefetches into its own queue (bounded by maxHeldMessages /
 * maxHeldBytes) in its own threads; this adapter takes what is there with consume(), groups it
 * into per-partition batches, and commits only when asked. Rebalances are eager and run at
 * consume() time; a revoke waits for onRevoking before the partitions are given up.
 */
export class RdkafkaConsumer implements StreamingConsumer {
  private readonly heard: Heard;
  /** messages per consume(): within the held bound, so one take never overshoots a caller's queue by more */
  private readonly take: number;
  private readonly consumer: Rd.KafkaConsumer;
  private connected = false;
  private running = false;
  private closing = false;
  private loop: Promise<void> | undefined;
  private delivering: Promise<void> = Promise.resolve();
  /** paused partitions librdkafka was told about (the others are paused here only, for now) */
  private readonly pausedInLibrary = new Set<string>();
  private pausedSince: number | undefined;
  private wake: (() => void) | undefined;
  private hooks: ConsumerRunOptions | undefined;
  private readonly owned = new Set<string>();
  private readonly paused = new Set<string>();
  /** fetched before its partition was paused: delivered first when it is resumed */
  private readonly held = new Map<string, ConsumedMessage[]>();
  /** bumped by every seek; `sought` keeps each partition's last seek */
  private generation = 0;
  private readonly sought = new Map<string, { generation: number; offset: string }>();

  constructor(
    private readonly lib: RdkafkaModule,
    private readonly config: StreamingConfig,
    private readonly opts: ConsumerOptions,
    private readonly logger: Logger,
  ) {
    const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    this.consumer = new lib.KafkaConsumer(
      {
        ...baseProperties(config, logger),
        'group.id': opts.groupId,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        'allow.auto.create.topics': false,
        'partition.assignment.strategy': 'roundrobin',
        ...(opts.sessionTimeoutMs ? { 'session.timeout.ms': opts.sessionTimeoutMs } : {}),
        ...(opts.heartbeatIntervalMs ? { 'heartbeat.interval.ms': opts.heartbeatIntervalMs } : {}),
        'fetch.max.bytes': maxBytes,
        // librdkafka wants both at most fetch.max.bytes (a bigger record still comes, alone)
        'message.max.bytes': Math.min(1_000_000, maxBytes),
        'max.partition.fetch.bytes': Math.min(1024 * 1024, maxBytes),
        'receive.message.max.bytes': maxBytes + 1024 * 1024,
        'fetch.wait.max.ms': opts.maxWaitMs ?? 500,
        // librdkafka's prefetch queue is what this connector holds: bounded like the others
        'queued.min.messages': opts.maxHeldMessages ?? 10_000,
        'queued.max.messages.kbytes': Math.max(1, Math.ceil((opts.maxHeldBytes ?? 16 * 1024 * 1024) / 1024)),
        // once that queue was full librdkafka waits this long before it fetches again (default 1 s:
        // with a bounded queue, reading a backlog ran at a quarter of the rate)
        'fetch.queue.backoff.ms': 10,
        rebalance_cb: (e: Rd.LibrdKafkaError, assignment: Rd.TopicPartition[]) =>
          void this.rebalance(e, assignment),
      } as Rd.ConsumerGlobalConfig,
      // a topic config object replaces, rather than adds to, what it leaves out: say it here
      { 'auto.offset.reset': opts.fromBeginning ? 'earliest' : 'latest' },
    );
    this.take = Math.max(1, Math.min(CONSUME_MAX, opts.maxHeldMessages ?? CONSUME_MAX));
    this.consumer.setDefaultConsumeTimeout(CONSUME_WAIT_MS);
    // return what is there once the first message arrived, instead of waiting to fill CONSUME_MAX
    (this.consumer as unknown as Untyped).setDefaultIsTimeoutOnlyForFirstMessage(true);
    this.heard = bridgeEvents(this.consumer, logger, 'consumer');
  }

  async connect(): Promise<Result<void>> {
    try {
      const timeout = Math.max(1000, this.config.connectionTimeoutMs) * (this.config.retries + 1);
      await call((cb) => this.consumer.connect({ timeout }, cb));
      this.connected = true;
      return ok(undefined);
    } catch (e) {
      return err(
        classifyStreamingError(connectError(this.heard, fromRdkafka(this.lib, e)), {
          op: 'consumer.connect',
          groupId: this.opts.groupId,
        }),
      );
    }
  }

  async subscribe({ topics }: { topics: string[] }): Promise<Result<void>> {
    if (!this.connected) return err(notConnected('consumer'));
    return this.sync(() => this.consumer.subscribe(topics), 'consumer.subscribe');
  }

  async run(opts: ConsumerRunOptions): Promise<Result<void>> {
    if (!this.connected) return err(notConnected('consumer'));
    this.hooks = opts;
    this.running = true;
    this.loop = this.pump(opts);
    return ok(undefined);
  }

  pause(partitions: readonly TopicPartitions[]): Result<void> {
    for (const tp of this.expand(partitions)) this.paused.add(keyOf(tp.topic, tp.partition));
    // applied to librdkafka by the pump (see pausedInLibrary)
    this.pausedSince ??= Date.now();
    return ok(undefined);
  }

  resume(partitions: readonly TopicPartitions[]): Result<void> {
    const list = this.expand(partitions);
    for (const tp of list) this.paused.delete(keyOf(tp.topic, tp.partition));
    const inLibrary = list.filter((tp) => this.pausedInLibrary.delete(keyOf(tp.topic, tp.partition)));
    if (this.paused.size === 0) this.pausedSince = undefined;
    this.wake?.();
    const r = inLibrary.length
      ? this.sync(() => this.consumer.resume(inLibrary), 'consumer.resume')
      : ok(undefined);
    // what the resumed partitions hold goes now, not when the pump's consume() next returns
    if (this.running && this.hooks && list.some((tp) => this.held.has(keyOf(tp.topic, tp.partition)))) {
      const hooks = this.hooks;
      void this.serially(() => this.deliver(this.releaseHeld(), hooks));
    }
    return r;
  }

  async seek(topic: string, partition: number, offset: string): Promise<Result<void>> {
    if (!this.running) return err(notConnected('consumer (seek needs run() first)'));
    const key = keyOf(topic, partition);
    this.held.delete(key);
    this.sought.set(key, { generation: ++this.generation, offset });
    try {
      await call((cb) =>
        this.consumer.seek({ topic, partition, offset: Number(offset) }, this.config.requestTimeoutMs, (e) =>
          cb(e, undefined),
        ),
      );
      return ok(undefined);
    } catch (e) {
      return err(this.classify(e, { op: 'consumer.seek', topic, partition }));
    }
  }

  async commitOffsets(offsets: readonly CommitOffset[]): Promise<Result<void>> {
    if (!this.connected) return err(notConnected('consumer'));
    if (offsets.length === 0) return ok(undefined);
    const list = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.offset) }));
    try {
      await call((cb) => (this.consumer as unknown as Untyped).commitCb(list, (e) => cb(e, undefined)));
      return ok(undefined);
    } catch (e) {
      return err(this.classify(e, { op: 'consumer.commitOffsets' }));
    }
  }

  async disconnect(): Promise<Result<void>> {
    if (!this.connected) return ok(undefined);
    this.running = false;
    this.closing = true;
    this.wake?.();
    this.connected = false;
    await this.loop;
    try {
      await call((cb) => this.consumer.disconnect(cb));
      return ok(undefined);
    } catch (e) {
      return err(this.classify(e, { op: 'consumer.disconnect' }));
    }
  }

  isConnected(): boolean {
    return this.connected;
  }

  private async pump(opts: ConsumerRunOptions): Promise<void> {
    while (this.running) {
      if (!(await this.pausesApplied())) continue;
      const asked = this.generation;
      let messages: Rd.Message[];
      try {
        messages = await call<Rd.Message[]>((cb) => this.consumer.consume(this.take, cb));
      } catch (e) {
        if (!this.running) break;
        const error = this.classify(e, { op: 'consumer.consume' });
        this.logger.warn({ event: 'rdkafka.consume_failed', code: error.code }, error.message);
        await sleep(REDELIVER_WAIT_MS);
        continue;
      }
      if (!this.running) break;
      await this.serially(() => this.deliver(this.batches(messages, asked), opts));
    }
  }

  /**
   * Groups by partition in offset order; holds back what paused partitions got; drops what
   * partitions no longer owned got (the owner reads it from the committed offset) and what a
   * partition got before a seek made while this consume() was waiting.
   */
  private batches(messages: readonly Rd.Message[], asked: number): ConsumedBatch[] {
    const out = new Map<string, ConsumedMessage[]>();
    const fresh = this.afterSeeks(messages, asked);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const key = keyOf(m.topic, m.partition);
      if (!this.owned.has(key) || i < (fresh.get(key) ?? 0)) continue;
      if (this.paused.has(key)) {
        this.heldFor(key).push(toMessage(m));
        continue;
      }
      const list = out.get(key) ?? [];
      list.push(toMessage(m));
      out.set(key, list);
    }
    // resumed partitions: what they held goes first
    for (const batch of this.releaseHeld()) {
      const key = keyOf(batch.topic, batch.partition);
      out.set(key, [...batch.messages, ...(out.get(key) ?? [])]);
    }
    return [...out.values()].map((list) => this.batchOf(list));
  }

  /**
   * Pauses reach librdkafka late on purpose: its resume takes up to a second to fetch again, and
   * a source under backpressure pauses every partition and resumes them moments later. So while
   * every owned partition is paused the pump first just stops taking (up to SOFT_PAUSE_MS, woken
   * by a resume); a pause that lasts longer, or pauses only some partitions, is applied to
   * librdkafka and the pump goes on polling (rebalances are served by consume()). False: waited,
   * check again.
   */
  private async pausesApplied(): Promise<boolean> {
    if (this.paused.size === 0 || this.pausedSince === undefined) return true;
    const pending = [...this.paused].filter((k) => this.owned.has(k) && !this.pausedInLibrary.has(k));
    if (pending.length === 0) return true;
    const all = [...this.owned].every((k) => this.paused.has(k));
    const left = this.pausedSince + SOFT_PAUSE_MS - Date.now();
    if (all && left > 0) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = undefined;
      return false;
    }
    const list = pending.map(fromKey);
    const r = this.sync(() => this.consumer.pause(list), 'consumer.pause');
    if (r.ok) for (const k of pending) this.pausedInLibrary.add(k);
    return true;
  }

  /** Takes what resumed partitions held, as batches. */
  private releaseHeld(): ConsumedBatch[] {
    const out: ConsumedBatch[] = [];
    for (const [key, held] of this.held) {
      if (this.paused.has(key) || !this.owned.has(key) || held.length === 0) continue;
      this.held.delete(key);
      out.push(this.batchOf(held));
    }
    return out;
  }

  private batchOf(messages: ConsumedMessage[]): ConsumedBatch {
    const { topic, partition } = messages[0]!;
    return { topic, partition, messages, ...this.highWatermark(topic, partition) };
  }

  /** Deliveries one after another (the pump's and a resume's), so a partition's batches keep their order. */
  private serially(fn: () => Promise<void>): Promise<void> {
    const next = this.delivering.then(fn);
    this.delivering = next.catch(() => undefined);
    return next;
  }

  /**
   * For partitions sought while consume() waited: the index from which its messages come from
   * the new position. librdkafka purges what it fetched before a seek, so what follows in one
   * result starts at the seek's offset; none there means all of it is from before.
   */
  private afterSeeks(messages: readonly Rd.Message[], asked: number): Map<string, number> {
    const from = new Map<string, number>();
    if (this.generation === asked) return from;
    for (const [key, s] of this.sought) {
      if (s.generation <= asked) continue;
      let start = messages.length;
      for (let i = messages.length - 1; i >= 0; i--) {
        const m = messages[i]!;
        if (keyOf(m.topic, m.partition) === key && String(m.offset) === s.offset) {
          start = i;
          break;
        }
      }
      from.set(key, start);
    }
    return from;
  }

  private async deliver(batches: ConsumedBatch[], opts: ConsumerRunOptions): Promise<void> {
    const width = Math.max(1, opts.partitionsConsumedConcurrently ?? 1);
    let next = 0;
    const worker = async () => {
      while (next < batches.length && this.running) {
        const batch = batches[next++]!;
        const key = keyOf(batch.topic, batch.partition);
        // paused by an earlier batch of this take (a full queue downstream): held until resumed
        if (this.paused.has(key)) {
          this.heldFor(key).push(...batch.messages);
          continue;
        }
        try {
          await opts.eachBatch(batch);
        } catch (e) {
          // redelivered: the next fetch of this partition starts at the batch's first offset
          const error = classifyStreamingError(e);
          this.logger.warn(
            {
              event: 'rdkafka.batch_failed',
              topic: batch.topic,
              partition: batch.partition,
              code: error.code,
            },
            `batch of ${batch.topic}[${batch.partition}] failed, redelivering: ${error.message}`,
          );
          await sleep(REDELIVER_WAIT_MS);
          if (this.running) await this.seek(batch.topic, batch.partition, batch.messages[0]!.offset);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, batches.length) }, worker));
  }

  private async rebalance(e: Rd.LibrdKafkaError, assignment: Rd.TopicPartition[]): Promise<void> {
    const codes = this.lib.CODES.ERRORS;
    try {
      if (e.code === codes.ERR__ASSIGN_PARTITIONS) {
        this.consumer.assign(assignment);
        for (const tp of assignment) this.owned.add(keyOf(tp.topic, tp.partition));
        // paused before a rebalance, paused after it (as kafkajs does)
        const still = assignment.filter((tp) => this.paused.has(keyOf(tp.topic, tp.partition)));
        if (still.length) {
          this.consumer.pause(still);
          for (const tp of still) this.pausedInLibrary.add(keyOf(tp.topic, tp.partition));
        }
        await this.hooks?.onAssigned?.(grouped(assignment));
      } else if (e.code === codes.ERR__REVOKE_PARTITIONS) {
        for (const key of this.owned) this.held.delete(key);
        this.pausedInLibrary.clear();
        if (!this.closing) await this.hooks?.onRevoking?.();
        this.owned.clear();
        this.consumer.unassign();
      } else {
        this.logger.warn({ event: 'rdkafka.rebalance_error', code: e.code }, e.message);
        this.consumer.unassign();
      }
    } catch (x) {
      const error = this.classify(x, { op: 'consumer.rebalance' });
      this.logger.warn({ event: 'rdkafka.rebalance_failed', code: error.code }, error.message);
    }
  }

  private heldFor(key: string): ConsumedMessage[] {
    const list = this.held.get(key) ?? [];
    this.held.set(key, list);
    return list;
  }

  private highWatermark(topic: string, partition: number): { highWatermark?: string } {
    try {
      const w = this.consumer.getWatermarkOffsets(topic, partition);
      return w.highOffset >= 0 ? { highWatermark: String(w.highOffset) } : {};
    } catch {
      return {};
    }
  }

  /** Topic entries without partitions stand for every partition of that topic this member owns. */
  private expand(partitions: readonly TopicPartitions[]): Rd.TopicPartition[] {
    return partitions.flatMap((p) =>
      p.partitions
        ? p.partitions.map((partition) => ({ topic: p.topic, partition }))
        : [...this.owned].map(fromKey).filter((tp) => tp.topic === p.topic),
    );
  }

  private sync(fn: () => void, op: string): Result<void> {
    try {
      fn();
      return ok(undefined);
    } catch (e) {
      return err(this.classify(e, { op }));
    }
  }

  private classify(e: unknown, context: Record<string, unknown>) {
    return classifyStreamingError(fromRdkafka(this.lib, e), context);
  }
}

function fromKey(k: string): Rd.TopicPartition {
  const i = k.lastIndexOf(':');
  return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)) };
}

function grouped(assignment: readonly Rd.TopicPartition[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of assignment) {
    const list = byTopic.get(tp.topic) ?? [];
    list.push(tp.partition);
    byTopic.set(tp.topic, list);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

function toMessage(m: Rd.Message): ConsumedMessage {
  const headers: Record<string, string> = {};
  if (m.headers) for (const h of m.headers) for (const k in h) headers[k] = String(h[k]);
  return {
    topic: m.topic,
    partition: m.partition,
    offset: String(m.offset),
    key: m.key == null ? null : Buffer.isBuffer(m.key) ? m.key : Buffer.from(m.key),
    value: m.value,
    headers,
    timestamp: m.timestamp ?? 0,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
