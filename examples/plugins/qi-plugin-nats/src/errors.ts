import { type ErrorSpec, isQiError, type QiError, qiError } from '@qi/core';

/**
 * Stable codes of qi-plugin-nats. NATS errors are told apart by `name` and
 * JetStream API `code`, never by instanceof: the client may be loaded twice.
 */
export const NatsErrors = {
  CONNECTION: { code: 'NATS_CONNECTION', category: 'network', retryable: true },
  TIMEOUT: { code: 'NATS_TIMEOUT', category: 'network', retryable: true },
  AUTH: { code: 'NATS_AUTH', category: 'auth', retryable: false },
  PERMISSION: { code: 'NATS_PERMISSION', category: 'auth', retryable: false },
  NO_STREAM: { code: 'NATS_NO_STREAM', category: 'config', retryable: false },
  STREAM_CONFIG: { code: 'NATS_STREAM_CONFIG', category: 'config', retryable: false },
  TOO_LARGE: { code: 'NATS_MESSAGE_TOO_LARGE', category: 'data', retryable: false },
  BAD_SUBJECT: { code: 'NATS_BAD_SUBJECT', category: 'data', retryable: false },
  STREAM_FULL: { code: 'NATS_STREAM_FULL', category: 'unavailable', retryable: true },
  UNAVAILABLE: { code: 'NATS_UNAVAILABLE', category: 'unavailable', retryable: true },
  API: { code: 'NATS_API', category: 'internal', retryable: false },
  UNKNOWN: { code: 'NATS_UNKNOWN', category: 'internal', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

/** JetStream API error codes (nats-server's errors.json) that need their own treatment. */
const API = {
  STREAM_NOT_FOUND: 10059,
  NAME_IN_USE: 10058,
  SUBJECT_OVERLAP: 10065,
  MESSAGE_TOO_LARGE: 10054,
  MAX_MESSAGES: 10077,
  MAX_BYTES: 10078,
  INSUFFICIENT_RESOURCES: 10023,
  JETSTREAM_NOT_ENABLED: 10076,
  JETSTREAM_NOT_ENABLED_FOR_ACCOUNT: 10039,
} as const;

interface NatsLike {
  name?: string;
  message?: string;
  code?: unknown;
  status?: number;
  cause?: unknown;
}

/** Maps what the NATS client throws to a QiError; the original stays as `cause`. */
export function classifyNatsError(e: unknown, context: Record<string, unknown> = {}): QiError {
  if (isQiError(e)) return e as QiError;
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as NatsLike;
  const message = err.message ?? String(e);
  const make = (spec: ErrorSpec, text: string) =>
    qiError(spec, `nats: ${text}`, { cause: e, context: { ...context, natsError: err.name } });
  switch (err.name) {
    case 'ConnectionError':
    case 'ClosedConnectionError':
    case 'DrainingConnectionError':
      return make(NatsErrors.CONNECTION, message);
    case 'TimeoutError':
      return make(NatsErrors.TIMEOUT, `${message} (no ack from the stream in time)`);
    case 'AuthorizationError':
    case 'UserAuthenticationExpiredError':
      return make(NatsErrors.AUTH, message);
    case 'PermissionViolationError':
      return make(NatsErrors.PERMISSION, message);
    case 'InvalidSubjectError':
      return make(NatsErrors.BAD_SUBJECT, message);
    case 'InvalidArgumentError':
      // the client refuses a payload above the server's max_payload before sending it
      return make(/max_payload/.test(message) ? NatsErrors.TOO_LARGE : NatsErrors.API, message);
    case 'JetStreamNotEnabled':
    case 'NoResponders':
      // a publish nobody answers: no stream captures the subject, or JetStream is off
      return make(
        NatsErrors.NO_STREAM,
        `${message}: no JetStream stream captures the subject (was the stream deleted, or JetStream disabled?)`,
      );
    case 'RequestError': {
      const cause = err.cause as NatsLike | undefined;
      if (cause?.name) return classifyNatsError(cause, context);
      return make(NatsErrors.UNAVAILABLE, message);
    }
  }
  if (
    typeof err.code === 'number' &&
    (err.name === 'JetStreamApiError' ||
      err.name === 'StreamNotFoundError' ||
      err.name === 'ConsumerNotFoundError')
  ) {
    return classifyApiError(err.code, err.status, message, make);
  }
  if (
    typeof err.code === 'string' &&
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(err.code)
  ) {
    return make(NatsErrors.CONNECTION, message);
  }
  return make(NatsErrors.UNKNOWN, message);
}

function classifyApiError(
  code: number,
  status: number | undefined,
  message: string,
  make: (s: ErrorSpec, m: string) => QiError,
): QiError {
  switch (code) {
    case API.STREAM_NOT_FOUND:
    case API.JETSTREAM_NOT_ENABLED:
    case API.JETSTREAM_NOT_ENABLED_FOR_ACCOUNT:
      return make(NatsErrors.NO_STREAM, `${message} (JetStream code ${code})`);
    case API.NAME_IN_USE:
    case API.SUBJECT_OVERLAP:
      return make(NatsErrors.STREAM_CONFIG, `${message} (JetStream code ${code})`);
    case API.MESSAGE_TOO_LARGE:
      return make(NatsErrors.TOO_LARGE, `${message} (JetStream code ${code})`);
    case API.MAX_MESSAGES:
    case API.MAX_BYTES:
    case API.INSUFFICIENT_RESOURCES:
      return make(NatsErrors.STREAM_FULL, `${message} (JetStream code ${code})`);
  }
  // 503: the stream has no leader right now (cluster election); other statuses are bugs or config
  return make(
    status === 503 ? NatsErrors.UNAVAILABLE : NatsErrors.API,
    `${message} (JetStream code ${code})`,
  );
}
