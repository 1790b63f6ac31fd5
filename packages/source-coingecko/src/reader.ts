import {
  BaseReader,
  type Clock,
  type Level1Query,
  type Logger,
  type OhlcvQuery,
  type PluginContext,
  qiError,
  type ReaderHandler,
  realClock,
  type StreamOptions,
} from '@qi/core';
import { CoinGeckoClient } from './client';
import { type CoinGeckoConfig, type CoinGeckoConfigInput, configSchema, resolveConnection } from './config';
import {
  candleLength,
  type Mapped,
  mapGlobal,
  mapMarkets,
  mapOhlc,
  mapSimplePrice,
  mapTickers,
} from './encoding';
import { CoinGeckoErrors, classifyError } from './errors';
import { RateLimiter } from './rate-limiter';
import { type PollSource, pollStream } from './stream';

/** Ids per request: keeps URLs short; CoinGecko's /coins/markets pages hold at most 250. */
const IDS_PER_REQUEST = 250;

const chunks = <T>(xs: readonly T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

/** The ReaderHandler BaseReader calls: point queries over the client, and the polling stream. */
export class CoinGeckoReaderHandler implements ReaderHandler, PollSource {
  /** coin id → symbol; /simple/price does not return symbols */
  private readonly symbols = new Map<string, string>();

  constructor(
    readonly client: CoinGeckoClient,
    readonly config: CoinGeckoConfig,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly signal: AbortSignal,
    private readonly describe: Record<string, unknown>,
  ) {}

  async getCurrentPrices(coinIds: readonly string[], vsCurrency: string): Promise<unknown[]> {
    return (await this.fetchPrices(coinIds, [vsCurrency])).records;
  }

  async getOHLCV(q: OhlcvQuery): Promise<unknown[]> {
    return (
      await this.fetchOhlc(q.coinId, q.vsCurrency ?? 'usd', q.days ?? this.config.ohlcv.days, q.interval)
    ).records;
  }

  async getMarketAnalytics(vsCurrency: string): Promise<unknown> {
    return this.fetchAnalytics(vsCurrency);
  }

  async getLevel1(q: Level1Query): Promise<unknown[]> {
    const coins = q.coinId ? [q.coinId] : this.config.coins;
    const exchanges = q.exchange ? [q.exchange] : this.config.level1.exchanges;
    const out: unknown[] = [];
    for (const coin of coins) out.push(...(await this.fetchTickers(coin, exchanges)).records);
    return out;
  }

  /** Prices of many coins in few requests, through the configured endpoint. */
  async fetchPrices(
    coinIds: readonly string[],
    vsCurrencies: readonly string[],
    signal?: AbortSignal,
  ): Promise<Mapped> {
    const out: Mapped = { records: [], invalid: [] };
    for (const ids of chunks(coinIds, IDS_PER_REQUEST)) {
      if (this.config.prices.endpoint === 'markets') {
        for (const cur of vsCurrencies) merge(out, await this.fetchMarkets(ids, cur, signal));
        continue;
      }
      const body = await this.client.get(
        '/simple/price',
        {
          ids,
          vs_currencies: vsCurrencies,
          include_market_cap: true,
          include_24hr_vol: true,
          include_24hr_change: true,
          include_last_updated_at: true,
          precision: 'full',
        },
        signal,
      );
      await this.learnSymbols(Object.keys((body ?? {}) as object), signal);
      merge(out, mapSimplePrice(body, vsCurrencies, this.symbols));
    }
    return out;
  }

  /** /coins/markets for up to 250 ids, page by page until a short or empty page. */
  async fetchMarkets(ids: readonly string[], vsCurrency: string, signal?: AbortSignal): Promise<Mapped> {
    const out: Mapped = { records: [], invalid: [] };
    const perPage = this.config.prices.perPage;
    for (let page = 1; ; page++) {
      const body = await this.client.get(
        '/coins/markets',
        {
          vs_currency: vsCurrency,
          ids,
          order: 'market_cap_desc',
          per_page: perPage,
          page,
          sparkline: false,
          precision: 'full',
        },
        signal,
      );
      const mapped = mapMarkets(body, vsCurrency);
      for (const r of mapped.records) this.symbols.set(r.coin_id as string, r.symbol as string);
      merge(out, mapped);
      if (!Array.isArray(body) || body.length < perPage || page * perPage >= ids.length) return out;
    }
  }

  async fetchOhlc(
    coinId: string,
    vsCurrency: string,
    days: string | number,
    interval?: string,
    signal?: AbortSignal,
  ): Promise<Mapped> {
    const body = await this.client.get(
      `/coins/${encodeURIComponent(coinId)}/ohlc`,
      { vs_currency: vsCurrency, days, interval, precision: 'full' },
      signal,
    );
    return mapOhlc(body, coinId, vsCurrency, candleLength(days, interval));
  }

  async fetchAnalytics(vsCurrency: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    return mapGlobal(await this.client.get('/global', {}, signal), vsCurrency);
  }

  async fetchTickers(coinId: string, exchanges?: readonly string[], signal?: AbortSignal): Promise<Mapped> {
    const body = await this.client.get(
      `/coins/${encodeURIComponent(coinId)}/tickers`,
      { exchange_ids: exchanges?.length ? exchanges : undefined },
      signal,
    );
    return mapTickers(body, coinId);
  }

  stream(options: StreamOptions) {
    return pollStream(this, options);
  }

  classifyError(error: unknown) {
    return classifyError(error);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  async health(): Promise<Record<string, unknown>> {
    const { lastOkAt, lastError } = this.client;
    return {
      ...this.describe,
      lastOkAt: lastOkAt === undefined ? null : new Date(lastOkAt).toISOString(),
      lastError: lastError ?? null,
    };
  }

  /** Symbols for ids not seen yet, from one /coins/markets lookup (cached for the reader's life). */
  private async learnSymbols(ids: readonly string[], signal?: AbortSignal): Promise<void> {
    const missing = ids.filter((id) => !this.symbols.has(id));
    if (missing.length === 0) return;
    await this.fetchMarkets(missing, 'usd', signal);
    for (const id of missing) if (!this.symbols.has(id)) this.symbols.set(id, id);
  }
}

function merge(into: Mapped, from: Mapped): void {
  into.records.push(...from.records);
  into.invalid.push(...from.invalid);
}

export interface ReaderOverrides {
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
}

/** A Reader for CoinGecko: config is parsed (defaults applied) here, so tests may pass partial input. */
export function createCoinGeckoReader(
  input: CoinGeckoConfigInput | CoinGeckoConfig,
  ctx: PluginContext,
  o: ReaderOverrides = {},
): BaseReader {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success)
    throw qiError(CoinGeckoErrors.CONFIG, `invalid CoinGecko config: ${parsed.error.message}`);
  const config = parsed.data;
  let conn: ReturnType<typeof resolveConnection>;
  try {
    conn = resolveConnection(config, o.env ?? process.env);
  } catch (e) {
    throw qiError(CoinGeckoErrors.CONFIG, (e as Error).message);
  }
  const clock = o.clock ?? realClock;
  // the host already binds the plugin name: binding it twice writes the key twice in every line
  const logger = ctx.logger.bindings().plugin
    ? ctx.logger
    : ctx.logger.child({ plugin: '@qi/source-coingecko' });
  if (config.plan === 'public' && config.apiKey)
    logger.warn('plan "public" ignores apiKey; set plan "demo" or "pro" to use it');
  const limiter = new RateLimiter(conn.rateLimitPerMinute, 60_000, clock);
  const client = new CoinGeckoClient({
    baseUrl: conn.baseUrl,
    header: conn.header,
    apiKey: conn.apiKey,
    timeoutMs: config.timeoutMs,
    retry: config.retry,
    limiter,
    clock,
    logger,
    signal: ctx.signal,
  });
  const describe = { plan: conn.plan, baseUrl: conn.baseUrl, rateLimitPerMinute: conn.rateLimitPerMinute };
  logger.debug({ event: 'coingecko.config', ...describe }, 'CoinGecko source ready');
  const handler = new CoinGeckoReaderHandler(client, config, clock, logger, ctx.signal, describe);
  // the future bound of timestamps counts from the same clock the reader schedules with
  return new BaseReader({ name: ctx.name, handler, logger: ctx.logger, clock, now: () => clock.now() });
}
