import {
  type Clock,
  CoreErrors,
  type Logger,
  type QiError,
  qiError,
  type RetryPolicy,
  realClock,
  retry,
  silentLogger,
} from '@qi/core';
import { CoinGeckoErrors, classifyError, describeCause, errorFromResponse, scrub } from './errors';
import { parseExactJson } from './json';
import type { RateLimiter } from './rate-limiter';

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface ClientOptions {
  baseUrl: string;
  /** header carrying the key (plan demo or pro) */
  header?: string | undefined;
  apiKey?: string | undefined;
  timeoutMs: number;
  retry: Pick<RetryPolicy, 'maxAttempts' | 'initialDelayMs' | 'maxDelayMs'>;
  limiter: RateLimiter;
  clock?: Clock;
  logger?: Logger;
  /** the host's shutdown signal: aborts in-flight requests and waits */
  signal?: AbortSignal;
}

/**
 * CoinGecko over Node's fetch: rate-limited, with a timeout per attempt, retries
 * of 429 (honouring Retry-After), 5xx, timeouts and network errors, and never of
 * other 4xx. JSON is parsed without precision loss (numbers stay source text).
 */
export class CoinGeckoClient {
  private readonly closing = new AbortController();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly signal: AbortSignal;
  private readonly policy: RetryPolicy;
  lastOkAt: number | undefined;
  lastError: string | undefined;

  constructor(private readonly opts: ClientOptions) {
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? silentLogger();
    this.signal = opts.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    this.policy = { ...opts.retry, factor: 2, jitter: true };
  }

  /** GET `path` (e.g. "/simple/price") and return the parsed body. Throws a QiError. */
  async get(path: string, query: Query = {}, signal?: AbortSignal): Promise<unknown> {
    const all = signal ? AbortSignal.any([this.signal, signal]) : this.signal;
    const url = `${this.opts.baseUrl}${path}${queryString(query)}`;
    try {
      const body = await retry(() => this.attempt(url, path, all), classifyError, this.policy, {
        clock: this.clock,
        signal: all,
        onRetry: (e, attempt, delayMs) => this.onRetry(e, attempt, delayMs, path),
      });
      this.lastOkAt = this.clock.now();
      return body;
    } catch (e) {
      if (all.aborted)
        throw qiError(CoreErrors.ABORTED, `CoinGecko request to ${path} aborted`, { cause: e });
      const error = classifyError(e);
      this.lastError = error.message;
      throw error;
    }
  }

  /** Aborts every in-flight request and wait. */
  close(): void {
    this.closing.abort();
  }

  private async attempt(url: string, path: string, signal: AbortSignal): Promise<unknown> {
    await this.opts.limiter.acquire(signal);
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'qi-source-coingecko',
    };
    if (this.opts.header && this.opts.apiKey) headers[this.opts.header] = this.opts.apiKey;
    let status: number;
    let text: string;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.any([signal, timeout]) });
      status = res.status;
      text = await res.text();
    } catch (e) {
      if (signal.aborted)
        throw qiError(CoreErrors.ABORTED, `CoinGecko request to ${path} aborted`, { cause: e });
      if (timeout.aborted) {
        throw qiError(
          CoinGeckoErrors.TIMEOUT,
          `CoinGecko did not answer ${path} within ${this.opts.timeoutMs} ms`,
          { context: { path } },
        );
      }
      throw qiError(CoinGeckoErrors.NETWORK, `CoinGecko unreachable on ${path}: ${describeCause(e)}`, {
        context: { path },
        cause: e,
      });
    }
    text = scrub(text, this.opts.apiKey);
    if (status < 200 || status >= 300) {
      throw errorFromResponse({
        status,
        path,
        body: text,
        retryAfter: res.headers.get('retry-after'),
        contentType: res.headers.get('content-type'),
      });
    }
    try {
      return parseExactJson(text);
    } catch {
      throw qiError(
        CoinGeckoErrors.BAD_RESPONSE,
        `CoinGecko ${status} on ${path} is not JSON: ${text.slice(0, 120)}`,
        { context: { status, path } },
      );
    }
  }

  private onRetry(e: QiError, attempt: number, delayMs: number, path: string): void {
    // Everyone waits out a 429, not just this request: the limit is per key/IP.
    if (e.category === 'rate-limit') this.opts.limiter.pauseUntil(this.clock.now() + delayMs);
    this.logger.warn(
      { event: 'coingecko.retry', path, attempt, delayMs, code: e.code },
      `retrying ${path}: ${e.message}`,
    );
  }
}

/** ids stay comma-joined (not %2C) the way CoinGecko's docs write them. */
function queryString(query: Query): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    const value = Array.isArray(v)
      ? (v as readonly string[]).map(encodeURIComponent).join(',')
      : encodeURIComponent(String(v));
    parts.push(`${encodeURIComponent(k)}=${value}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
