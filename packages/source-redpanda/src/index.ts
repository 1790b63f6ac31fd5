import { definePlugin } from '@qi/core';
import { checkStreaming } from '@qi/streaming';
import { connectionOf } from './client';
import { configSchema } from './config';
import { createRedpandaReader } from './reader';

export default definePlugin({
  name: '@qi/source-redpanda',
  kind: 'source',
  apiVersion: '^1.0.0',
  description:
    'Reads price, OHLCV, analytics and level1 records (JSON or Avro) from Redpanda or Apache Kafka topics in a consumer group, committing offsets only after the pipeline acknowledged them',
  configSchema,
  check: (config, ctx) => checkStreaming(connectionOf(config), ctx),
  create: (config, ctx) => createRedpandaReader(config, ctx),
});

export { LatestCache } from './cache';
export { connectionOf, consumerOptions, ensureSourceTopics } from './client';
export {
  configSchema,
  queueBound,
  type RedpandaSourceConfig,
  type RedpandaSourceConfigInput,
  topicsOf,
} from './config';
export {
  type Decoded,
  decodeMessages,
  type InvalidMessage,
  type MessageContext,
  rawMessage,
} from './encoding';
export { classifySourceError, isRebalanceError, SourceErrors } from './errors';
export { type AssignmentChange, byTopic, Ownership, type TopicPartition, tpKey } from './ownership';
export { type Chunk, MessageQueue } from './queue';
export {
  createRedpandaReader,
  createRedpandaReaderHandler,
  type HandlerOptions,
  RedpandaReader,
  type RedpandaReaderHandler,
} from './reader';
export { ConsumerSession, type SessionHealth, type SessionOptions } from './session';
