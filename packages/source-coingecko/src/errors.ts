import { CoreErrors, type ErrorSpec, isQiError, type QiError, qiError, toQiError } from '@qi/core';
import { isObject, parseExactJson } from './json';

/** Stable codes of @qi/source-coingecko. */
export const CoinGeckoErrors = {
  RATE_LIMITED: { code: 'QI_SOURCE_COINGECKO_RATE_LIMITED', category: 'rate-limit', retryable: true },
  UNAVAILABLE: { code: 'QI_SOURCE_COINGECKO_UNAVAILABLE', category: 'unavailable', retryable: true },
  TIMEOUT: { code: 'QI_SOURCE_COINGECKO_TIMEOUT', category: 'network', retryable: true },
  NETWORK: { code: 'QI_SOURCE_COINGECKO_NETWORK', category: 'network', retryable: true },
  BAD_RESPONSE: { code: 'QI_SOURCE_COINGECKO_BAD_RESPONSE', category: 'unavailable', retryable: true },
  UNEXPECTED_SHAPE: { code: 'QI_SOURCE_COINGECKO_UNEXPECTED_SHAPE', category: 'data', retryable: false },
  KEY_MISSING: { code: 'QI_SOURCE_COINGECKO_KEY_MISSING', category: 'auth', retryable: false },
  AUTH: { code: 'QI_SOURCE_COINGECKO_AUTH', category: 'auth', retryable: false },
  PLAN_RESTRICTED: { code: 'QI_SOURCE_COINGECKO_PLAN_RESTRICTED', category: 'auth', retryable: false },
  WRONG_HOST: { code: 'QI_SOURCE_COINGECKO_WRONG_HOST', category: 'config', retryable: false },
  NOT_FOUND: { code: 'QI_SOURCE_COINGECKO_NOT_FOUND', category: 'not-found', retryable: false },
  BAD_REQUEST: { code: 'QI_SOURCE_COINGECKO_BAD_REQUEST', category: 'validation', retryable: false },
  CONFIG: { code: 'QI_SOURCE_COINGECKO_CONFIG', category: 'config', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

const HINTS: Record<number, string> = {
  10002: 'set apiKey (or COINGECKO_API_KEY) and plan "demo" or "pro"',
  10005:
    'this endpoint or parameter is not available on your plan (e.g. interval=hourly/daily or days=max need a paid plan)',
  10010:
    'this is a Pro key: set plan "pro" (host pro-api.coingecko.com), or remove baseUrl/COINGECKO_BASE_URL pointing at api.coingecko.com',
  10011:
    'this is a Demo key: set plan "demo" (host api.coingecko.com), or remove baseUrl/COINGECKO_BASE_URL pointing at pro-api.coingecko.com',
};

/** CoinGecko's error code and text from any of its three body shapes (or null for HTML and other bodies). */
export function readErrorBody(text: string): { cgCode?: number; cgMessage?: string } {
  let body: unknown;
  try {
    body = parseExactJson(text);
  } catch {
    return {};
  }
  if (!isObject(body)) return {};
  const status = isObject(body.status) ? body.status : {};
  const code = Number(status.error_code ?? body.error_code);
  const message = status.error_message ?? body.error ?? body.message;
  return {
    ...(Number.isFinite(code) ? { cgCode: code } : {}),
    ...(typeof message === 'string' ? { cgMessage: message } : {}),
  };
}

/** A Retry-After beyond this is treated as this long: a sanity bound, not a policy. */
export const MAX_RETRY_AFTER_MS = 600_000;

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value.trim());
  const at = Number.isFinite(s) ? now + s * 1000 : Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
}

export interface HttpFailure {
  status: number;
  path: string;
  body: string;
  retryAfter: string | null;
  contentType: string | null;
}

/** One HTTP error response → a QiError carrying CoinGecko's own code and message. */
export function errorFromResponse(f: HttpFailure): QiError {
  const { cgCode, cgMessage } = readErrorBody(f.body);
  const html =
    !cgMessage && /html/i.test(f.contentType ?? '')
      ? ' (an HTML page, not the API: a CDN or firewall answered)'
      : '';
  const what = cgMessage ?? (html ? '' : f.body.slice(0, 200));
  const hint = cgCode !== undefined ? HINTS[cgCode] : undefined;
  const message = `CoinGecko ${f.status}${cgCode !== undefined && cgCode !== f.status ? ` (code ${cgCode})` : ''} on ${f.path}: ${what}${html}${hint ? ` — ${hint}` : ''}`;
  const context = { status: f.status, path: f.path, ...(cgCode !== undefined ? { cgCode } : {}) };
  const spec = specFor(f.status, cgCode);
  const retryAfterMs = f.status === 429 ? parseRetryAfter(f.retryAfter) : undefined;
  return qiError(spec, message, { context, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
}

function specFor(status: number, cgCode: number | undefined): ErrorSpec {
  if (cgCode === 10002) return CoinGeckoErrors.KEY_MISSING;
  if (cgCode === 10005) return CoinGeckoErrors.PLAN_RESTRICTED;
  if (cgCode === 10010 || cgCode === 10011) return CoinGeckoErrors.WRONG_HOST;
  if (status === 429) return CoinGeckoErrors.RATE_LIMITED;
  if (status === 408 || status >= 500) return CoinGeckoErrors.UNAVAILABLE;
  if (status === 401 || status === 403) return CoinGeckoErrors.AUTH;
  if (status === 404) return CoinGeckoErrors.NOT_FOUND;
  return CoinGeckoErrors.BAD_REQUEST;
}

/** Anything thrown inside the plugin → QiError. */
export function classifyError(e: unknown): QiError {
  if (isQiError(e)) return e as QiError;
  // Duck-typed: errors from fetch come from Node's realm, which instanceof misses under test runners.
  const { name, message } = (e ?? {}) as { name?: unknown; message?: unknown };
  if (name === 'AbortError' || name === 'TimeoutError')
    return qiError(CoreErrors.ABORTED, 'CoinGecko request aborted', { cause: e });
  if (name === 'TypeError' && message === 'fetch failed') {
    return qiError(CoinGeckoErrors.NETWORK, `CoinGecko unreachable: ${describeCause(e)}`, { cause: e });
  }
  return toQiError(e);
}

/** The useful part of a fetch failure: ECONNREFUSED, ENOTFOUND, … rather than "fetch failed". */
export function describeCause(e: unknown): string {
  const err = (e ?? {}) as { message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const cause = err.cause;
  const text = [cause?.code, cause?.message, err.message].find((v) => typeof v === 'string' && v !== '');
  return (text as string | undefined) ?? String(e);
}

/** The key never leaves the process: scrub it from any text that might echo it. */
export function scrub(text: string, secretValue: string | undefined): string {
  return secretValue ? text.split(secretValue).join('[redacted]') : text;
}
