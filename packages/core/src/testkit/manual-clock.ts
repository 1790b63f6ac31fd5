import type { Clock } from '../workflow/clock';

/** Lets every pending promise continuation run (no timers involved). */
const drain = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

export interface ManualClock extends Clock {
  /**
   * Moves time on by `ms`: every sleep due by then ends, in time order, each at its own
   * time, and what its continuation schedules within the window ends too.
   */
  advance(ms: number): Promise<void>;
  /** sleeps not yet ended */
  readonly sleeping: number;
}

/**
 * A `Clock` that moves only when the test says: retries, backoffs, batching windows and
 * idle timeouts of code that takes a clock run without real waiting. It starts at a
 * real-looking epoch, so code that mixed it with Date.now() computes nonsense a test sees.
 */
export function manualClock(start = Date.parse('2026-01-01T00:00:00Z')): ManualClock {
  let now = start;
  const sleepers = new Set<{ at: number; wake: () => void }>();
  return {
    now: () => now,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const s = {
          at: now + ms,
          wake: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers.delete(s);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.add(s);
      });
    },
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        await drain();
        let due: { at: number; wake: () => void } | undefined;
        for (const s of sleepers) if (s.at <= target && (!due || s.at < due.at)) due = s;
        if (!due) break;
        sleepers.delete(due);
        now = due.at;
        due.wake();
      }
      now = target;
      await drain();
    },
    get sleeping() {
      return sleepers.size;
    },
  };
}
