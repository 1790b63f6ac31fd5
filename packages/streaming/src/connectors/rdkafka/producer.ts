import type * as Rd from '@confluentinc/kafka-javascript';
import { err, type Logger, ok, type Result } from '@qi/core';
import type { StreamingConfig } from '../../config';
import { classifyStreamingError, notConnected } from '../../errors';
import type {
  PartitionOffset,
  ProduceReport,
  ProducerOptions,
  StreamingMessage,
  StreamingProducer,
  TopicMessages,
} from '../../types';
import { baseProperties, bridgeEvents, call, connectError, type Heard, type RdkafkaModule } from './base';
import { fromRdkafka } from './errors';

/** One sendBatch in flight: librdkafka reports each message's delivery with this as its opaque. */
interface Pending {
  /** queued, not yet reported */
  left: number;
  /** still queuing: not done even at left 0 */
  queuing: boolean;
  error: unknown;
  partitions: Map<string, PartitionOffset>;
  done: () => void;
}

/**
 * librdkafka's native producer (not its KafkaJS-compatible layer, which measured at about half
 * the rate): every message is handed to librdkafka's queue with `produce()`, which batches per
 * partition (linger.ms), compresses and retries in its own threads; a send resolves when every
 * delivery report of the call is in. Delivery reports are polled by a background thread.
 */
export class RdkafkaProducer implements StreamingProducer {
  private readonly heard: Heard;
  private readonly producer: Rd.Producer;
  private connected = false;
  /** resolves the sends waiting for room in librdkafka's queue */
  private room: Array<() => void> = [];

  constructor(
    private readonly lib: RdkafkaModule,
    private readonly config: StreamingConfig,
    opts: ProducerOptions,
    logger: Logger,
  ) {
    const idempotent = opts.idempotent ?? true;
    const ackTimeout = opts.ackTimeoutMs ?? 30_000;
    this.producer = new lib.Producer({
      ...baseProperties(config, logger),
      'enable.idempotence': idempotent,
      acks: opts.acks ?? -1,
      'compression.codec': opts.compression ?? 'none',
      'request.timeout.ms': ackTimeout,
      // bounded like the other connectors: an unreachable cluster surfaces as an error for the
      // caller's retry policy instead of librdkafka retrying for its default five minutes
      'message.timeout.ms': ackTimeout + config.requestTimeoutMs,
      // librdkafka needs retries for idempotence
      retries: idempotent ? Math.max(1, config.retries) : config.retries,
      // keyed: Java's murmur2 like the other connectors; unkeyed: spread at random
      partitioner: 'murmur2_random',
      // the broker judges a record's size (the topic's max.message.bytes), not a client-side 1 MB
      'message.max.bytes': 100 * 1024 * 1024,
      // a missing topic fails the send after this instead of waiting for the message timeout
      'topic.metadata.propagation.max.ms': Math.max(1000, 1000 * config.retries),
      'linger.ms': 5,
      'allow.auto.create.topics': false,
      dr_cb: true,
    } as Rd.ProducerGlobalConfig);
    this.heard = bridgeEvents(this.producer, logger, 'producer');
    this.producer.on('delivery-report', (e, report) => this.delivered(e, report));
  }

  async connect(): Promise<Result<void>> {
    try {
      await call((cb) => this.producer.connect({ timeout: this.connectTimeout() }, cb));
      this.producer.setPollInBackground(true);
      this.connected = true;
      return ok(undefined);
    } catch (e) {
      // a failed connect may leave the handle half open; closing a never-opened one throws
      try {
        this.producer.disconnect();
      } catch {}
      return err(
        classifyStreamingError(connectError(this.heard, fromRdkafka(this.lib, e)), {
          op: 'producer.connect',
        }),
      );
    }
  }

  send(topic: string, message: StreamingMessage): Promise<Result<ProduceReport>> {
    return this.sendBatch([{ topic, messages: [message] }]);
  }

  async sendBatch(batch: readonly TopicMessages[]): Promise<Result<ProduceReport>> {
    if (!this.connected) return err(notConnected('producer'));
    let count = 0;
    const pending: Pending = {
      left: 0,
      queuing: true,
      error: undefined,
      partitions: new Map(),
      done: () => {},
    };
    const finished = new Promise<void>((r) => {
      pending.done = r;
    });
    try {
      for (const t of batch) {
        for (const m of t.messages) {
          // after a failed delivery the rest is not queued: the caller retries the whole batch
          if (pending.error) break;
          await this.produce(t.topic, m, pending);
          count++;
        }
      }
    } catch (e) {
      // a message librdkafka refused outright (unknown partition, oversized): nothing more is queued
      pending.error ??= e;
    }
    pending.queuing = false;
    if (pending.left === 0) pending.done();
    await finished;
    if (pending.error)
      return err(
        classifyStreamingError(fromRdkafka(this.lib, pending.error), {
          op: 'producer.sendBatch',
          topics: batch.map((t) => t.topic),
        }),
      );
    return ok({ count, partitions: [...pending.partitions.values()] });
  }

  async disconnect(): Promise<Result<void>> {
    if (!this.connected) return ok(undefined);
    this.connected = false;
    try {
      await call((cb) => this.producer.flush(this.config.requestTimeoutMs, (e) => cb(e, undefined)));
    } catch {
      // undelivered messages have already failed their sends; disconnect regardless
    }
    try {
      await call((cb) => this.producer.disconnect(this.config.requestTimeoutMs, (e) => cb(e, undefined)));
      return ok(undefined);
    } catch (e) {
      return err(classifyStreamingError(fromRdkafka(this.lib, e), { op: 'producer.disconnect' }));
    }
  }

  isConnected(): boolean {
    return this.connected;
  }

  private connectTimeout(): number {
    return Math.max(1000, this.config.connectionTimeoutMs) * (this.config.retries + 1);
  }

  /** Queues one message, waiting for room when librdkafka's queue is full. Throws what produce() refuses. */
  private async produce(topic: string, m: StreamingMessage, pending: Pending): Promise<void> {
    const ts =
      m.timestamp === undefined ? null : m.timestamp instanceof Date ? m.timestamp.getTime() : m.timestamp;
    const headers = m.headers ? Object.entries(m.headers).map(([k, v]) => ({ [k]: v })) : undefined;
    for (;;) {
      try {
        this.producer.produce(topic, m.partition ?? null, m.value, m.key ?? null, ts, pending, headers);
        pending.left++;
        return;
      } catch (e) {
        if ((e as { code?: number }).code !== this.lib.CODES.ERRORS.ERR__QUEUE_FULL) throw e;
        await new Promise<void>((r) => this.room.push(r));
      }
    }
  }

  private delivered(e: unknown, report: Rd.DeliveryReport): void {
    const pending = report.opaque as Pending | undefined;
    const waiting = this.room;
    this.room = [];
    for (const r of waiting) r();
    if (!pending) return;
    if (e) pending.error ??= e;
    else {
      const key = `${report.topic}:${report.partition}`;
      const seen = pending.partitions.get(key);
      if (!seen || Number(seen.baseOffset) > report.offset)
        pending.partitions.set(key, {
          topic: report.topic,
          partition: report.partition,
          baseOffset: String(report.offset),
        });
    }
    pending.left--;
    if (pending.left === 0 && !pending.queuing) pending.done();
  }
}
