import type { Clock, Logger } from '@qi/core';
import { testContext } from '@qi/core/testkit';
import { type CoinGeckoConfigInput, createCoinGeckoReader } from '../src/index';
import { type StandIn, type StandInOptions, startStandIn } from '../src/testing/stand-in';

/** 2027-01-15T08:00:00Z: a multiple of every stand-in period, so the stand-in serves its base figures exactly. */
export const T0 = 1_800_000_000_000;

/** A clock tests move by hand; sleeping advances it at once and records the delay. */
export interface ManualClock extends Clock {
  t: number;
  sleeps: number[];
  /** called on every sleep, before time moves (e.g. to abort) */
  onSleep?: (ms: number) => void;
}

export function manualClock(start = T0): ManualClock {
  const clock: ManualClock = {
    t: start,
    sleeps: [],
    now: () => clock.t,
    sleep: async (ms, signal) => {
      clock.onSleep?.(ms);
      signal?.throwIfAborted();
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

/** A stand-in on a free port, following `clock` when given. */
export function standIn(opts: StandInOptions & { clock?: Clock } = {}): Promise<StandIn> {
  const { clock, ...rest } = opts;
  return startStandIn({ ...(clock ? { now: () => clock.now() } : {}), ...rest });
}

/** A reader pointed at the stand-in; no environment leaks in from the machine. */
export function readerFor(
  s: StandIn,
  config: CoinGeckoConfigInput = {},
  o: { clock?: Clock; signal?: AbortSignal; env?: NodeJS.ProcessEnv; logger?: Logger } = {},
) {
  return createCoinGeckoReader(
    { baseUrl: s.url, rateLimitPerMinute: 10_000, ...config },
    testContext({
      name: 'coingecko',
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
    }),
    { env: o.env ?? {}, ...(o.clock ? { clock: o.clock } : {}) },
  );
}
