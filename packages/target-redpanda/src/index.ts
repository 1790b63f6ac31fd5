import { definePlugin } from '@qi/core';
import { configSchema } from './config';
import { createRedpandaWriter } from './writer';

export default definePlugin({
  name: '@qi/target-redpanda',
  kind: 'target',
  apiVersion: '^1.0.0',
  description: 'Writes price, OHLCV, analytics and level1 records to Redpanda or Apache Kafka topics (JSON or Avro), keyed by instrument',
  configSchema,
  create: (config, ctx) => createRedpandaWriter(config, ctx),
});

export { configSchema, type RedpandaTargetConfig, type RedpandaTargetConfigInput } from './config';
export { createRedpandaHandler, createRedpandaWriter, type RedpandaHandler } from './writer';
export { connectRedpanda, type RedpandaConnection } from './client';
export { CONTENT_TYPES, HEADERS, avroTypeOf, decodeRecord, encodeRecord, type EncodedRecord, type Serialization } from './encoding';
export { RedpandaErrors, classifyRedpandaError } from './errors';
export {
  configForTopic, createTopicRouter, describeTopics, ensureTopics, topicConfigs,
  type EnsureTopicsReport, type PartitionMismatch,
} from './topics';
