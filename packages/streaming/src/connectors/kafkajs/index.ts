import type { Logger } from '@qi/core';
import type * as KafkaJS from 'kafkajs';
import type { StreamingConfig } from '../../config';
import type { ConsumerOptions, ProducerOptions, StreamingConnector } from '../../types';
import { type Importer, loadOptional } from '../load';
import { KafkajsAdmin } from './admin';
import { KafkajsConsumer } from './consumer';
import type { KafkajsModule } from './module';
import { KafkajsProducer } from './producer';

/** The kafkajs connector: one `Kafka` instance per streaming client. */
export async function createKafkajsConnector(config: StreamingConfig, logger: Logger, importer?: Importer) {
  const loaded = await loadOptional<KafkajsModule & { default?: KafkajsModule }>(
    'kafkajs',
    'client "kafkajs"',
    importer,
  );
  if (!loaded.ok) return loaded;
  // CommonJS seen through import(): the whole API is on `default` under Node (the
  // namespace has only what cjs-module-lexer detected, e.g. no ConfigResourceTypes),
  // and on the namespace itself under jest
  const lib = (loaded.value.default?.Kafka ? loaded.value.default : loaded.value) as KafkajsModule;
  const kafka = new lib.Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    ...(config.sasl
      ? {
          sasl: {
            mechanism: config.sasl.mechanism,
            username: config.sasl.username,
            password: config.sasl.password,
          } as KafkaJS.SASLOptions,
        }
      : {}),
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retry: { retries: config.retries, initialRetryTime: 100, maxRetryTime: 5000 },
    logLevel: lib.logLevel.INFO,
    logCreator: bridgeLogs(logger, lib),
  });
  const connector: StreamingConnector = {
    name: 'kafkajs',
    createProducer: (opts: ProducerOptions = {}) => new KafkajsProducer(kafka, lib, config, opts),
    createConsumer: (opts: ConsumerOptions) => new KafkajsConsumer(kafka, lib, config, opts),
    createAdmin: () => new KafkajsAdmin(kafka, lib),
  };
  return { ok: true as const, value: connector };
}

/**
 * kafkajs logs through its own logger; route it to ours one level lower, since
 * kafkajs reports as ERROR what the caller will see (and classify) as a Result anyway.
 */
// Warnings kafkajs repeats at every start about choices this connector makes on purpose:
// retries are bounded so an unreachable cluster surfaces as an error for the caller's retry
// policy (the target README says what that means for duplicates). Logged at debug instead.
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

export function bridgeLogs(logger: Logger, lib: KafkajsModule): KafkaJS.logCreator {
  const L = lib.logLevel;
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const fields = { event: 'kafkajs.log', namespace, ...extra };
      if (typeof message === 'string' && EXPECTED_WARNINGS.some((w) => message.startsWith(w)))
        logger.debug(fields, message);
      else if (level === L.ERROR || level === L.WARN) logger.warn(fields, message);
      else if (level === L.INFO) logger.debug(fields, message);
      else logger.trace(fields, message);
    };
}
