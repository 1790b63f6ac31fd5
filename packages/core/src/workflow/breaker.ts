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

/** How long callers wait while another caller's trial is in flight. */
const TRIAL_WAIT_MS = 1000;

/**
 * closed → (N consecutive failures) → open → (resetTimeout) → half-open →
 * success closes it, failure opens it again. While open, calls fail fast with a
 * retryable QI_BREAKER_OPEN carrying the time left, so the retrier waits it out;
 * a failed trial is reported as QI_BREAKER_OPEN too (its cause is the trial's
 * error): the target is still down, which is not the batch's fault, so a
 * retrier can tell an outage from a failing batch by the code alone.
 */
export class CircuitBreaker {
  private state_: BreakerState = 'closed';
  private failures = 0;
  private successes = 0;
  private openedAt = 0;
  /** when the circuit last left `closed`: an outage's start, kept across failed trials */
  private downSince: number | undefined;
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

  /** Epoch ms since which the circuit has not been closed (open or half-open), undefined while closed. */
  get notClosedSince(): number | undefined {
    return this.downSince;
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
      if (trial && error.retryable) throw this.openError(error);
      throw e;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private openError(trialError?: QiError): QiError {
    if (this.state_ === 'half-open')
      return qiError(CoreErrors.BREAKER_OPEN, 'circuit breaker is half-open: waiting for the trial call', {
        retryAfterMs: Math.min(TRIAL_WAIT_MS, this.opts.resetTimeoutMs),
        context: { failures: this.failures },
      });
    const left = Math.max(0, this.opts.resetTimeoutMs - (this.clock.now() - this.openedAt));
    const why = trialError
      ? `trial call failed (${trialError.code}: ${trialError.message})`
      : `open after ${this.failures} consecutive failures`;
    return qiError(CoreErrors.BREAKER_OPEN, `circuit breaker ${why}; next trial in ${left} ms`, {
      retryAfterMs: Math.max(left, 1),
      context: { failures: this.failures },
      ...(trialError ? { cause: trialError } : {}),
    });
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
    if (to === 'closed') this.downSince = undefined;
    else this.downSince ??= this.clock.now();
    try {
      this.onChange?.(to);
    } catch {
      // a failing listener never breaks a write
    }
  }
}
