import { CoreErrors, type QiError, qiError } from '../errors';
import { type Clock, realClock } from './clock';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** consecutive failed attempts that open the circuit */
  failureThreshold: number;
  /** how long the circuit stays open before one trial call is let through */
  resetTimeoutMs: number;
  /** successes in half-open needed to close again */
  successThreshold: number;
}

export const DEFAULT_BREAKER: BreakerOptions = {
  failureThreshold: 5,
  resetTimeoutMs: 10_000,
  successThreshold: 1,
};

/**
 * closed → (N consecutive failures) → open → (resetTimeout) → half-open →
 * success closes it, failure opens it again. While open, calls fail fast with a
 * retryable QI_BREAKER_OPEN carrying the time left, so the retrier waits it out.
 */
export class CircuitBreaker {
  private state_: BreakerState = 'closed';
  private failures = 0;
  private successes = 0;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(
    private readonly opts: BreakerOptions = DEFAULT_BREAKER,
    private readonly clock: Clock = realClock,
    private readonly onChange?: (state: BreakerState) => void,
  ) {}

  get state(): BreakerState {
    if (this.state_ === 'open' && this.clock.now() - this.openedAt >= this.opts.resetTimeoutMs)
      this.transition('half-open');
    return this.state_;
  }

  async execute<T>(fn: () => Promise<T>, classify: (e: unknown) => QiError): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) throw this.openError();
    const trial = state === 'half-open';
    if (trial) this.trialInFlight = true;
    try {
      const out = await fn();
      this.onSuccess();
      return out;
    } catch (e) {
      const error = classify(e);
      // Only service-side trouble counts; bad data says nothing about the service's health.
      if (error.retryable) this.onFailure();
      else if (trial) this.onSuccess();
      throw e;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private openError(): QiError {
    const left = Math.max(0, this.opts.resetTimeoutMs - (this.clock.now() - this.openedAt));
    return qiError(
      CoreErrors.BREAKER_OPEN,
      `circuit breaker is open after ${this.failures} consecutive failures; next trial in ${left} ms`,
      {
        retryAfterMs: Math.max(left, 1),
        context: { failures: this.failures },
      },
    );
  }

  private onSuccess(): void {
    this.failures = 0;
    if (this.state_ === 'half-open') {
      this.successes++;
      if (this.successes >= this.opts.successThreshold) this.transition('closed');
    }
  }

  private onFailure(): void {
    this.failures++;
    if (this.state_ === 'half-open' || this.failures >= this.opts.failureThreshold) {
      this.openedAt = this.clock.now();
      this.transition('open');
    }
  }

  private transition(to: BreakerState): void {
    if (this.state_ === to) return;
    this.state_ = to;
    this.successes = 0;
    try {
      this.onChange?.(to);
    } catch {
      // a failing listener never breaks a write
    }
  }
}
