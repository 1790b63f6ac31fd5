import { BaseWriter, definePlugin, workflowOptions } from '@qi/core';
import { NatsClient } from './client';
import { configSchema } from './config';
import { createNatsHandler } from './writer';

/** NATS JetStream target: every record kind to subjects per kind and instrument, acknowledged and deduplicated. */
const natsTarget = definePlugin({
  name: 'qi-plugin-nats',
  kind: 'target',
  apiVersion: '^1.0.0',
  description: 'publish market data to NATS JetStream subjects, acknowledged and deduplicated by natural key',
  configSchema,
  create(config, ctx) {
    return new BaseWriter({
      ...workflowOptions(config, ctx),
      handler: createNatsHandler(config, new NatsClient(config)),
    });
  },
});

export default natsTarget;
export { covers } from './client';
export { configSchema, type NatsTargetConfig } from './config';
export { decodeRecord, HEADERS, kindFilter, messageId, subjectFor } from './encoding';
export { classifyNatsError, NatsErrors } from './errors';
