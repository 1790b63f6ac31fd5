import {
  type Clock,
  CoreErrors,
  type Logger,
  type QiError,
  type SourceBatch,
  type StreamOptions,
} from '@qi/core';
import type { CoinGeckoConfig } from './config';
import { candleLength, type Mapped } from './encoding';
import { classifyError } from './errors';
import { StreamState } from './stream-state';

/** What the loop needs of the reader handler, declared here so that this file does not import reader.ts (which imports this one). */
export interface PollSource {
  readonly config: CoinGeckoConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  fetchPrices(
    coinIds: readonly string[],
    vsCurrencies: readonly string[],
    signal?: AbortSignal,
  ): Promise<Mapped>;
  fetchAnalytics(vsCurrency: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
  fetchOhlc(
    coinId: string,
    vsCurrency: string,
    days: string | number,
    interval?: string,
    signal?: AbortSignal,
  ): Promise<Mapped>;
  fetchTickers(coinId: string, exchanges?: readonly string[], signal?: AbortSignal): Promise<Mapped>;
}

type Part = 'prices' | 'analytics' | 'ohlcv' | 'level1';

/**
 * The polling loop. Each cycle runs the parts that are due (prices every
 * `intervalMs`, the others on their own intervals) and yields one batch per
 * part holding only what is new: prices whose last_updated moved on, candles
 * that have closed and were not emitted before, analytics and tickers with a
 * newer timestamp. Transient failures skip the part until the next cycle
 * (logged, and reported so /healthz sees a source that keeps failing); auth
 * and config errors end the stream, since polling cannot fix them.
 */
export async function* pollStream(h: PollSource, options: StreamOptions): AsyncGenerator<SourceBatch> {
  const { config, clock, logger } = h;
  const signal = AbortSignal.any([h.signal, options.signal]);
  const state = new StreamState();
  const nextAt: Record<Part, number> = { prices: 0, analytics: 0, ohlcv: 0, level1: 0 };
  const every: Record<Part, number> = {
    prices: config.prices.enabled ? config.intervalMs : 0,
    analytics: config.analyticsIntervalMs,
    ohlcv: config.ohlcv.enabled ? config.ohlcv.intervalMs : 0,
    level1: config.level1.enabled ? config.level1.intervalMs : 0,
  };
  const run: Record<Part, () => Promise<Mapped>> = {
    prices: async () => {
      const fetched = await h.fetchPrices(config.coins, config.vsCurrencies, signal);
      warnUnknownCoins(fetched);
      return state.newPrices(fetched);
    },
    analytics: async () => {
      const records = [];
      for (const cur of config.vsCurrencies) records.push(await h.fetchAnalytics(cur, signal));
      return state.newAnalytics({ records, invalid: [] });
    },
    ohlcv: () =>
      eachCoin('ohlcv', async (coin, cur) => {
        const m = await h.fetchOhlc(coin, cur, config.ohlcv.days, undefined, signal);
        return state.closedCandles(m, candleLength(config.ohlcv.days).ms, clock.now());
      }),
    level1: () =>
      eachCoin(
        'level1',
        async (coin) => state.newTickers(await h.fetchTickers(coin, config.level1.exchanges, signal)),
        false,
      ),
  };

  /** An id CoinGecko does not know is simply absent from a price answer (no error): say so, once per coin. */
  function warnUnknownCoins(m: Mapped): void {
    const seen = new Set<unknown>(m.records.map((r) => r.coin_id));
    for (const i of m.invalid) {
      const r = i.record as { coin_id?: unknown; id?: unknown } | null;
      seen.add(r?.coin_id ?? r?.id);
    }
    for (const coin of config.coins)
      if (!seen.has(coin) && state.firstTime(`missing:prices:${coin}`))
        logger.warn(
          { event: 'coingecko.coin.missing', part: 'prices', coin },
          `CoinGecko returned no price for coin id "${coin}": check the id in coins (CoinGecko API ids such as "bitcoin", not symbols such as "BTC"; all ids: GET /coins/list)`,
        );
  }

  /** One request per coin (and currency): a coin CoinGecko does not know is skipped, like /simple/price does. */
  async function eachCoin(
    part: Part,
    fetchOne: (coin: string, cur: string) => Promise<Mapped>,
    perCurrency = true,
  ): Promise<Mapped> {
    const out: Mapped = { records: [], invalid: [] };
    for (const coin of config.coins) {
      for (const cur of perCurrency ? config.vsCurrencies : ['-']) {
        try {
          const m = await fetchOne(coin, cur);
          out.records.push(...m.records);
          out.invalid.push(...m.invalid);
        } catch (e) {
          const error = classifyError(e);
          if (error.category !== 'not-found' || signal.aborted) throw e;
          if (state.firstTime(`missing:${part}:${coin}`))
            logger.warn({ event: 'coingecko.coin.missing', part, coin }, error.message);
        }
      }
    }
    return out;
  }

  for (let cycle = 1; !signal.aborted; cycle++) {
    for (const part of ['prices', 'analytics', 'ohlcv', 'level1'] as const) {
      const now = clock.now();
      if (every[part] <= 0 || now < nextAt[part]) continue;
      let batch: Mapped;
      try {
        batch = await run[part]();
      } catch (e) {
        if (signal.aborted) return;
        const error = classifyError(e);
        const retrying = !options.once && isTransient(error);
        options.report?.failed(error, { retrying });
        if (!retrying) throw error;
        logger.warn(
          { event: 'coingecko.poll.failed', part, cycle, code: error.code },
          `CoinGecko ${part} poll failed, retrying next cycle: ${error.message}`,
        );
        continue;
      }
      options.report?.read();
      nextAt[part] = now + every[part];
      const invalid = batch.invalid.filter((i) => state.firstTime(`invalid:${i.error.message}`));
      if (batch.records.length > 0 || invalid.length > 0)
        yield { records: batch.records, invalid, position: { cycle, part } };
    }
    if (options.once || signal.aborted) return;
    try {
      await clock.sleep(config.intervalMs, signal);
    } catch {
      return;
    }
  }
}

function isTransient(e: QiError): boolean {
  return (
    e.retryable ||
    e.code === CoreErrors.RETRIES_EXHAUSTED.code ||
    ['rate-limit', 'unavailable', 'network'].includes(e.category)
  );
}
