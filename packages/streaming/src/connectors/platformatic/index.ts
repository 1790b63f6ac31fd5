import type * as Plt from '@platformatic/kafka';
import type { Logger } from '@qi/core';
import type { StreamingConfig } from '../../config';
import type { ConsumerOptions, ProducerOptions, StreamingConnector } from '../../types';
import { type Importer, loadOptional } from '../load';
import { PlatformaticAdmin } from './admin';
import { PlatformaticConsumer } from './consumer';
import { PlatformaticProducer } from './producer';

export type PlatformaticModule = typeof Plt;

/** The @platformatic/kafka connector (ESM-only, loaded with import()). */
export async function createPlatformaticConnector(
  config: StreamingConfig,
  logger: Logger,
  importer?: Importer,
) {
  const loaded = await loadOptional<PlatformaticModule>(
    '@platformatic/kafka',
    'client "platformatic"',
    importer,
  );
  if (!loaded.ok) return loaded;
  const lib = loaded.value;
  const connector: StreamingConnector = {
    name: 'platformatic',
    createProducer: (opts: ProducerOptions = {}) => new PlatformaticProducer(lib, config, opts),
    createConsumer: (opts: ConsumerOptions) => new PlatformaticConsumer(lib, config, opts, logger),
    createAdmin: () => new PlatformaticAdmin(lib, config),
  };
  return { ok: true as const, value: connector };
}

const SASL = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

/** Connection options every platformatic client takes. */
export function baseOptions(config: StreamingConfig) {
  const tls = config.ssl === true ? {} : config.ssl === false ? undefined : stripUndefined(config.ssl);
  return {
    clientId: config.clientId,
    bootstrapBrokers: config.brokers,
    connectTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retries: config.retries,
    retryDelay: 250,
    ...(tls ? { tls } : {}),
    ...(config.sasl
      ? {
          sasl: {
            mechanism: SASL[config.sasl.mechanism],
            username: config.sasl.username,
            password: config.sasl.password,
          },
        }
      : {}),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
