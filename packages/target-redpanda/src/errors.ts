import { type ErrorSpec, isQiError, NETWORK_ERRNOS, type QiError, qiError } from '@qi/core';
import { classifyStreamingError } from '@qi/streaming';

/** Codes of @qi/target-redpanda; broker errors keep the transport's QI_STREAMING_* codes. */
export const RedpandaErrors = {
  ENCODE: { code: 'QI_TARGET_REDPANDA_ENCODE', category: 'data', retryable: false },
  DECODE: { code: 'QI_TARGET_REDPANDA_DECODE', category: 'data', retryable: false },
  SCHEMA_MISMATCH: { code: 'QI_TARGET_REDPANDA_SCHEMA_MISMATCH', category: 'data', retryable: false },
  TOPIC: { code: 'QI_TARGET_REDPANDA_TOPIC', category: 'config', retryable: false },
  REGISTRY_UNAVAILABLE: {
    code: 'QI_TARGET_REDPANDA_REGISTRY_UNAVAILABLE',
    category: 'network',
    retryable: true,
  },
  REGISTRY: { code: 'QI_TARGET_REDPANDA_REGISTRY', category: 'config', retryable: false },
  SCHEMA_INCOMPATIBLE: {
    code: 'QI_TARGET_REDPANDA_SCHEMA_INCOMPATIBLE',
    category: 'config',
    retryable: false,
  },
} as const satisfies Record<string, ErrorSpec>;

/**
 * Retriable broker errors retry, auth fails fast, a record too large is `data`
 * (BaseWriter then bisects the batch and dead-letters that record alone).
 */
export function classifyRedpandaError(e: unknown): QiError {
  if (isQiError(e)) return e as QiError;
  return classifyStreamingError(e);
}

export function encodeError(kind: string, e: unknown): QiError {
  return qiError(RedpandaErrors.ENCODE, `cannot encode ${kind} record: ${(e as Error).message}`, {
    cause: e,
    context: { kind },
  });
}

// the registry client keeps only the socket error's text, so the errno is looked for in it
const NETWORK = new RegExp([...NETWORK_ERRNOS, 'socket hang up', 'timeout'].join('|'), 'i');

/**
 * A Schema Registry client error -> QiError. Unreachable or 5xx: retryable (BaseWriter backs
 * off like for any service); 409: the DSL schema is incompatible with the subject (config,
 * never retried, never a fallback to another encoding); other 4xx (auth, bad URL): config.
 */
export function registryError(e: unknown, subject: string, url: string): QiError {
  if (isQiError(e)) return e as QiError;
  const status = (e as { status?: number }).status;
  // the client's message starts with its name; keep the registry's own words
  const message = String((e as Error)?.message ?? e).replace(/^Confluent_Schema_Registry - /, '');
  const context = { subject, registry: url, status };
  if (status === 409)
    return qiError(
      RedpandaErrors.SCHEMA_INCOMPATIBLE,
      `Schema Registry refused the DSL schema for subject ${subject}: ${message}`,
      { cause: e, context },
    );
  // the client reports a refused connection as status 400 with the socket error's text
  if (
    (status !== undefined && status >= 500) ||
    ((status === undefined || status === 400) && NETWORK.test(message))
  )
    return qiError(
      RedpandaErrors.REGISTRY_UNAVAILABLE,
      `Schema Registry ${url} unavailable (subject ${subject}): ${message}`,
      { cause: e, context },
    );
  const hint =
    status === 401 || status === 403
      ? ' (check schemaRegistry.auth)'
      : /Compatibility does not match/.test(message)
        ? " (set schemaRegistry.compatibility to the subject's level)"
        : '';
  return qiError(
    RedpandaErrors.REGISTRY,
    `Schema Registry ${url}${status ? ` answered ${status}` : ''} for subject ${subject}: ${message}${hint}`,
    { cause: e, context },
  );
}
