import { CoreErrors, isProgrammerError, type QiError, qiError } from '../errors';
import { type Clock, realClock } from './clock';

export interface RetryPolicy {
  /** total attempts including the first; 0 means unlimited */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /**
   * "equal jitter": the delay is random in [computed / 2, computed], so retries of many
   * clients spread out while none comes back sooner than half the backoff
   */
  jitter: boolean;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 10,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: true,
};

export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1));
  return policy.jitter ? Math.round(base * (0.5 + random() / 2)) : base;
}

export interface RetryHooks {
  onRetry?(error: QiError, attempt: number, delayMs: number): void;
  /**
   * The wait before the next attempt, given the backoff the policy computed: for an error
   * whose next attempt waits for something else (a consumer group's new assignment), 0.
   */
  delay?(error: QiError, attempt: number, backoffMs: number): number;
  /**
   * Errors that mean "wait, the destination is down" rather than "this attempt
   * failed" (an open circuit breaker): they wait their `retryAfterMs` and do not
   * use up an attempt, so an outage of any length is waited out.
   */
  isPause?(error: QiError): boolean;
  onPause?(error: QiError, delayMs: number): void;
}

/**
 * Runs `fn` until it succeeds, the error is not retryable, or attempts run out.
 * `classify` turns thrown values into QiErrors; programmer errors (TypeError …)
 * are never retried. When attempts run out, the error says how many were made.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  classify: (e: unknown) => QiError,
  policy: RetryPolicy = DEFAULT_RETRY,
  opts: RetryHooks & { clock?: Clock; signal?: AbortSignal; random?: () => number } = {},
): Promise<T> {
  const clock = opts.clock ?? realClock;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (isProgrammerError(e)) throw qiError(CoreErrors.PROGRAMMER, (e as Error).message, { cause: e });
      const error = classify(e);
      if (!error.retryable) throw error;
      if (opts.isPause?.(error)) {
        if (opts.signal?.aborted) throw error;
        const delay = Math.max(1, error.retryAfterMs ?? policy.initialDelayMs);
        opts.onPause?.(error, delay);
        try {
          await clock.sleep(delay, opts.signal);
        } catch {
          throw error;
        }
        attempt--;
        continue;
      }
      if (policy.maxAttempts > 0 && attempt >= policy.maxAttempts) {
        throw qiError(CoreErrors.RETRIES_EXHAUSTED, `gave up after ${attempt} attempts: ${error.message}`, {
          cause: error,
          context: { attempts: attempt, lastError: error.code, lastCategory: error.category },
        });
      }
      if (opts.signal?.aborted) throw error;
      let delay = backoffDelay(policy, attempt, opts.random);
      if (error.retryAfterMs !== undefined)
        delay = Math.min(
          Math.max(delay, error.retryAfterMs),
          Math.max(policy.maxDelayMs, error.retryAfterMs),
        );
      if (opts.delay) delay = opts.delay(error, attempt, delay);
      opts.onRetry?.(error, attempt, delay);
      try {
        await clock.sleep(delay, opts.signal);
      } catch {
        throw error;
      }
    }
  }
}
