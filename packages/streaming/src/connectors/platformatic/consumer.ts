import type * as Plt from '@platformatic/kafka';
import { err, type Logger, ok, type Result } from '@qi/core';
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
import { baseOptions, type PlatformaticModule } from './index';

type Consumer = Plt.Consumer<Buffer, Buffer, string, string>;
type Stream = Plt.MessagesStream<Buffer, Buffer, string, string>;
type Message = Plt.Message<Buffer, Buffer, string, string>;

// held messages of paused partitions; past this the whole stream waits (backpressure) until a resume
const HOLD_LIMIT = 10_000;
const bufToString = (b?: Buffer) => (b === undefined ? undefined : b.toString());
const keyOf = (topic: string, partition: number) => `${topic}:${partition}`;

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
  private readonly held = new Map<string, Message[]>();
  private heldCount = 0;
  private wake: (() => void) | undefined;
  private readonly seeks = new Map<string, { target: bigint; fetches: number }>();
  private readonly epochs = new Map<string, number>();
  private loop: Promise<void> | undefined;

  constructor(
    lib: PlatformaticModule,
    config: StreamingConfig,
    private readonly opts: ConsumerOptions,
    private readonly logger: Logger,
  ) {
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
    this.wake?.();
    return ok(undefined);
  }

  async seek(topic: string, partition: number, offset: string): Promise<Result<void>> {
    if (!this.stream) return err(notConnected('consumer (seek needs run() first)'));
    const key = keyOf(topic, partition);
    const target = BigInt(offset);
    this.heldCount -= this.held.get(key)?.length ?? 0;
    this.held.delete(key);
    this.seeks.set(key, { target, fetches: 0 });
    this.stream.offsetsToFetch.set(key, target);
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
    this.wake?.();
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
          await new Promise((r) => setTimeout(r, 200));
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
    for (const [k, list] of this.held) {
      if (this.paused.has(k)) continue;
      this.held.delete(k);
      this.heldCount -= list.length;
      for (const m of list) add(k, m);
    }
    if (this.heldCount >= HOLD_LIMIT) return out;
    for (let m = stream.read() as Message | null; m !== null; m = stream.read() as Message | null) {
      const k = keyOf(m.topic, m.partition);
      this.epochs.set(k, m.leaderEpoch);
      if (!this.passesSeek(k, m, stream)) continue;
      if (this.paused.has(k)) {
        const h = this.held.get(k);
        if (h) h.push(m);
        else this.held.set(k, [m]);
        this.heldCount++;
      } else add(k, m);
    }
    return out;
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

  private waitForData(stream: Stream): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        stream.off('readable', done).off('end', done).off('close', done).off('error', done);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      stream.on('readable', done).on('end', done).on('close', done).on('error', done);
      if (stream.readableLength > 0 && this.heldCount < HOLD_LIMIT) done();
    });
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
    for (let delay = 500; !this.stopped; delay = Math.min(delay * 2, 5000)) {
      await new Promise((r) => setTimeout(r, delay));
      if (this.stopped) return;
      const r = await this.open();
      if (r.ok) return;
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
