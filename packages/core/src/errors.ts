/**
 * Core's error table. Every error Qi produces is a QiError with a stable code,
 * a category and a retryable flag; plugins map their vendor's errors onto these
 * categories (see each plugin's errors.ts) and BaseWriter decides on retries from
 * `retryable` alone.
 */
export type ErrorCategory =
  | 'validation' // a record or a config value is wrong: fix the input
  | 'config' // the configuration cannot work
  | 'network' // connection refused/reset, DNS, timeouts
  | 'unavailable' // the service is up but refusing (shutdown, overloaded, 5xx, circuit open)
  | 'rate-limit' // throttled: try later
  | 'auth' // authentication or authorization failed
  | 'data' // the service rejected this data (constraint, too large, bad type)
  | 'not-found'
  | 'not-supported'
  | 'programmer' // a bug: never retried
  | 'internal';

export interface QiErrorShape {
  code: string;
  message: string;
  category: ErrorCategory;
  retryable: boolean;
  context?: Record<string, unknown>;
  cause?: unknown;
  /** A hint from the service, e.g. Retry-After, in milliseconds. */
  retryAfterMs?: number;
}

export class QiError extends Error implements QiErrorShape {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly context: Record<string, unknown>;
  readonly retryAfterMs?: number;

  constructor(shape: QiErrorShape) {
    super(shape.message, shape.cause === undefined ? undefined : { cause: shape.cause });
    this.name = 'QiError';
    this.code = shape.code;
    this.category = shape.category;
    this.retryable = shape.retryable;
    this.context = shape.context ?? {};
    if (shape.retryAfterMs !== undefined) this.retryAfterMs = shape.retryAfterMs;
  }

  toJSON(): Omit<QiErrorShape, 'cause'> {
    return {
      code: this.code,
      message: this.message,
      category: this.category,
      retryable: this.retryable,
      context: this.context,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

/** Stable codes of @qi/core. */
export const CoreErrors = {
  VALIDATION: { code: 'QI_VALIDATION', category: 'validation', retryable: false },
  DECODE: { code: 'QI_DECODE', category: 'validation', retryable: false },
  CONFIG: { code: 'QI_CONFIG', category: 'config', retryable: false },
  PLUGIN_NOT_FOUND: { code: 'QI_PLUGIN_NOT_FOUND', category: 'config', retryable: false },
  PLUGIN_INVALID: { code: 'QI_PLUGIN_INVALID', category: 'config', retryable: false },
  PLUGIN_API_MISMATCH: { code: 'QI_PLUGIN_API_MISMATCH', category: 'config', retryable: false },
  PLUGIN_KIND_MISMATCH: { code: 'QI_PLUGIN_KIND_MISMATCH', category: 'config', retryable: false },
  BREAKER_OPEN: { code: 'QI_BREAKER_OPEN', category: 'unavailable', retryable: true },
  RETRIES_EXHAUSTED: { code: 'QI_RETRIES_EXHAUSTED', category: 'unavailable', retryable: false },
  START_TIMEOUT: { code: 'QI_START_TIMEOUT', category: 'unavailable', retryable: false },
  TARGET_BEHIND: { code: 'QI_TARGET_BEHIND', category: 'unavailable', retryable: false },
  NOT_FOUND: { code: 'QI_NOT_FOUND', category: 'not-found', retryable: false },
  NOT_SUPPORTED: { code: 'QI_NOT_SUPPORTED', category: 'not-supported', retryable: false },
  CLOSED: { code: 'QI_CLOSED', category: 'programmer', retryable: false },
  ABORTED: { code: 'QI_ABORTED', category: 'unavailable', retryable: false },
  /** the built-in file source and target; category and retryable depend on the errno (see each classifier) */
  FILE: { code: 'QI_FILE', category: 'internal', retryable: false },
  /** the built-in stdout target: a write failed (EAGAIN is retried) */
  STDOUT: { code: 'QI_STDOUT', category: 'unavailable', retryable: false },
  STDOUT_CLOSED: { code: 'QI_STDOUT_CLOSED', category: 'unavailable', retryable: false },
  PROGRAMMER: { code: 'QI_PROGRAMMER', category: 'programmer', retryable: false },
  INTERNAL: { code: 'QI_INTERNAL', category: 'internal', retryable: false },
} as const satisfies Record<string, Pick<QiErrorShape, 'code' | 'category' | 'retryable'>>;

export type ErrorSpec = Pick<QiErrorShape, 'code' | 'category' | 'retryable'>;

/**
 * Node's errno codes for a connection that failed or dropped: every plugin's classifier
 * reads them as a `network` error, retryable. One list, so that a code added for one
 * client library counts for all of them.
 */
export const NETWORK_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function qiError(
  spec: ErrorSpec,
  message: string,
  extra: { context?: Record<string, unknown>; cause?: unknown; retryAfterMs?: number } = {},
): QiError {
  return new QiError({ ...spec, message, ...extra });
}

export function isQiError(e: unknown): e is QiError {
  return (
    e instanceof QiError ||
    (typeof e === 'object' &&
      e !== null &&
      typeof (e as QiError).code === 'string' &&
      typeof (e as QiError).retryable === 'boolean' &&
      typeof (e as QiError).category === 'string')
  );
}

/** Programmer errors (bugs) are never retried, whatever a plugin's classifier says. */
export function isProgrammerError(e: unknown): boolean {
  return (
    e instanceof TypeError ||
    e instanceof ReferenceError ||
    e instanceof SyntaxError ||
    e instanceof RangeError
  );
}

/** Last-resort conversion for errors no classifier recognised: not retryable. */
export function toQiError(e: unknown, fallback: ErrorSpec = CoreErrors.INTERNAL): QiError {
  if (isQiError(e)) return e as QiError;
  if (isProgrammerError(e)) return qiError(CoreErrors.PROGRAMMER, (e as Error).message, { cause: e });
  const message = e instanceof Error ? e.message : String(e);
  return qiError(fallback, message, { cause: e });
}
