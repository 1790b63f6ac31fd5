import type { MarketRecord } from '@qi/core';
import { TEST_KAFKA_BROKERS, uniqueName } from '@qi/core/testkit';
import {
  type ClientName,
  type ConsumedMessage,
  createStreamingClient,
  type StreamingClient,
} from '@qi/streaming';
import { decodeRecord } from '@qi/target-redpanda';

// Kafka read-back for the tests of every package that writes to Kafka (the Redpanda
// target, its MCP server, the end-to-end suite): one copy here instead of one package
// reaching into another's test folder.

export async function streamingFor(
  client: ClientName = 'kafkajs',
  brokers: string[] = TEST_KAFKA_BROKERS,
): Promise<StreamingClient> {
  const s = await createStreamingClient({ client, brokers, clientId: 'qi-test-readback' });
  if (!s.ok) throw s.error;
  return s.value;
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
  const consumer = await streaming.getConsumer({ groupId: uniqueName('qi-readback'), fromBeginning: true });
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

/** Deletes every topic whose name starts with one of the prefixes. */
export async function deleteTopicsWithPrefixes(
  streaming: StreamingClient,
  prefixes: readonly string[],
): Promise<void> {
  const admin = await streaming.getAdmin();
  if (!admin.ok) return;
  const all = await admin.value.listTopics();
  if (!all.ok) return;
  const doomed = all.value.filter((t) => prefixes.some((p) => t.startsWith(p)));
  if (doomed.length) await admin.value.deleteTopics(doomed);
}

/** The same with a client of its own, for suites that hold none. */
export async function deleteTopics(prefixes: readonly string[]): Promise<void> {
  const s = await streamingFor();
  try {
    await deleteTopicsWithPrefixes(s, prefixes);
  } finally {
    await s.disconnect();
  }
}
