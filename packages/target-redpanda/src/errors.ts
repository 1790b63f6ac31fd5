import { type ErrorSpec, isQiError, type QiError } from '@qi/core';
import { CodecErrors } from '@qi/kafka-codec';
import { classifyStreamingError } from '@qi/streaming';

/**
 * Codes of @qi/target-redpanda: the wire codec's (encode, decode, Schema Registry)
 * and its own; broker errors keep the transport's QI_STREAMING_* codes.
 */
export const RedpandaErrors = {
  ...CodecErrors,
  TOPIC: { code: 'QI_TARGET_REDPANDA_TOPIC', category: 'config', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

/**
 * Retriable broker errors retry, auth fails fast, a record too large is `data`
 * (BaseWriter then bisects the batch and dead-letters that record alone).
 */
export function classifyRedpandaError(e: unknown): QiError {
  if (isQiError(e)) return e as QiError;
  return classifyStreamingError(e);
}
