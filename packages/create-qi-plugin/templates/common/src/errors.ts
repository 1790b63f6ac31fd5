import { type ErrorSpec, isQiError, type QiError, qiError } from '@qi/core';

/**
 * This plugin's error codes: one table, stable codes. @qi/core retries the
 * retryable ones (with backoff and a circuit breaker); `data` errors make the
 * writer isolate and dead-letter the bad records; the rest fail the batch.
 * TODO: replace the file-system cases with your technology's errors.
 */
export const PluginErrors = {
  UNAVAILABLE: { code: 'PLUGIN_UNAVAILABLE', category: 'unavailable', retryable: true },
  NETWORK: { code: 'PLUGIN_NETWORK', category: 'network', retryable: true },
  NOT_FOUND: { code: 'PLUGIN_NOT_FOUND', category: 'not-found', retryable: false },
  AUTH: { code: 'PLUGIN_AUTH', category: 'auth', retryable: false },
  DATA: { code: 'PLUGIN_DATA', category: 'data', retryable: false },
  NOT_SUPPORTED: { code: 'PLUGIN_NOT_SUPPORTED', category: 'not-supported', retryable: false },
  INTERNAL: { code: 'PLUGIN_INTERNAL', category: 'internal', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

const BY_ERRNO: Record<string, ErrorSpec> = {
  EAGAIN: PluginErrors.UNAVAILABLE,
  EBUSY: PluginErrors.UNAVAILABLE,
  EMFILE: PluginErrors.UNAVAILABLE,
  ENFILE: PluginErrors.UNAVAILABLE,
  ENOSPC: PluginErrors.UNAVAILABLE,
  ECONNREFUSED: PluginErrors.NETWORK,
  ECONNRESET: PluginErrors.NETWORK,
  ETIMEDOUT: PluginErrors.NETWORK,
  ENOENT: PluginErrors.NOT_FOUND,
  EACCES: PluginErrors.AUTH,
  EPERM: PluginErrors.AUTH,
};

/** Maps what the technology throws to a QiError; the original error stays as `cause`. */
export function classifyError(e: unknown): QiError {
  if (isQiError(e)) return e as QiError;
  const errno = (e as { code?: unknown }).code;
  const spec = (typeof errno === 'string' && BY_ERRNO[errno]) || PluginErrors.INTERNAL;
  return qiError(spec, e instanceof Error ? e.message : String(e), { cause: e, context: { errno } });
}
