import { definePlugin, type RecordKind } from '@qi/core';
import { configSchema } from './config';
import { createCoinGeckoReader } from './reader';

export default definePlugin({
  name: '@qi/source-coingecko',
  kind: 'source',
  apiVersion: '^1.0.0',
  description:
    'CoinGecko API v3: prices, OHLC candles, global market analytics and tickers (public, Demo or Pro plan)',
  configSchema,
  // what the stream polls, as switched on in the config (qi validate warns on targets that cannot take it)
  produces: (c) =>
    [
      c.prices.enabled && 'price',
      c.ohlcv.enabled && 'ohlcv',
      c.analyticsIntervalMs > 0 && 'analytics',
      c.level1.enabled && 'level1',
    ].filter((k): k is RecordKind => k !== false),
  create: (config, ctx) => createCoinGeckoReader(config, ctx),
});

export { type ClientOptions, CoinGeckoClient } from './client';
export type { CoinGeckoConfig, CoinGeckoConfigInput, Plan, ResolvedConnection } from './config';
export {
  ATTRIBUTION,
  configSchema,
  DEFAULT_COINS,
  OHLC_DAYS,
  PLANS,
  resolveConnection,
  SOURCE,
} from './config';
export {
  candleLength,
  type Mapped,
  mapGlobal,
  mapMarkets,
  mapOhlc,
  mapSimplePrice,
  mapTickers,
} from './encoding';
export { CoinGeckoErrors, classifyError, parseRetryAfter } from './errors';
export { parseExactJson } from './json';
export { RateLimiter } from './rate-limiter';
export { CoinGeckoReaderHandler, createCoinGeckoReader, type ReaderOverrides } from './reader';
