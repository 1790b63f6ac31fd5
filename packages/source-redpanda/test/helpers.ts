import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { MarketRecord, SourceBatch } from '@qi/core';
import { testContext } from '@qi/core/testkit';
import { type ClientName, createStreamingClient, type StreamingClient } from '@qi/streaming';
import {
  createRedpandaWriter,
  type RedpandaTargetConfigInput,
  configSchema as targetSchema,
} from '@qi/target-redpanda';
import { createRedpandaReader, type RedpandaSourceConfigInput } from '../src/index';

export const BROKERS = (process.env.QI_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Fails (never skips) when the broker is not there, saying how to start it. */
export async function requireBroker(): Promise<void> {
  const b = BROKERS[0]!;
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

/** Group settings that keep rebalances short in tests (the broker's minimum session timeout is 6 s). */
export const FAST_GROUP = {
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 500,
  maxWaitMs: 100,
  onceIdleMs: 1500,
} as const;

export function makeWriter(input: RedpandaTargetConfigInput) {
  return createRedpandaWriter(
    targetSchema.parse({ brokers: BROKERS, lingerMs: 1, ...input }),
    testContext({ name: 'redpanda-target' }),
  );
}

/** Writes records with the Redpanda target (all acknowledged), then closes it. */
export async function produce(input: RedpandaTargetConfigInput, records: readonly unknown[]): Promise<void> {
  const w = makeWriter(input);
  const r = await w.publishBatch(records as never);
  if (!r.ok) throw r.error;
  if (r.value.rejected.length)
    throw new Error(
      `target rejected ${r.value.rejected.length} record(s): ${r.value.rejected[0]!.error.message}`,
    );
  await w.close();
}

export function makeReader(input: RedpandaSourceConfigInput, name = 'redpanda-source') {
  return createRedpandaReader(
    { brokers: BROKERS, ...FAST_GROUP, ...input },
    testContext({ name, pipeline: 'test' }),
  );
}

/** Reads a stream with --once, acknowledging every batch; returns the batches. */
export async function drainOnce(
  reader: ReturnType<typeof makeReader>,
  signal: AbortSignal = new AbortController().signal,
): Promise<SourceBatch[]> {
  const batches: SourceBatch[] = [];
  for await (const b of reader.stream({ signal, once: true })) {
    batches.push(b);
    await b.ack?.();
  }
  return batches;
}

export const recordsOf = (batches: readonly SourceBatch[]) =>
  batches.flatMap((b) => b.records) as MarketRecord[];

export async function streamingFor(client: ClientName = 'kafkajs'): Promise<StreamingClient> {
  const s = await createStreamingClient({ client, brokers: BROKERS, clientId: 'qi-source-test' });
  if (!s.ok) throw s.error;
  return s.value;
}

/** Deletes every topic whose name starts with one of the prefixes. */
export async function deleteTopics(prefixes: readonly string[]): Promise<void> {
  const s = await streamingFor();
  try {
    const admin = await s.getAdmin();
    if (!admin.ok) return;
    const all = await admin.value.listTopics();
    if (!all.ok) return;
    const doomed = all.value.filter((t) => prefixes.some((p) => t.startsWith(p)));
    if (doomed.length) await admin.value.deleteTopics(doomed);
  } finally {
    await s.disconnect();
  }
}
