import type { SourceBatch } from '@qi/core';
import { RateLimiter } from '../src/index';
import type { StandIn } from '../src/testing/stand-in';
import { manualClock, readerFor, standIn } from './helpers';

/** Every window of `windowMs` holds at most `limit` of these start times. */
function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

describe('rate limiter (fake clock)', () => {
  it('lets at most `limit` starts into any window, and no fewer than it could', async () => {
    const clock = manualClock(0);
    const limiter = new RateLimiter(3, 60_000, clock);
    const starts: number[] = [];
    for (let i = 0; i < 10; i++) {
      await limiter.acquire();
      starts.push(clock.now());
    }
    expect(maxInAnyWindow(starts, 60_000)).toBe(3);
    expect(starts).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000, 120_000, 120_000, 180_000]);
  });

  it('serves concurrent waiters in order', async () => {
    const clock = manualClock(0);
    const limiter = new RateLimiter(2, 60_000, clock);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 5 }, (_, i) => limiter.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('a 429 pause holds back every caller', async () => {
    const clock = manualClock(0);
    const limiter = new RateLimiter(100, 60_000, clock);
    limiter.pauseUntil(30_000);
    await limiter.acquire();
    expect(clock.now()).toBe(30_000);
  });
});

describe('rate limiting against the stand-in', () => {
  let s: StandIn;
  const clock = manualClock();
  beforeAll(async () => {
    s = await standIn({ clock });
  });
  afterAll(() => s.close());
  beforeEach(() => s.reset());

  it.each([5, 12])(
    'a polling stream sends no more than %i requests per minute, retries of 429s included',
    async (perMinute) => {
      s.inject({ fault: { kind: 'rate-limit' }, path: '/simple/price', times: 3 });
      s.inject({ fault: { kind: 'server-error' }, path: '/global', times: 2 });
      const reader = readerFor(
        s,
        {
          rateLimitPerMinute: perMinute,
          intervalMs: 1_000,
          analyticsIntervalMs: 20_000,
          coins: ['bitcoin', 'ethereum'],
          ohlcv: { intervalMs: 30_000 },
        },
        { clock },
      );
      const controller = new AbortController();
      const batches: SourceBatch[] = [];
      for await (const b of reader.stream({ signal: controller.signal })) {
        batches.push(b);
        if (s.requests.length >= 60) break;
      }
      await reader.close();
      expect(
        maxInAnyWindow(
          s.requests.map((r) => r.at),
          60_000,
        ),
      ).toBe(perMinute);
      expect(s.requests.filter((r) => r.status === 429)).toHaveLength(3);
      expect(s.requests.filter((r) => r.status === 500)).toHaveLength(2);
      expect(batches.length).toBeGreaterThan(0);
    },
  );
});
