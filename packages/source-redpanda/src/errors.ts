import { CoreErrors, type ErrorSpec, isQiError, type QiError, qiError } from '@qi/core';
import { classifyStreamingError } from '@qi/streaming';

/**
 * Codes of @qi/source-redpanda. Broker errors keep the transport's
 * QI_STREAMING_* codes; a message that cannot be decoded is core's QI_DECODE
 * (the runner dead-letters it at stage "decode"), one that decodes but does not
 * match its schema is core's QI_VALIDATION (stage "validation").
 */
export const SourceErrors = {
  DECODE: CoreErrors.DECODE,
  CONFIG: { code: 'QI_SOURCE_REDPANDA_CONFIG', category: 'config', retryable: false },
  COMMIT: { code: 'QI_SOURCE_REDPANDA_COMMIT', category: 'unavailable', retryable: false },
  NOT_FOUND: CoreErrors.NOT_FOUND,
  CLOSED: { code: 'QI_SOURCE_REDPANDA_CLOSED', category: 'programmer', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

export function classifySourceError(e: unknown): QiError {
  if (isQiError(e)) return e as QiError;
  return classifyStreamingError(e);
}

// Group-membership errors: the commit came from a generation that is over; the
// next assignment says which partitions are still ours. (Coordinator moves are
// plain retryable errors.)
const REJOIN = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'FENCED_INSTANCE_ID',
]);

/** Did a commit fail because the group is rebalancing (or this member's generation ended)? */
export function isRebalanceError(e: QiError): boolean {
  const names = e.context?.kafka;
  return Array.isArray(names) && names.some((n) => REJOIN.has(String(n)));
}

export function commitError(cause: QiError, offsets: unknown): QiError {
  return qiError(SourceErrors.COMMIT, `cannot commit consumer offsets: ${cause.message}`, {
    cause,
    context: { ...cause.context, offsets },
  });
}
