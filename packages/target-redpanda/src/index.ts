import { definePlugin } from '@qi/core';
import { checkStreaming } from '@qi/streaming';
import { connectionOf } from './client';
import { configSchema } from './config';
import { createRedpandaWriter } from './writer';

export default definePlugin({
  name: '@qi/target-redpanda',
  kind: 'target',
  apiVersion: '^1.0.0',
  description:
    'Writes price, OHLCV, analytics and level1 records to Redpanda or Apache Kafka topics (JSON or Avro), keyed by instrument',
  configSchema,
  check: (config, ctx) => checkStreaming(connectionOf(config), ctx),
  create: (config, ctx) => createRedpandaWriter(config, ctx),
});

// the wire codec moved to @qi/kafka-codec (a source must not depend on a target); kept here for existing imports
export {
  avroTypeOf,
  COMPATIBILITY_LEVELS,
  CONTENT_TYPES,
  createRegistryClient,
  createRegistryCodec,
  decodeRecord,
  type EncodedRecord,
  encodeConfluent,
  encodeRecord,
  HEADERS,
  isConfluentFrame,
  type RegistryClient,
  type RegistryCodec,
  registryError,
  type SchemaRegistryConfig,
  type SchemaRegistryConfigInput,
  type Serialization,
  schemaRegistrySchema,
  subjectOf,
} from '@qi/kafka-codec';
export { connectionOf, connectRedpanda, type RedpandaConnection } from './client';
export { configSchema, type RedpandaTargetConfig, type RedpandaTargetConfigInput } from './config';
export { classifyRedpandaError, RedpandaErrors } from './errors';
export { applyRedpandaSchema, incompatibleFields, type PlanDeps, planRedpandaSchema } from './schema-plan';
export {
  configForTopic,
  createTopicRouter,
  describeTopics,
  type EnsureTopicsReport,
  ensureTopics,
  type PartitionMismatch,
  topicConfigs,
} from './topics';
export { createRedpandaHandler, createRedpandaWriter, instrumentKeyFn, type RedpandaHandler } from './writer';
