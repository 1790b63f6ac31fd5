import type * as Plt from '@platformatic/kafka';
import {
  type Clock,
  err,
  type Logger,
  ok,
  type QiError,
  qiError,
  type Result,
  type RetryPolicy,
  realClock,
  retry,
} from '@qi/core';
import type { StreamingConfig } from '../../config';
import { attempt, classifyStreamingError, notConnected } from '../../errors';
import type {
  CommitOffset,
  ConsumedMessage,
  ConsumerOptions,
  ConsumerRunOptions,
  StreamingConsumer,
  TopicPartitions,
} from '../../types';
import { baseOptions, type PlatformaticModule } from './base';
import { HeldMessages } from './held';

type Consumer = Plt.Consumer<Buffer, Buffer, string, string>;
type Stream = Plt.MessagesStream<Buffer, Buffer, string, string>;
type Message = Plt.Message<Buffer, Buffer, string, string>;

// held messages of paused partitions; past either bound the whole stream waits (backpressure) until a release
const HOLD_MESSAGES = 10_000;
const HOLD_BYTES = 16 * 1024 * 1024;
const bufToString = (b?: Buffer) => (b === undefined ? undefined : b.toString());
const keyOf = (topic: string, partition: number) => `${topic}:${partition}`;

/** After the stream ended: first try 500 ms later, then 1 s, 2 s, 4 s, 5 s, 5 s … apart, until stopped. */
const RESTART_FIRST_WAIT_MS = 500;
const RESTART_RETRY: RetryPolicy = {
  maxAttempts: 0,
  initialDelayMs: 1000,
  maxDelayMs: 5000,
  factor: 2,
  jitter: false,
};
/** before a batch whose eachBatch threw is fetched again */
const REDELIVER_WAIT_MS = 200;

/** The consumer has no caller to hand a failed restart to: whatever the error, it tries again until stopped. */
const keepTrying = (e: unknown): QiError => {
  const error = classifyStreamingError(e);
  return error.retryable
    ? error
    : qiError({ code: error.code, category: error.category, retryable: true }, error.message, {
        cause: error,
        context: error.context,
      });
};

/**
 * @platformatic/kafka consumes as a stream of single messages; this adapter
 * groups what is buffered into per-partition batches, implements partition
 * pause (hold back, then deliver on resume) and seek (move the fetch position,
 * drop what was fetched before it), and commits only when asked.
 */
export class PlatformaticConsumer implements StreamingConsumer {
  private readonly consumer: Consumer;
  private topics: string[] = [];
  private stream: Stream | undefined;
  private connected = false;
  private stopped = false;
  private readonly paused = new Set<string>();
  private readonly held: HeldMessages<Message>;
  /** resolves the pump's wait; set only while it waits */
  private wake: (() => void) | undefined;
  private waits = 0;
  private owned = new Set<string>();
  private readonly seeks = new Map<string, { target: bigint; fetches: number }>();
  private readonly epochs = new Map<string, number>();
  /** gained partitions whose fetch offset the library has not refreshed yet: their messages are stale */
  private readonly gaining = new Set<string>();
  /** once refreshed, what the stream still buffered then is stale for those partitions (a seek would rewind past fresh fetches) */
  private stale: { keys: Set<string>; left: number } | undefined;
  private loop: Promise<void> | undefined;
  private readonly clock: Clock;
  /** aborted by disconnect: ends the waits of a restart or a redelivery at once */
  private readonly stopping = new AbortController();

  constructor(
    lib: PlatformaticModule,
    config: StreamingConfig,
    private readonly opts: ConsumerOptions,
    private readonly logger: Logger,
  ) {
    this.clock = opts.clock ?? realClock;
    this.held = new HeldMessages({
      messages: opts.maxHeldMessages ?? HOLD_MESSAGES,
      bytes: opts.maxHeldBytes ?? HOLD_BYTES,
    });
    this.consumer = new lib.Consumer<Buffer, Buffer, string, string>({
      ...baseOptions(config),
      groupId: opts.groupId,
      autocommit: false,
      ...(opts.sessionTimeoutMs ? { sessionTimeout: opts.sessionTimeoutMs } : {}),
      ...(opts.heartbeatIntervalMs ? { heartbeatInterval: opts.heartbeatIntervalMs } : {}),
      maxBytes: opts.maxBytes ?? 10 * 1024 * 1024,
      maxWaitTime: opts.maxWaitMs ?? 500,
      deserializers: { headerKey: bufToString, headerValue: bufToString },
    });
    this.consumer.on('consumer:group:join', (p) => this.onJoin(p.assignments ?? []));
  }

  /**
   * A partition that moved to another member is read by its new owner: what was held for it goes.
   * A partition this member gains forgets its old fetch position, so the library starts it from the
   * group's committed offset or, with none, the reset policy (not past what this member once fetched
   * and dropped: that would skip records). Whatever is still held or buffered for a gained partition
   * was fetched while this member owned it before (a fetch that returned after the partition moved
   * away, kept because the partition was paused): delivered first, it made the source skip ahead
   * (it drops offsets below what it already has) and the records between the committed offset and
   * it were never delivered. So it goes too, and until the library has refreshed the partition's
   * offset every message of it is dropped; then a seek to that offset drops the rest.
   */
  private onJoin(assignments: readonly { topic: string; partitions: readonly number[] }[]): void {
    const owned = new Set(assignments.flatMap((a) => a.partitions.map((n) => keyOf(a.topic, n))));
    let released = false;
    for (const k of this.held.keys()) if (!owned.has(k)) released = this.held.drop(k) || released;
    for (const k of [...this.seeks.keys()]) if (!owned.has(k)) this.seeks.delete(k);
    for (const k of this.gaining) if (!owned.has(k)) this.gaining.delete(k);
    for (const k of owned) {
      if (this.owned.has(k)) continue;
      this.stream?.offsetsToFetch.delete(k);
      released = this.held.drop(k) || released;
      this.seeks.delete(k);
      this.gaining.add(k);
    }
    this.owned = owned;
    if (released) this.signal();
  }

  /** What the consumer holds, and how often its loop had to wait for something to deliver (tests, health). */
  get stats(): { held: number; heldBytes: number; waits: number } {
    return { held: this.held.count, heldBytes: this.held.bytes, waits: this.waits };
  }

  async connect(): Promise<Result<void>> {
    const r = await attempt(
      async () => {
        await this.consumer.listApis();
      },
      { op: 'consumer.connect', groupId: this.opts.groupId },
    );
    if (r.ok) this.connected = true;
    return r;
  }

  async subscribe({ topics }: { topics: string[] }): Promise<Result<void>> {
    if (!this.connected) return err(notConnected('consumer'));
    this.topics = [...new Set([...this.topics, ...topics])];
    return ok(undefined);
  }

  async run(opts: ConsumerRunOptions): Promise<Result<void>> {
    if (!this.connected) return err(notConnected('consumer'));
    if (opts.onAssigned) {
      this.consumer.on('consumer:group:join', (p) => {
        const assignment = (p.assignments ?? []).map((a) => ({
          topic: a.topic,
          partitions: [...a.partitions],
        }));
        void Promise.resolve(opts.onAssigned!(assignment)).catch(() => undefined);
      });
    }
    if (opts.onRevoking)
      this.consumer.on(
        'consumer:group:rebalance',
        () => void Promise.resolve(opts.onRevoking!()).catch(() => undefined),
      );
    const started = await this.open();
    if (!started.ok) return started;
    this.loop = this.pump(opts);
    return ok(undefined);
  }

  pause(partitions: readonly TopicPartitions[]): Result<void> {
    for (const p of partitions) for (const k of this.keys(p)) this.paused.add(k);
    return ok(undefined);
  }

  resume(partitions: readonly TopicPartitions[]): Result<void> {
    for (const p of partitions) for (const k of this.keys(p)) this.paused.delete(k);
    this.signal();
    return ok(undefined);
  }

  async seek(topic: string, partition: number, offset: string): Promise<Result<void>> {
    if (!this.stream) return err(notConnected('consumer (seek needs run() first)'));
    const key = keyOf(topic, partition);
    const target = BigInt(offset);
    this.held.drop(key);
    this.seeks.set(key, { target, fetches: 0 });
    this.stream.offsetsToFetch.set(key, target);
    this.signal();
    return ok(undefined);
  }

  commitOffsets(offsets: readonly CommitOffset[]): Promise<Result<void>> {
    if (!this.connected) return Promise.resolve(err(notConnected('consumer')));
    return attempt(
      () =>
        this.consumer.commit({
          offsets: offsets.map((o) => ({
            topic: o.topic,
            partition: o.partition,
            offset: BigInt(o.offset),
            leaderEpoch: this.epochs.get(keyOf(o.topic, o.partition)) ?? -1,
          })),
        }),
      { op: 'consumer.commitOffsets' },
    );
  }

  async disconnect(): Promise<Result<void>> {
    this.stopped = true;
    this.connected = false;
    this.stopping.abort();
    this.signal();
    return attempt(
      async () => {
        await this.stream?.close();
        await this.loop;
        await this.consumer.close();
      },
      { op: 'consumer.disconnect' },
    );
  }

  isConnected(): boolean {
    return this.connected;
  }

  private keys(p: TopicPartitions): string[] {
    const parts =
      p.partitions ?? this.consumer.assignments?.find((a) => a.topic === p.topic)?.partitions ?? [];
    return parts.map((n) => keyOf(p.topic, n));
  }

  private async open(): Promise<Result<void>> {
    const r = await attempt(
      () =>
        this.consumer.consume({
          topics: this.topics,
          mode: 'committed',
          fallbackMode: this.opts.fromBeginning ? 'earliest' : 'latest',
          autocommit: false,
          highWaterMark: 4096,
        }),
      { op: 'consumer.run', topics: this.topics },
    );
    if (!r.ok) return r;
    this.stream = r.value;
    // without a listener an 'error' event would crash the process; the pump restarts the stream
    this.stream.on('error', (e) =>
      this.logger.warn(
        { event: 'streaming.consumer.error', err: classifyStreamingError(e).message },
        'consumer stream error',
      ),
    );
    this.stream.on('fetch', () => {
      for (const s of this.seeks.values()) s.fetches++;
    });
    // the library set the fetch offsets of the assignment (committed, or the reset policy): gained partitions start there
    const stream = this.stream;
    this.stale = undefined;
    stream.on('offsets', () => {
      if (this.gaining.size === 0) return;
      for (const k of this.gaining) {
        const target = stream.offsetsToFetch.get(k);
        if (target !== undefined) this.seeks.set(k, { target, fetches: 0 });
      }
      if (stream.readableLength > 0)
        this.stale = {
          keys: new Set([...(this.stale?.keys ?? []), ...this.gaining]),
          left: stream.readableLength,
        };
      this.gaining.clear();
      this.signal();
    });
    // One listener for the stream's life. Adding and removing a 'readable' listener per wait made
    // Node re-emit 'readable' on the next tick whenever data was buffered, so a consumer whose held
    // limit was reached woke, found nothing it could take, and waited again in a nextTick loop that
    // starved timers and I/O (heartbeats, SIGTERM): 100% CPU, out of the group.
    const wake = () => this.signal();
    this.stream
      .on('readable', () => {
        if (!this.held.full) this.signal();
      })
      .on('end', wake)
      .on('close', wake)
      .on('error', wake);
    return ok(undefined);
  }

  private async pump(opts: ConsumerRunOptions): Promise<void> {
    while (!this.stopped) {
      const stream = this.stream!;
      const batches = this.take(stream);
      if (batches.size === 0) {
        if (stream.destroyed || stream.readableEnded) {
          if (this.stopped) return;
          await this.restart(stream);
          continue;
        }
        await this.waitForData(stream);
        continue;
      }
      for (const messages of batches.values()) {
        if (this.stopped) return;
        const first = messages[0]!;
        try {
          await opts.eachBatch({
            topic: first.topic,
            partition: first.partition,
            messages: messages.map(toMessage),
          });
        } catch (e) {
          // redeliver: fetch this partition again from the batch's first message
          this.logger.warn(
            {
              event: 'streaming.consumer.batch_failed',
              topic: first.topic,
              partition: first.partition,
              err: (e as Error).message,
            },
            'eachBatch failed; redelivering',
          );
          await this.seek(first.topic, first.partition, String(first.offset));
          await this.clock.sleep(REDELIVER_WAIT_MS, this.stopping.signal).catch(() => {});
        }
      }
    }
  }

  /** What can be delivered now, grouped per partition in offset order. */
  private take(stream: Stream): Map<string, Message[]> {
    const out = new Map<string, Message[]>();
    const add = (k: string, m: Message) => {
      const list = out.get(k);
      if (list) list.push(m);
      else out.set(k, [m]);
    };
    for (const [k, list] of this.held.release((k) => this.paused.has(k))) for (const m of list) add(k, m);
    // stop reading once the held bound is reached: what stays in the stream's buffer makes the library stop fetching
    while (!this.held.full) {
      const m = stream.read() as Message | null;
      if (m === null) break;
      const k = keyOf(m.topic, m.partition);
      this.epochs.set(k, m.leaderEpoch);
      if (this.isStale(k) || !this.passesSeek(k, m, stream)) continue;
      if (this.paused.has(k)) this.held.add(k, m);
      else add(k, m);
    }
    return out;
  }

  /** Fetched before this member gained the partition (counts the read against what was buffered at the refresh). */
  private isStale(k: string): boolean {
    const s = this.stale;
    if (s && --s.left <= 0) this.stale = undefined;
    return this.gaining.has(k) || (s?.keys.has(k) ?? false);
  }

  /** After a seek, drops what was fetched from the old position. */
  private passesSeek(k: string, m: Message, stream: Stream): boolean {
    const s = this.seeks.get(k);
    if (!s) return true;
    // exactly the target, or past it once a fetch issued after the seek came back (compacted/deleted target)
    if (m.offset === s.target || (m.offset > s.target && s.fetches >= 2)) {
      this.seeks.delete(k);
      return true;
    }
    stream.offsetsToFetch.set(k, s.target);
    return false;
  }

  /**
   * Until there may be something to deliver: data the consumer can read (it is below its held
   * bound), a release (resume, seek, a partition moved away), the stream's end, or a stop.
   * Resolves at once only when a read would make progress, so the pump never spins.
   */
  private waitForData(stream: Stream): Promise<void> {
    if (this.stopped || stream.destroyed || stream.readableEnded) return Promise.resolve();
    if (!this.held.full && stream.readableLength > 0) return Promise.resolve();
    this.waits++;
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The stream ended on an error (broker gone, fenced…): log it, wait, consume again from the committed offsets. */
  private async restart(old: Stream): Promise<void> {
    this.logger.warn(
      {
        event: 'streaming.consumer.restart',
        err: old.errored ? classifyStreamingError(old.errored).message : undefined,
      },
      'consumer stream ended; restarting',
    );
    const { signal } = this.stopping;
    try {
      await this.clock.sleep(RESTART_FIRST_WAIT_MS, signal);
      await retry(
        async () => {
          const r = await this.open();
          if (!r.ok) throw r.error;
        },
        keepTrying,
        RESTART_RETRY,
        { clock: this.clock, signal },
      );
    } catch {
      // stopped while waiting: disconnect ends the pump
    }
  }
}

function toMessage(m: Message): ConsumedMessage {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: String(m.offset),
    key: m.key ?? null,
    value: m.value ?? null,
    headers: Object.fromEntries(m.headers),
    timestamp: Number(m.timestamp),
  };
}
