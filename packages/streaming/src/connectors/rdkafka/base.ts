import type * as Rd from '@confluentinc/kafka-javascript';
import type { Logger } from '@qi/core';
import type { StreamingConfig } from '../../config';

// Apart from index.ts, which imports the admin, consumer and producer that use these.
export type RdkafkaModule = typeof Rd;

const SASL = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

/** librdkafka properties every client (producer, consumer, admin) takes. */
export function baseProperties(config: StreamingConfig, logger: Logger): Record<string, unknown> {
  const tls = config.ssl !== false;
  const props: Record<string, unknown> = {
    'bootstrap.servers': config.brokers.join(','),
    'client.id': config.clientId,
    'security.protocol': `${config.sasl ? 'sasl_' : ''}${tls ? 'ssl' : 'plaintext'}`,
    // librdkafka refuses less than 1 s
    'socket.connection.setup.timeout.ms': Math.max(1000, config.connectionTimeoutMs),
    'socket.timeout.ms': config.requestTimeoutMs,
    'retry.backoff.ms': 100,
    'retry.backoff.max.ms': 5000,
    // librdkafka logs through the 'event.log' event, bridged to ours below
    event_cb: true,
    log_level: logger.isLevelEnabled('debug') ? 7 : 4,
  };
  if (typeof config.ssl === 'object') {
    if (config.ssl.ca) props['ssl.ca.pem'] = config.ssl.ca;
    if (config.ssl.cert) props['ssl.certificate.pem'] = config.ssl.cert;
    if (config.ssl.key) props['ssl.key.pem'] = config.ssl.key;
    if (!config.ssl.rejectUnauthorized) {
      props['enable.ssl.certificate.verification'] = false;
      props['ssl.endpoint.identification.algorithm'] = 'none';
    }
  }
  if (config.sasl) {
    props['sasl.mechanisms'] = SASL[config.sasl.mechanism];
    props['sasl.username'] = config.sasl.username;
    props['sasl.password'] = config.sasl.password;
  }
  return props;
}

interface EventEmitterLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
}

/** What librdkafka said only in its log: a refused SASL handshake, which it retries forever and never reports as an error. */
export interface Heard {
  authFailure?: string;
}

/**
 * The error for a connect that failed: an authentication failure librdkafka logged wins over
 * the transport failure or timeout it reports (it keeps retrying a refused handshake).
 */
export function connectError(heard: Heard, e: unknown): unknown {
  if (!heard.authFailure) return e;
  return {
    name: 'LibrdKafkaError',
    type: 'SASL_AUTHENTICATION_FAILED',
    message: heard.authFailure,
    cause: e,
  };
}

// librdkafka's syslog levels: 0–3 are errors, 4 warning, 5–6 notice/info, 7 debug
/** Routes librdkafka's log and error events to our logger, one level lower (callers see the errors as Results). */
export function bridgeEvents(client: EventEmitterLike, logger: Logger, role: string): Heard {
  const heard: Heard = {};
  client.on('event.log', (e: { severity?: number; fac?: string; message?: string }) => {
    if ((e.severity ?? 7) <= 3 && /SASL .*failed|[Aa]uthentication failed/.test(e.message ?? ''))
      heard.authFailure = (e.message ?? '').replace(/^.*?: (?=SASL|[Aa]uthentication)/, '');
    const fields = { event: 'rdkafka.log', role, facility: e.fac };
    if ((e.severity ?? 7) <= 4) logger.warn(fields, e.message ?? '');
    else if ((e.severity ?? 7) <= 6) logger.debug(fields, e.message ?? '');
    else logger.trace(fields, e.message ?? '');
  });
  client.on('event.error', (e: { message?: string; code?: number }) => {
    logger.debug({ event: 'rdkafka.error', role, code: e.code }, e.message ?? '');
  });
  return heard;
}

/** Calls a node-style async method of the binding and resolves with its result. */
export function call<T>(fn: (cb: (e: unknown, v: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn((e, v) => (e ? reject(e) : resolve(v)));
  });
}
