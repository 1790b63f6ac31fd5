import { createLogger, type Logger, type MarketRecord, type SourceBatch } from '@qi/core';
import { TEST_KAFKA_BROKERS as BROKERS, testContext } from '@qi/core/testkit';
import {
  createRedpandaWriter,
  type RedpandaTargetConfigInput,
  configSchema as targetSchema,
} from '@qi/target-redpanda';
import { createRedpandaReader, type RedpandaSourceConfigInput } from '../src/index';

export { requireBroker, uniqueName as unique } from '@qi/core/testkit';
export { deleteTopics, streamingFor } from '../../../test/support/kafka';
export { BROKERS };

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

export function makeReader(input: RedpandaSourceConfigInput, name = 'redpanda-source', logger?: Logger) {
  return createRedpandaReader(
    { brokers: BROKERS, ...FAST_GROUP, ...input },
    testContext({ name, pipeline: 'test', ...(logger ? { logger } : {}) }),
  );
}

/** A debug logger, and a promise of the first line with the given event (what a test waits for instead of polling). */
export function logEvents() {
  const waiting = new Map<string, (line: Record<string, unknown>) => void>();
  const logger = createLogger({
    level: 'debug',
    destination: {
      write: (l: string) => {
        const line = JSON.parse(l) as Record<string, unknown>;
        waiting.get(String(line.event))?.(line);
      },
    },
  });
  const next = (event: string) =>
    new Promise<Record<string, unknown>>((resolve) => waiting.set(event, resolve));
  return { logger, next };
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
