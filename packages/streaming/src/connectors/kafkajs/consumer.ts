import { err, ok, type Result } from '@qi/core';
import type * as KafkaJS from 'kafkajs';
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
import type { KafkajsModule } from './module';

export class KafkajsConsumer implements StreamingConsumer {
  private readonly consumer: KafkaJS.Consumer;
  private connected = false;
  private running = false;

  constructor(
    kafka: KafkaJS.Kafka,
    _lib: KafkajsModule,
    config: StreamingConfig,
    private readonly opts: ConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      ...(opts.sessionTimeoutMs ? { sessionTimeout: opts.sessionTimeoutMs } : {}),
      ...(opts.heartbeatIntervalMs ? { heartbeatInterval: opts.heartbeatIntervalMs } : {}),
      maxBytes: opts.maxBytes ?? 10 * 1024 * 1024,
      maxWaitTimeInMs: opts.maxWaitMs ?? 500,
      allowAutoTopicCreation: false,
      retry: { retries: config.retries, initialRetryTime: 100, maxRetryTime: 5000 },
    });
  }

  async connect(): Promise<Result<void>> {
    const r = await attempt(() => this.consumer.connect(), {
      op: 'consumer.connect',
      groupId: this.opts.groupId,
    });
    if (r.ok) this.connected = true;
    return r;
  }

  async subscribe({ topics }: { topics: string[] }): Promise<Result<void>> {
    if (!this.connected) return err(notConnected('consumer'));
    return attempt(
      () => this.consumer.subscribe({ topics, fromBeginning: this.opts.fromBeginning ?? false }),
      { op: 'consumer.subscribe', topics },
    );
  }

  async run(opts: ConsumerRunOptions): Promise<Result<void>> {
    if (!this.connected) return err(notConnected('consumer'));
    const { GROUP_JOIN, REBALANCING } = this.consumer.events;
    if (opts.onAssigned) {
      this.consumer.on(GROUP_JOIN, (e) => {
        const assignment = Object.entries(e.payload.memberAssignment).map(([topic, partitions]) => ({
          topic,
          partitions: partitions as number[],
        }));
        void Promise.resolve(opts.onAssigned!(assignment)).catch(() => undefined);
      });
    }
    if (opts.onRevoking)
      this.consumer.on(REBALANCING, () => void Promise.resolve(opts.onRevoking!()).catch(() => undefined));
    const r = await attempt(
      () =>
        this.consumer.run({
          autoCommit: false, // commits happen only through commitOffsets
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
          eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
            if (!isRunning() || isStale() || batch.isEmpty()) return;
            const messages = batch.messages.map((m) => toMessage(batch.topic, batch.partition, m));
            await opts.eachBatch({
              topic: batch.topic,
              partition: batch.partition,
              messages,
              highWatermark: batch.highWatermark,
            });
            resolveOffset(batch.lastOffset());
            await heartbeat();
          },
        }),
      { op: 'consumer.run' },
    );
    if (r.ok) this.running = true;
    return r;
  }

  pause(partitions: readonly TopicPartitions[]): Result<void> {
    return this.sync(
      () =>
        this.consumer.pause(
          partitions.map((p) => ({ topic: p.topic, ...(p.partitions ? { partitions: p.partitions } : {}) })),
        ),
      'consumer.pause',
    );
  }

  resume(partitions: readonly TopicPartitions[]): Result<void> {
    return this.sync(
      () =>
        this.consumer.resume(
          partitions.map((p) => ({ topic: p.topic, ...(p.partitions ? { partitions: p.partitions } : {}) })),
        ),
      'consumer.resume',
    );
  }

  async seek(topic: string, partition: number, offset: string): Promise<Result<void>> {
    if (!this.running) return err(notConnected('consumer (seek needs run() first)'));
    return this.sync(() => this.consumer.seek({ topic, partition, offset }), 'consumer.seek');
  }

  async commitOffsets(offsets: readonly CommitOffset[]): Promise<Result<void>> {
    if (!this.connected) return err(notConnected('consumer'));
    return attempt(() => this.consumer.commitOffsets(offsets.map((o) => ({ ...o }))), {
      op: 'consumer.commitOffsets',
    });
  }

  async disconnect(): Promise<Result<void>> {
    this.connected = false;
    this.running = false;
    return attempt(() => this.consumer.disconnect(), { op: 'consumer.disconnect' });
  }

  isConnected(): boolean {
    return this.connected;
  }

  private sync(fn: () => void, op: string): Result<void> {
    try {
      fn();
      return ok(undefined);
    } catch (e) {
      return err(classifyStreamingError(e, { op }));
    }
  }
}

function toMessage(topic: string, partition: number, m: KafkaJS.KafkaMessage): ConsumedMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers,
    timestamp: Number(m.timestamp),
  };
}
