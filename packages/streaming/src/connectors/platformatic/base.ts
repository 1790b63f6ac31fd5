import type * as Plt from '@platformatic/kafka';
import type { StreamingConfig } from '../../config';

// Apart from index.ts, which imports the admin, consumer and producer that use these: a
// shared value read from the index would be undefined in whichever module loaded first.
export type PlatformaticModule = typeof Plt;

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
