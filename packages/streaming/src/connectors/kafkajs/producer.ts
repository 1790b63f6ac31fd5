import { err, ok, type Result } from '@qi/core';
import type * as KafkaJS from 'kafkajs';
import type { StreamingConfig } from '../../config';
import { attempt, classifyStreamingError, notConnected } from '../../errors';
import type {
  ProduceReport,
  ProducerOptions,
  StreamingMessage,
  StreamingProducer,
  TopicMessages,
} from '../../types';
import { ensureKafkajsCodec } from './codecs';
import type { KafkajsModule } from './module';

export class KafkajsProducer implements StreamingProducer {
  private readonly producer: KafkaJS.Producer;
  private connected = false;
  private compressionType = 0;
  private readonly acks: number;
  private readonly timeout: number;

  constructor(
    kafka: KafkaJS.Kafka,
    private readonly lib: KafkajsModule,
    config: StreamingConfig,
    private readonly opts: ProducerOptions,
  ) {
    const idempotent = opts.idempotent ?? true;
    this.acks = opts.acks ?? -1;
    this.timeout = opts.ackTimeoutMs ?? 30_000;
    this.producer = kafka.producer({
      // murmur2 like the Java client (kafkajs 2's default); naming it also stops kafkajs warning at every start
      createPartitioner: lib.Partitioners.DefaultPartitioner,
      idempotent,
      allowAutoTopicCreation: false,
      // bounded (kafkajs needs >= 1 for idempotence): an unreachable cluster must surface as an error for the caller's retry/breaker, not hang forever
      retry: {
        retries: idempotent ? Math.max(1, config.retries) : config.retries,
        initialRetryTime: 100,
        maxRetryTime: 5000,
      },
    });
  }

  async connect(): Promise<Result<void>> {
    const codec = await ensureKafkajsCodec(this.lib, this.opts.compression ?? 'none');
    if (!codec.ok) return codec;
    this.compressionType = codec.value;
    const r = await attempt(() => this.producer.connect(), { op: 'producer.connect' });
    if (r.ok) this.connected = true;
    return r;
  }

  send(topic: string, message: StreamingMessage): Promise<Result<ProduceReport>> {
    return this.sendBatch([{ topic, messages: [message] }]);
  }

  async sendBatch(batch: readonly TopicMessages[]): Promise<Result<ProduceReport>> {
    if (!this.connected) return err(notConnected('producer'));
    let count = 0;
    const topicMessages = batch.map((t) => {
      count += t.messages.length;
      return { topic: t.topic, messages: t.messages.map(toKafkajs) };
    });
    try {
      const meta = await this.producer.sendBatch({
        topicMessages,
        acks: this.acks,
        timeout: this.timeout,
        compression: this.compressionType,
      });
      return ok({
        count,
        partitions: meta.map((m) => ({
          topic: m.topicName,
          partition: m.partition,
          baseOffset: String(m.baseOffset ?? m.offset ?? '-1'),
        })),
      });
    } catch (e) {
      return err(classifyStreamingError(e, { op: 'producer.sendBatch', topics: batch.map((t) => t.topic) }));
    }
  }

  async disconnect(): Promise<Result<void>> {
    this.connected = false;
    return attempt(() => this.producer.disconnect(), { op: 'producer.disconnect' });
  }

  isConnected(): boolean {
    return this.connected;
  }
}

// The common message (no timestamp, no Date) is already kafkajs-shaped: pass it through untouched.
function toKafkajs(m: StreamingMessage): KafkaJS.Message {
  if (m.timestamp === undefined) return m as KafkaJS.Message;
  const ts = m.timestamp instanceof Date ? m.timestamp.getTime() : m.timestamp;
  return { ...m, timestamp: String(ts) } as KafkaJS.Message;
}
