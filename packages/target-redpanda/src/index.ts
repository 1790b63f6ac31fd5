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

export { connectionOf, connectRedpanda, type RedpandaConnection } from './client';
export { configSchema, type RedpandaTargetConfig, type RedpandaTargetConfigInput } from './config';
export {
  avroTypeOf,
  CONTENT_TYPES,
  decodeRecord,
  type EncodedRecord,
  encodeConfluent,
  encodeRecord,
  HEADERS,
  type Serialization,
} from './encoding';
export { classifyRedpandaError, RedpandaErrors, registryError } from './errors';
export { createRegistryClient, type RegistryClient } from './registry';
export { createRegistryCodec, isConfluentFrame, type RegistryCodec } from './registry-codec';
export {
  COMPATIBILITY_LEVELS,
  type SchemaRegistryConfig,
  type SchemaRegistryConfigInput,
  schemaRegistrySchema,
  subjectOf,
} from './registry-config';
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
