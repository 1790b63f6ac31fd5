import { secret } from '@qi/core';
import { z } from 'zod';

/** The three ways to reach CoinGecko: each has its own host, key header and a conservative default rate. */
export const PLANS = {
  public: { baseUrl: 'https://api.coingecko.com/api/v3', header: undefined, rateLimitPerMinute: 10 },
  demo: { baseUrl: 'https://api.coingecko.com/api/v3', header: 'x-cg-demo-api-key', rateLimitPerMinute: 30 },
  pro: {
    baseUrl: 'https://pro-api.coingecko.com/api/v3',
    header: 'x-cg-pro-api-key',
    rateLimitPerMinute: 500,
  },
} as const;
export type Plan = keyof typeof PLANS;

export const DEFAULT_COINS = ['bitcoin', 'ethereum', 'solana', 'ripple', 'dogecoin'];
/** `days` values CoinGecko's /coins/{id}/ohlc accepts; the candle length follows from them. */
export const OHLC_DAYS = ['1', '7', '14', '30', '90', '180', '365', 'max'] as const;
export const ATTRIBUTION = 'Data provided by CoinGecko';
export const SOURCE = 'coingecko';

const ms = (description: string, def: number) => z.number().int().min(0).default(def).describe(description);

export const configSchema = z.strictObject({
  plan: z
    .enum(['public', 'demo', 'pro'])
    .optional()
    .describe(
      'API plan: public (no key), demo (x-cg-demo-api-key on api.coingecko.com) or pro (x-cg-pro-api-key on pro-api.coingecko.com); default demo when a key is set, else public',
    ),
  apiKey: secret(z.string().min(1))
    .optional()
    .describe('Demo or Pro API key; falls back to the COINGECKO_API_KEY environment variable. Never logged'),
  baseUrl: z
    .url()
    .optional()
    .describe(
      "API root, e.g. http://127.0.0.1:8787/api/v3; precedence: this field, then COINGECKO_BASE_URL, then the plan's host",
    ),
  coins: z
    .array(z.string().min(1))
    .min(1)
    .default(DEFAULT_COINS)
    .describe('CoinGecko coin ids (not symbols), e.g. ["bitcoin","ethereum"]'),
  vsCurrencies: z
    .array(z.string().min(1))
    .min(1)
    .default(['usd'])
    .describe('quote currencies, e.g. ["usd","eur"]'),
  intervalMs: z.number().int().min(1).default(30_000).describe('how often the stream polls prices, ms'),
  analyticsIntervalMs: ms('how often the stream reads /global market analytics, ms; 0 disables', 600_000),
  prices: z
    .strictObject({
      enabled: z.boolean().default(true).describe('stream current prices'),
      endpoint: z
        .enum(['simple', 'markets'])
        .default('simple')
        .describe(
          'simple: /simple/price (one request per 250 coins); markets: /coins/markets (paged, also gives symbols)',
        ),
      perPage: z
        .number()
        .int()
        .min(1)
        .max(250)
        .default(250)
        .describe('page size for /coins/markets (CoinGecko allows 1..250)'),
    })
    .prefault({})
    .describe('price stream'),
  ohlcv: z
    .strictObject({
      enabled: z.boolean().default(true).describe('stream closed OHLC candles'),
      days: z
        .enum(OHLC_DAYS)
        .default('1')
        .describe('history window; sets the candle length: 1 → 30m, 7–30 → 4h, 90+ → 4d'),
      intervalMs: ms(
        'how often candles are read per coin and currency, ms (CoinGecko updates them every 15 min)',
        900_000,
      ),
    })
    .prefault({})
    .describe('OHLC candle stream (one request per coin and currency)'),
  level1: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          'stream tickers as level1 records (no bid/ask: CoinGecko gives last price and spread only)',
        ),
      intervalMs: ms(
        'how often tickers are read per coin, ms (CoinGecko refreshes them every 2 min)',
        120_000,
      ),
      exchanges: z
        .array(z.string().min(1))
        .optional()
        .describe('only tickers from these exchange ids, e.g. ["binance","kraken"]'),
    })
    .prefault({})
    .describe('ticker stream from /coins/{id}/tickers (first page, 100 tickers per coin)'),
  rateLimitPerMinute: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'requests per minute this source sends at most, retries included; default by plan: public 10, demo 30, pro 500',
    ),
  timeoutMs: z.number().int().min(1).default(10_000).describe('timeout of one HTTP request, ms'),
  retry: z
    .strictObject({
      maxAttempts: z
        .number()
        .int()
        .min(1)
        .default(5)
        .describe('attempts per request including the first (429, 5xx, timeouts, network errors)'),
      initialDelayMs: z
        .number()
        .int()
        .min(1)
        .default(1_000)
        .describe('first backoff delay when no Retry-After is given, ms'),
      maxDelayMs: z
        .number()
        .int()
        .min(1)
        .default(60_000)
        .describe('longest backoff delay, ms (a Retry-After is honoured up to 10 min)'),
    })
    .prefault({})
    .describe('retries of one request'),
});

export type CoinGeckoConfig = z.output<typeof configSchema>;
export type CoinGeckoConfigInput = z.input<typeof configSchema>;

export interface ResolvedConnection {
  plan: Plan;
  baseUrl: string;
  header: string | undefined;
  apiKey: string | undefined;
  rateLimitPerMinute: number;
}

/**
 * Plan, host, key and rate from config and environment. Explicit config wins
 * over the environment, which wins over the plan's defaults.
 */
export function resolveConnection(
  config: CoinGeckoConfig,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConnection {
  const apiKey = config.apiKey ?? (env.COINGECKO_API_KEY || undefined);
  const plan: Plan = config.plan ?? (apiKey ? 'demo' : 'public');
  const spec = PLANS[plan];
  if (plan !== 'public' && !apiKey) {
    throw new Error(`plan "${plan}" needs an API key: set apiKey in the config or COINGECKO_API_KEY`);
  }
  const baseUrl = (config.baseUrl ?? (env.COINGECKO_BASE_URL || spec.baseUrl)).replace(/\/+$/, '');
  return {
    plan,
    baseUrl,
    header: spec.header,
    apiKey: plan === 'public' ? undefined : apiKey,
    rateLimitPerMinute: config.rateLimitPerMinute ?? spec.rateLimitPerMinute,
  };
}
