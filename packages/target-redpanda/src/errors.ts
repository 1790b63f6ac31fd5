import { type ErrorSpec, isQiError, type QiError, qiError } from '@qi/core';
import { classifyStreamingError } from '@qi/streaming';

/** Codes of @qi/target-redpanda; broker errors keep the transport's QI_STREAMING_* codes. */
export const RedpandaErrors = {
  ENCODE: { code: 'QI_REDPANDA_ENCODE', category: 'data', retryable: false },
  DECODE: { code: 'QI_REDPANDA_DECODE', category: 'data', retryable: false },
  SCHEMA_MISMATCH: { code: 'QI_REDPANDA_SCHEMA_MISMATCH', category: 'data', retryable: false },
  TOPIC: { code: 'QI_REDPANDA_TOPIC', category: 'config', retryable: false },
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
