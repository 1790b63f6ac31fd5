import { writerWorkflowShape } from '@qi/core';
import { schemaRegistrySchema } from '@qi/kafka-codec';
import { connectionShape } from '@qi/streaming';
import { z } from 'zod';

const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, ".", "_", "-"');

/**
 * Config of the Kafka-protocol target: the transport's connection settings,
 * the writer workflow (batching, retry, breaker), then topics, producer and
 * serialization. Every field is described: the README's tables come from here.
 */
const fields = z.strictObject({
  ...connectionShape,
  ...writerWorkflowShape,
  serialization: z
    .enum(['json', 'avro'])
    .default('json')
    .describe(
      'message value format: json (UTF-8 JSON of the DSL record) or avro (binary, schema from the DSL, fingerprint in a header; Confluent wire format with schemaRegistry)',
    ),
  schemaRegistry: schemaRegistrySchema
    .optional()
    .describe(
      'with serialization avro: register the DSL schema per topic (subject "<topic>-value") and write the Confluent wire format (magic byte, schema id, Avro)',
    ),
  topicPrefix: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default('qi.')
    .describe('prefix of the default topic names (qi.prices, qi.ohlcv, qi.market_analytics, qi.level1)'),
  topics: z
    .strictObject({
      price: topicName.optional().describe('topic of price records (default "<prefix>prices")'),
      ohlcv: topicName.optional().describe('topic of OHLCV candles (default "<prefix>ohlcv")'),
      analytics: topicName
        .optional()
        .describe('topic of market analytics (default "<prefix>market_analytics")'),
      level1: topicName.optional().describe('topic of level1 quotes (default "<prefix>level1")'),
    })
    .prefault({})
    .describe('topic name per record kind (overrides the prefix)'),
  topicTemplate: z
    .string()
    .regex(/^[a-zA-Z0-9._{}-]+$/)
    .optional()
    .describe(
      'exchange-aware routing, e.g. "{prefix}{name}.{exchange}": placeholders {prefix}, {name} (prices, ohlcv…), {kind}, {exchange} ("all" for kinds without one); overrides topics',
    ),
  ensureTopics: z
    .boolean()
    .default(true)
    .describe(
      'create missing topics (partitions, retention, cleanup policy, compression from the DSL topic generator) and warn about existing ones whose partition count differs',
    ),
  partitions: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(6)
    .describe('partitions of topics this target creates'),
  replicationFactor: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(1)
    .describe('replication factor of topics this target creates (3 on a production cluster)'),
  retentionMs: z
    .number()
    .int()
    .min(-1)
    .default(7 * 86_400_000)
    .describe('retention.ms of topics this target creates (-1: forever)'),
  topicCompression: z
    .enum(['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'])
    .default('producer')
    .describe('broker-side compression.type of topics this target creates'),
  acks: z
    .union([z.literal(-1), z.literal(0), z.literal(1)])
    .default(-1)
    .describe('acknowledgements per write: -1 all in-sync replicas (durable), 1 leader only, 0 none'),
  idempotent: z
    .boolean()
    .default(true)
    .describe('idempotent producer: broker-side dedup of client retries within a session (needs acks -1)'),
  compression: z
    .enum(['none', 'gzip', 'snappy', 'lz4', 'zstd'])
    .default('none')
    .describe('producer compression; kafkajs needs kafkajs-snappy / kafkajs-lz4 for snappy / lz4'),
  ackTimeoutMs: z
    .number()
    .int()
    .min(1)
    .default(30_000)
    .describe('how long the broker may take to acknowledge a write, ms'),
  deadLetterTopic: topicName
    .default('qi.dead-letter')
    .describe("topic of dead-letter envelopes when this target is a pipeline's dead-letter destination"),
});

export const configSchema = fields.superRefine((c, ctx) => {
  if (c.schemaRegistry && c.serialization !== 'avro')
    ctx.addIssue({
      code: 'custom',
      path: ['serialization'],
      message: 'schemaRegistry needs serialization: avro (the registry holds Avro schemas)',
    });
});

export type RedpandaTargetConfigInput = z.input<typeof configSchema>;
export type RedpandaTargetConfig = z.output<typeof configSchema>;
