import { definePlugin } from '@qi/core';
import { configSchema } from './config';
import { createCoinGeckoReader } from './reader';

export default definePlugin({
  name: '@qi/source-coingecko',
  kind: 'source',
  apiVersion: '^1.0.0',
  description: 'CoinGecko API v3: prices, OHLC candles, global market analytics and tickers (public, Demo or Pro plan)',
  configSchema,
  create: (config, ctx) => createCoinGeckoReader(config, ctx),
});

export { ATTRIBUTION, DEFAULT_COINS, OHLC_DAYS, PLANS, SOURCE, configSchema, resolveConnection } from './config';
export type { CoinGeckoConfig, CoinGeckoConfigInput, Plan, ResolvedConnection } from './config';
export { CoinGeckoClient, type ClientOptions } from './client';
export { CoinGeckoErrors, classifyError, parseRetryAfter } from './errors';
export { candleLength, mapGlobal, mapMarkets, mapOhlc, mapSimplePrice, mapTickers, type Mapped } from './encoding';
export { parseExactJson } from './json';
export { RateLimiter } from './rate-limiter';
export { CoinGeckoReaderHandler, createCoinGeckoReader, type ReaderOverrides } from './reader';
