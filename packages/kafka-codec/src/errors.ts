import { type ErrorSpec, isQiError, NETWORK_ERRNOS, type QiError, qiError } from '@qi/core';

/**
 * Codes of the wire codec (`QI_KAFKA_CODEC_`, after the package, as every Qi code);
 * the Redpanda target's table spreads this one in, so its errors carry them too.
 */
export const CodecErrors = {
  ENCODE: { code: 'QI_KAFKA_CODEC_ENCODE', category: 'data', retryable: false },
  DECODE: { code: 'QI_KAFKA_CODEC_DECODE', category: 'data', retryable: false },
  SCHEMA_MISMATCH: { code: 'QI_KAFKA_CODEC_SCHEMA_MISMATCH', category: 'data', retryable: false },
  REGISTRY_UNAVAILABLE: { code: 'QI_KAFKA_CODEC_REGISTRY_UNAVAILABLE', category: 'network', retryable: true },
  REGISTRY: { code: 'QI_KAFKA_CODEC_REGISTRY', category: 'config', retryable: false },
  SCHEMA_INCOMPATIBLE: { code: 'QI_KAFKA_CODEC_SCHEMA_INCOMPATIBLE', category: 'config', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

export function encodeError(kind: string, e: unknown): QiError {
  return qiError(CodecErrors.ENCODE, `cannot encode ${kind} record: ${(e as Error).message}`, {
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
      CodecErrors.SCHEMA_INCOMPATIBLE,
      `Schema Registry refused the DSL schema for subject ${subject}: ${message}`,
      { cause: e, context },
    );
  // the client reports a refused connection as status 400 with the socket error's text
  if (
    (status !== undefined && status >= 500) ||
    ((status === undefined || status === 400) && NETWORK.test(message))
  )
    return qiError(
      CodecErrors.REGISTRY_UNAVAILABLE,
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
    CodecErrors.REGISTRY,
    `Schema Registry ${url}${status ? ` answered ${status}` : ''} for subject ${subject}: ${message}${hint}`,
    { cause: e, context },
  );
}
