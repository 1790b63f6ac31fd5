import { generateTopics } from '@qi/core';
import { schemaRegistrySchema } from '@qi/kafka-codec';
import { connectionShape } from '@qi/streaming';
import { z } from 'zod';

const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, ".", "_", "-"');

/**
 * Config of the Kafka-protocol source: the transport's connection settings
 * (brokers, client, SASL/TLS, as the Redpanda target), then the consumer group,
 * topics, batching, backpressure and rebalance settings. Every field is
 * described: the README's table comes from here.
 */
export const configSchema = z.strictObject({
  ...connectionShape,
  groupId: z
    .string()
    .min(1)
    .optional()
    .describe(
      'consumer group id; processes with the same id share the partitions (default "qi.<pipeline name>")',
    ),
  topicPrefix: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default('qi.')
    .describe('prefix of the default topic names (qi.prices, qi.ohlcv, qi.market_analytics, qi.level1)'),
  topics: z
    .array(topicName)
    .min(1)
    .optional()
    .describe('topics to consume; default: the four DSL topics of core generateTopics() with topicPrefix'),
  fromBeginning: z
    .boolean()
    .default(true)
    .describe(
      'where a group with no committed offset starts: true = the oldest message held, false = only new messages',
    ),
  sessionTimeoutMs: z
    .number()
    .int()
    .min(1000)
    .default(30_000)
    .describe(
      'the broker drops a member it has not heard from for this long and moves its partitions (broker bounds: group.min/max.session.timeout.ms)',
    ),
  heartbeatIntervalMs: z
    .number()
    .int()
    .min(100)
    .default(3000)
    .describe('heartbeat period, ms (well under sessionTimeoutMs)'),
  maxBatchRecords: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(5000)
    .describe('most messages per batch handed to the pipeline'),
  maxBatchWaitMs: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(0)
    .describe(
      'a batch short of maxBatchRecords is handed on at most this long after its first message arrived, ms: under a backlog batches are full at once, on a light stream they stay small and quick (0: hand on whatever is queued at once, the lowest latency with every client as measured; raise it when many small batches cost more than the wait)',
    ),
  maxQueuedRecords: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .describe(
      'messages fetched but not yet handed to the pipeline; past it the partitions are paused until the queue is half empty (default maxBatchRecords: one full batch waiting while the pipeline writes the ones before it)',
    ),
  maxQueuedBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .default(8 * 1024 * 1024)
    .describe(
      'bytes of fetched messages not yet handed to the pipeline (payloads plus ~256 B each); past it, as past maxQueuedRecords, the partitions pause until half of it is left. The client library may hold half as much again for paused partitions (default 8 MiB)',
    ),
  maxBytes: z
    .number()
    .int()
    .min(1024)
    .optional()
    .describe(
      'most bytes per fetch response (default 2 MiB with kafkajs, which keeps a whole response in memory while any of its messages is queued; 1 MiB with platformatic, whose connector stops fetching after a response of more than 4096 messages)',
    ),
  maxWaitMs: z
    .number()
    .int()
    .min(0)
    .max(30_000)
    .default(100)
    .describe(
      'how long the broker may hold a fetch waiting for new data, ms; data is returned as soon as it arrives, this bounds how quickly a paused consumer resumes and an idle one notices a stop',
    ),
  rebalanceWaitMs: z
    .number()
    .int()
    .min(0)
    .default(30_000)
    .describe(
      'during a rebalance, how long new batches and commits wait for the new assignment (then they carry on with the last one known; a commit the group refuses is given up, and its records are read again)',
    ),
  onceIdleMs: z
    .number()
    .int()
    .min(100)
    .default(2000)
    .describe(
      'with --once: end when no message arrived for this long although some assigned partition is not yet known to be at its end offset (e.g. its committed offset is already there)',
    ),
  ensureTopics: z
    .boolean()
    .default(true)
    .describe('create missing topics with the DSL topic configs (partitions, retention) before subscribing'),
  partitions: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(6)
    .describe('partitions of topics this source creates'),
  replicationFactor: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(1)
    .describe('replication factor of topics this source creates (3 on a production cluster)'),
  schemaRegistry: schemaRegistrySchema
    .pick({ url: true, auth: true, clientId: true })
    .optional()
    .describe(
      'decode Confluent-framed Avro (magic byte, schema id) by fetching each schema id once from this registry; Qi JSON and Avro messages decode as before',
    ),
  cacheKeys: z
    .number()
    .int()
    .min(0)
    .default(100_000)
    .describe(
      'point queries answer from the latest record seen per instrument, for at most this many instruments; 0 turns point queries off (QI_NOT_SUPPORTED)',
    ),
});

export type RedpandaSourceConfigInput = z.input<typeof configSchema>;
export type RedpandaSourceConfig = z.output<typeof configSchema>;

/** The topics to subscribe to: the configured names, or the DSL topics with the prefix. */
export function topicsOf(c: Pick<RedpandaSourceConfig, 'topics' | 'topicPrefix'>): string[] {
  return c.topics ?? generateTopics({ prefix: c.topicPrefix }).map((t) => t.topic);
}

/**
 * Fetch size: @qi/streaming's platformatic connector stalls after a fetch larger than its
 * stream's 4096-message buffer; kafkajs at 2 MiB read as fast as at 10 MiB and held ~30 MB
 * less (README, Memory).
 */
export const fetchBytes = (c: Pick<RedpandaSourceConfig, 'maxBytes' | 'client'>): number =>
  c.maxBytes ?? (c.client === 'platformatic' ? 1024 * 1024 : 2 * 1024 * 1024);

export const queueBound = (c: Pick<RedpandaSourceConfig, 'maxQueuedRecords' | 'maxBatchRecords'>): number =>
  Math.max(c.maxQueuedRecords ?? c.maxBatchRecords, 1);

/**
 * What the connector may hold beyond the queue (messages of paused partitions, a client's
 * prefetch queue): half the queue's bounds, so the source's memory is bounded by its own
 * settings whichever client reads.
 */
export const heldBound = (
  c: Pick<RedpandaSourceConfig, 'maxQueuedRecords' | 'maxBatchRecords' | 'maxQueuedBytes'>,
): { maxHeldMessages: number; maxHeldBytes: number } => ({
  maxHeldMessages: Math.max(1, Math.ceil(queueBound(c) / 2)),
  maxHeldBytes: Math.max(64 * 1024, Math.floor(c.maxQueuedBytes / 2)),
});
