import { type Clock, realClock } from '@qi/core';

/**
 * Sliding-window limiter: at most `limit` request starts in any `windowMs`.
 * CoinGecko counts every request against the per-minute limit (errors and
 * retries included), so every attempt goes through here. Waiters are served in
 * order; a 429 pauses everyone, not just the request that got it.
 */
export class RateLimiter {
  private readonly starts: number[] = [];
  private tail: Promise<void> = Promise.resolve();
  private pausedUntil = 0;

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
    private readonly clock: Clock = realClock,
  ) {
    if (!(limit >= 1)) throw new RangeError(`rate limit must be >= 1, got ${limit}`);
  }

  /** Resolves when a request may start; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.tail.then(() => this.waitForSlot(signal));
    this.tail = turn.catch(() => undefined);
    if (!signal) return turn;
    // A waiter queued behind others must still give up at once when aborted.
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      turn.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** After a 429: nobody starts before `until` (clock ms). */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  private async waitForSlot(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      while (this.starts.length > 0 && this.starts[0]! <= now - this.windowMs) this.starts.shift();
      const full = this.starts.length >= this.limit ? this.starts[0]! + this.windowMs - now : 0;
      const wait = Math.max(full, this.pausedUntil - now);
      if (wait <= 0) {
        this.starts.push(now);
        return;
      }
      await this.clock.sleep(wait, signal);
    }
  }
}
