import { CoreErrors, type QiError, qiError } from '@qi/core';
import { ATTRIBUTION, SOURCE } from './config';
import { CoinGeckoErrors } from './errors';
import { int, isObject, num } from './json';

/**
 * CoinGecko response shapes → DSL record inputs. Numbers arrive as their source
 * text (see json.ts) and stay strings. Records are plain inputs: BaseReader
 * validates them. Rows that cannot make a record (no price, no time) are
 * returned as `invalid` with the reason, never dropped silently.
 */
export interface Mapped {
  records: Record<string, unknown>[];
  invalid: Array<{ record: unknown; error: QiError }>;
}

const lineage = { source: SOURCE, attribution: ATTRIBUTION };
const empty = (): Mapped => ({ records: [], invalid: [] });
const reject = (out: Mapped, record: unknown, why: string) =>
  out.invalid.push({
    record,
    error: qiError(CoreErrors.VALIDATION, `coingecko: ${why}`, { context: { record } }),
  });

/** CoinGecko writes an unknown market cap as 0 (or null): both mean "not known". */
const marketCap = (v: unknown) => {
  const s = num(v);
  return s === null || Number(s) === 0 ? null : s;
};

/** /simple/price: `{ id: { usd, usd_market_cap, usd_24h_vol, usd_24h_change, last_updated_at } }`; unknown ids are absent. */
export function mapSimplePrice(
  body: unknown,
  vsCurrencies: readonly string[],
  symbols: ReadonlyMap<string, string>,
): Mapped {
  const out = empty();
  if (!isObject(body)) throw badShape('/simple/price', 'an object keyed by coin id');
  for (const [coinId, row] of Object.entries(body)) {
    if (!isObject(row)) continue;
    const updated = int(row.last_updated_at);
    for (const cur of vsCurrencies) {
      const price = num(row[cur]);
      const raw = { coin_id: coinId, vs_currency: cur, row };
      if (price === null) reject(out, raw, `/simple/price has no ${cur} price for ${coinId}`);
      else if (updated === null) reject(out, raw, `/simple/price has no last_updated_at for ${coinId}`);
      else {
        out.records.push({
          kind: 'price',
          coin_id: coinId,
          symbol: symbols.get(coinId) ?? coinId,
          exchange: 'aggregate',
          vs_currency: cur,
          price,
          market_cap: marketCap(row[`${cur}_market_cap`]),
          volume_24h: num(row[`${cur}_24h_vol`]),
          change_24h_pct: num(row[`${cur}_24h_change`]),
          ts: updated * 1000,
          ...lineage,
        });
      }
    }
  }
  return out;
}

/** /coins/markets: an array of coins with nullable figures; `last_updated` is ISO. */
export function mapMarkets(body: unknown, vsCurrency: string): Mapped {
  const out = empty();
  if (!Array.isArray(body)) throw badShape('/coins/markets', 'an array');
  for (const row of body) {
    if (!isObject(row) || typeof row.id !== 'string') continue;
    const price = num(row.current_price);
    if (price === null) reject(out, row, `/coins/markets has no current_price for ${row.id}`);
    else if (typeof row.last_updated !== 'string')
      reject(out, row, `/coins/markets has no last_updated for ${row.id}`);
    else {
      out.records.push({
        kind: 'price',
        coin_id: row.id,
        symbol: typeof row.symbol === 'string' && row.symbol ? row.symbol : row.id,
        exchange: 'aggregate',
        vs_currency: vsCurrency,
        price,
        market_cap: marketCap(row.market_cap),
        volume_24h: num(row.total_volume),
        change_24h_pct: num(row.price_change_percentage_24h),
        ts: row.last_updated,
        ...lineage,
      });
    }
  }
  return out;
}

export interface CandleLength {
  ms: number;
  label: string;
}

const MIN = 60_000;
/** CoinGecko picks the candle length from `days` (or from a paid-plan `interval`). */
export function candleLength(days: string | number, interval?: string): CandleLength {
  if (interval === 'hourly') return { ms: 60 * MIN, label: '1h' };
  if (interval === 'daily') return { ms: 1440 * MIN, label: '1d' };
  const d = days === 'max' ? Number.POSITIVE_INFINITY : Number(days);
  if (d <= 2) return { ms: 30 * MIN, label: '30m' };
  if (d <= 30) return { ms: 240 * MIN, label: '4h' };
  return { ms: 4 * 1440 * MIN, label: '4d' };
}

/** /coins/{id}/ohlc: `[[close_ms, o, h, l, c], …]`. The DSL's ts is the OPEN time: close − candle length. */
export function mapOhlc(
  body: unknown,
  coinId: string,
  vsCurrency: string,
  length: CandleLength,
): Mapped & { closes: number[] } {
  const out = { ...empty(), closes: [] as number[] };
  if (!Array.isArray(body))
    throw badShape(`/coins/${coinId}/ohlc`, 'an array of [time, open, high, low, close]');
  for (const row of body) {
    const [t, open, high, low, close] = Array.isArray(row) ? row.map(num) : [];
    if (!t || !open || !high || !low || !close) {
      reject(out, row, `/coins/${coinId}/ohlc row is not [time, open, high, low, close]`);
      continue;
    }
    const closeMs = Number(t);
    out.closes.push(closeMs);
    out.records.push({
      kind: 'ohlcv',
      coin_id: coinId,
      exchange: 'aggregate',
      vs_currency: vsCurrency,
      interval: length.label,
      ts: closeMs - length.ms,
      open,
      high,
      low,
      close,
      volume: null,
      ...lineage,
    });
  }
  return out;
}

/** /global: `{ data: { total_market_cap: {usd…}, total_volume, market_cap_percentage, …, updated_at } }`. */
export function mapGlobal(body: unknown, vsCurrency: string): Record<string, unknown> {
  const data = isObject(body) && isObject(body.data) ? body.data : undefined;
  if (!data) throw badShape('/global', '{ data: { … } }');
  const caps = isObject(data.total_market_cap) ? data.total_market_cap : {};
  const vols = isObject(data.total_volume) ? data.total_volume : {};
  const share = isObject(data.market_cap_percentage) ? data.market_cap_percentage : {};
  if (num(caps[vsCurrency]) === null) {
    throw qiError(CoinGeckoErrors.NOT_FOUND, `/global has no totals in "${vsCurrency}"`, {
      context: { vsCurrency },
    });
  }
  const updated = int(data.updated_at);
  return {
    kind: 'analytics',
    vs_currency: vsCurrency,
    total_market_cap: num(caps[vsCurrency]),
    total_volume: num(vols[vsCurrency]),
    btc_dominance_pct: num(share.btc),
    eth_dominance_pct: num(share.eth),
    // CoinGecko gives the 24h change in USD terms only; in another currency it would be a different number.
    market_cap_change_24h_pct: vsCurrency === 'usd' ? num(data.market_cap_change_percentage_24h_usd) : null,
    active_cryptocurrencies: int(data.active_cryptocurrencies),
    markets: int(data.markets),
    ts: updated === null ? null : updated * 1000,
    ...lineage,
  };
}

/**
 * /coins/{id}/tickers → level1. CoinGecko has no best bid/ask: bid, ask and sizes
 * are null; `last`, the spread percentage and the volume are kept. Tickers that
 * CoinGecko itself flags as anomalous or stale are skipped.
 */
export function mapTickers(body: unknown, coinId: string): Mapped {
  const out = empty();
  const tickers = isObject(body) && Array.isArray(body.tickers) ? body.tickers : undefined;
  if (!tickers) throw badShape(`/coins/${coinId}/tickers`, '{ name, tickers: [...] }');
  for (const t of tickers) {
    if (!isObject(t) || t.is_anomaly === true || t.is_stale === true) continue;
    const market = isObject(t.market) ? t.market : {};
    const when = [t.timestamp, t.last_traded_at, t.last_fetch_at].find(
      (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
    );
    if (
      typeof market.identifier !== 'string' ||
      typeof t.base !== 'string' ||
      typeof t.target !== 'string' ||
      !when
    ) {
      reject(out, t, `/coins/${coinId}/tickers entry lacks market.identifier, base, target or a timestamp`);
      continue;
    }
    out.records.push({
      kind: 'level1',
      exchange: market.identifier,
      base: t.base,
      quote: t.target,
      coin_id: typeof t.coin_id === 'string' ? t.coin_id : coinId,
      bid: null,
      ask: null,
      bid_size: null,
      ask_size: null,
      last: num(t.last),
      spread_pct: num(t.bid_ask_spread_percentage),
      volume_24h: num(t.volume),
      ts: Date.parse(when as string),
      ...lineage,
    });
  }
  return out;
}

function badShape(path: string, expected: string): QiError {
  return qiError(
    CoinGeckoErrors.UNEXPECTED_SHAPE,
    `CoinGecko ${path} answered an unexpected shape; expected ${expected}`,
    {
      context: { path },
    },
  );
}
