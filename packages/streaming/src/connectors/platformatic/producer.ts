import type * as Plt from '@platformatic/kafka';
import { err, ok, type Result } from '@qi/core';
import type { StreamingConfig } from '../../config';
import { attempt, classifyStreamingError, notConnected } from '../../errors';
import type {
  ProduceReport,
  ProducerOptions,
  StreamingMessage,
  StreamingProducer,
  TopicMessages,
} from '../../types';
import { baseOptions, type PlatformaticModule } from './base';

type Key = string | Buffer | null | undefined;
type Producer = Plt.Producer<Key, Buffer, Buffer, Buffer>;
type OutMessage = Plt.MessageToProduce<Key, Buffer, Buffer, Buffer>;
type Headers = Map<Buffer, Buffer>;

// Message keys repeat (one per instrument): converting each once saves an allocation per message.
// Bounded, so a stream of unique keys costs a cleared map now and then, never unbounded memory.
const KEY_CACHE_MAX = 10_000;
const keyBuffers = new Map<string, Buffer>();
const toBuffer = (k?: Key) => {
  if (k == null) return undefined;
  if (typeof k !== 'string') return k;
  let b = keyBuffers.get(k);
  if (!b) {
    if (keyBuffers.size >= KEY_CACHE_MAX) keyBuffers.clear();
    b = Buffer.from(k);
    keyBuffers.set(k, b);
  }
  return b;
};

// The client turns a headers object into a Map and each name and value into a Buffer, per message;
// that was a fifth of its CPU with four headers. Frozen header objects (the targets share one per
// kind and source) are converted once; the Buffers are never written to.
const frozenHeaders = new WeakMap<object, Headers>();
function headerMap(h: Readonly<Record<string, string>>): Headers {
  const frozen = Object.isFrozen(h);
  const cached = frozen ? frozenHeaders.get(h) : undefined;
  if (cached) return cached;
  const map: Headers = new Map();
  for (const name in h) map.set(Buffer.from(name), Buffer.from(h[name]!));
  if (frozen) frozenHeaders.set(h, map);
  return map;
}
const same = (b?: Buffer) => b;

export class PlatformaticProducer implements StreamingProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    lib: PlatformaticModule,
    config: StreamingConfig,
    private readonly opts: ProducerOptions,
  ) {
    const idempotent = opts.idempotent ?? true;
    this.producer = new lib.Producer<Key, Buffer, Buffer, Buffer>({
      ...baseOptions(config),
      // platformatic turns retries <= 1 into "forever" for an idempotent producer; keep it bounded so
      // an unreachable cluster surfaces as an error (the caller's retry policy and breaker decide)
      ...(idempotent ? { retries: Math.max(2, config.retries) } : {}),
      idempotent,
      acks: opts.acks ?? -1,
      compression: opts.compression ?? 'none',
      autocreateTopics: false,
      // Java/kafkajs-compatible murmur2: a key lands in the same partition whichever client wrote it
      partitioner: lib.compatibilityPartitioner,
      serializers: {
        key: toBuffer,
        value: same,
        headerKey: same,
        headerValue: same,
      },
    });
  }

  async connect(): Promise<Result<void>> {
    const r = await attempt(
      async () => {
        await this.producer.listApis(); // not metadata({topics: []}): in 2.12 it never settles when no broker answers
        // fail now, not on the first send, when the broker refuses idempotence (ACLs, old broker)
        if (this.opts.idempotent ?? true) await this.producer.initIdempotentProducer({});
      },
      { op: 'producer.connect' },
    );
    if (r.ok) this.connected = true;
    return r;
  }

  send(topic: string, message: StreamingMessage): Promise<Result<ProduceReport>> {
    return this.sendBatch([{ topic, messages: [message] }]);
  }

  async sendBatch(batch: readonly TopicMessages[]): Promise<Result<ProduceReport>> {
    if (!this.connected) return err(notConnected('producer'));
    const messages: OutMessage[] = [];
    for (const t of batch) {
      for (const m of t.messages) {
        // one object shape for every message (the client ignores undefined fields)
        messages.push({
          topic: t.topic,
          key: m.key,
          value: m.value,
          headers: m.headers === undefined ? undefined : headerMap(m.headers),
          partition: m.partition,
          timestamp:
            m.timestamp === undefined
              ? undefined
              : BigInt(m.timestamp instanceof Date ? m.timestamp.getTime() : m.timestamp),
        } as OutMessage);
      }
    }
    try {
      const res = await this.producer.send({ messages });
      return ok({
        count: messages.length,
        partitions: (res.offsets ?? []).map((o) => ({
          topic: o.topic,
          partition: o.partition,
          baseOffset: String(o.offset),
        })),
      });
    } catch (e) {
      return err(classifyStreamingError(e, { op: 'producer.sendBatch', topics: batch.map((t) => t.topic) }));
    }
  }

  async disconnect(): Promise<Result<void>> {
    this.connected = false;
    return attempt(() => this.producer.close(), { op: 'producer.disconnect' });
  }

  isConnected(): boolean {
    return this.connected;
  }
}
