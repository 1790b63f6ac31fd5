import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { MarketRecord, RecordKind } from '@qi/core';
import { testContext } from '@qi/core/testkit';
import {
  type ClientName,
  type ConsumedMessage,
  createStreamingClient,
  type StreamingClient,
} from '@qi/streaming';
import {
  configSchema,
  createRedpandaWriter,
  decodeRecord,
  type RedpandaTargetConfigInput,
} from '../src/index';

export const BROKERS = (process.env.QI_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Fails (never skips) when the broker is not there, saying how to start it. */
export async function requireBroker(brokers = BROKERS): Promise<void> {
  const b = brokers[0]!;
  await new Promise<void>((resolve, reject) => {
    const s = connect({
      host: b.slice(0, b.lastIndexOf(':')),
      port: Number(b.split(':').pop()),
      timeout: 5000,
    });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    const fail = (e?: Error) => {
      s.destroy();
      reject(
        new Error(
          `Kafka broker not reachable at ${b} (${e?.message ?? 'timeout'}): start it with \`scripts/kafka.sh start\` or set QI_KAFKA_BROKERS`,
        ),
      );
    };
    s.once('error', fail);
    s.once('timeout', () => fail());
  });
}

export const unique = (base: string) =>
  `${base}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export function makeWriter(input: RedpandaTargetConfigInput, name = 'redpanda') {
  return createRedpandaWriter(configSchema.parse(input), testContext({ name }));
}

/**
 * Everything a topic holds, read from the beginning with a fresh consumer group:
 * the end offsets are taken first, then messages are consumed until all of them arrived.
 */
export async function readTopic(streaming: StreamingClient, topic: string): Promise<ConsumedMessage[]> {
  const admin = await streaming.getAdmin();
  if (!admin.ok) throw admin.error;
  // right after a topic is created its partitions may still be electing a leader
  let offsets = await admin.value.fetchTopicOffsets(topic);
  for (let i = 0; i < 40 && !offsets.ok && offsets.error.retryable; i++) {
    await new Promise((r) => setTimeout(r, 250));
    offsets = await admin.value.fetchTopicOffsets(topic);
  }
  if (!offsets.ok) throw offsets.error;
  const total = offsets.value.reduce((n, o) => n + Number(BigInt(o.high) - BigInt(o.low)), 0);
  if (total === 0) return [];
  const consumer = await streaming.getConsumer({ groupId: unique('qi-readback'), fromBeginning: true });
  if (!consumer.ok) throw consumer.error;
  const got: ConsumedMessage[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer.value.subscribe({ topics: [topic] }).then((s) => {
      if (!s.ok) return reject(s.error);
      return consumer.value
        .run({
          eachBatch: async (b) => {
            got.push(...b.messages);
            if (got.length >= total) resolve();
          },
        })
        .then((r) => (r.ok ? undefined : reject(r.error)));
    }, reject);
  });
  await consumer.value.disconnect();
  return got.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** Decoded records of a topic (throws on a message that does not decode). */
export async function readRecords(streaming: StreamingClient, topic: string): Promise<MarketRecord[]> {
  return (await readTopic(streaming, topic)).map((m) => {
    const r = decodeRecord(m.value, m.headers);
    if (!r.ok) throw r.error;
    return r.value;
  });
}

export async function streamingFor(client: ClientName, brokers = BROKERS): Promise<StreamingClient> {
  const s = await createStreamingClient({ client, brokers, clientId: 'qi-test-readback' });
  if (!s.ok) throw s.error;
  return s.value;
}

export const DEFAULT_TOPIC_NAMES: Record<RecordKind, string> = {
  price: 'prices',
  ohlcv: 'ohlcv',
  analytics: 'market_analytics',
  level1: 'level1',
};

/** Deletes every topic whose name starts with one of the prefixes. */
export async function deleteTopicsWithPrefixes(
  streaming: StreamingClient,
  prefixes: string[],
): Promise<void> {
  const admin = await streaming.getAdmin();
  if (!admin.ok) return;
  const all = await admin.value.listTopics();
  if (!all.ok) return;
  const doomed = all.value.filter((t) => prefixes.some((p) => t.startsWith(p)));
  if (doomed.length) await admin.value.deleteTopics(doomed);
}

export const REGISTRY_URL = process.env.QI_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';

/** Fails (never skips) when the Schema Registry is not there, saying how to start it. */
export async function requireRegistry(url = REGISTRY_URL): Promise<void> {
  const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
  if (res instanceof Error || !res.ok)
    throw new Error(
      `Schema Registry not reachable at ${url} (${res instanceof Error ? res.message : res.status}): start it with \`scripts/schema-registry.sh start\` or set QI_SCHEMA_REGISTRY_URL`,
    );
}
