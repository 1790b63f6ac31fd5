import type { Logger } from 'pino';
import { CoreErrors, qiError, toQiError } from '../errors';
import { err, type Result } from '../result';
import type { Clock } from '../workflow/clock';
import { backoffDelay, type RetryPolicy } from '../workflow/retry';

/** Default start timeout: long enough for a database or broker that is still booting. */
export const DEFAULT_START_TIMEOUT_MS = 300_000;

/** Backoff between start attempts: 1 s, 2 s, 4 s … capped at 30 s, with jitter. */
export const START_RETRY: RetryPolicy = {
  maxAttempts: 0,
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: true,
};

export interface StartOptions {
  /** give up after this long, ms; 0: keep trying until stopped */
  timeoutMs: number;
  clock: Clock;
  signal: AbortSignal;
  logger: Logger;
  onRetry?: () => void;
}

const secs = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * Calls a plugin's init() until it succeeds, fails with an error a retry cannot
 * fix, or the start timeout passes: a database or broker that is down or still
 * starting when `qi run` starts is waited for, one log line per attempt.
 */
export async function startWithRetry(
  what: string,
  init: () => Promise<Result<void>>,
  opts: StartOptions,
): Promise<Result<void>> {
  const { clock, timeoutMs } = opts;
  const deadline = clock.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    let r: Result<void>;
    try {
      r = await init();
    } catch (e) {
      r = err(toQiError(e));
    }
    if (r.ok || !r.error.retryable || opts.signal.aborted) return r;
    const left = timeoutMs > 0 ? deadline - clock.now() : Number.POSITIVE_INFINITY;
    if (left <= 0)
      return err(
        qiError(
          CoreErrors.START_TIMEOUT,
          `${what} did not start within the start timeout of ${secs(timeoutMs)} (${attempt} attempts; raise startTimeoutMs to wait longer): ${r.error.message}`,
          { cause: r.error, context: { attempts: attempt, lastError: r.error.code } },
        ),
      );
    const wait = Math.min(backoffDelay(START_RETRY, attempt), left);
    opts.logger.warn(
      {
        event: 'pipeline.start_retry',
        what,
        attempt,
        nextTryInMs: wait,
        code: r.error.code,
        err: r.error.message,
      },
      `${what} not ready (attempt ${attempt}): ${r.error.message}; next try in ${secs(wait)}`,
    );
    opts.onRetry?.();
    try {
      await clock.sleep(wait, opts.signal);
    } catch {
      return r;
    }
  }
}
