import type { AnalyticsInput, Level1Input, OhlcvInput, PriceInput, RecordKind } from '../dsl/records';

const COINS = ['bitcoin', 'ethereum', 'solana', 'dogecoin', 'pepe', 'tether'];
const BASE_TS = Date.parse('2026-01-01T00:00:00.000Z');

/** Deterministic sample records: record i of a kind is always the same, so tests can replay and compare. */
export function samplePrice(i: number, overrides: Partial<PriceInput> = {}): PriceInput {
  const coin = COINS[i % COINS.length]!;
  return {
    kind: 'price',
    coin_id: coin,
    symbol: coin.slice(0, 3),
    exchange: 'aggregate',
    vs_currency: 'usd',
    price: `${(i % 97) + 1}.${String(i).padStart(6, '0')}`,
    market_cap: i % 5 === 0 ? null : `${1_000_000_000_000 + i}.5`,
    volume_24h: `${12_345_678 + i}.25`,
    change_24h_pct: i % 7 === 0 ? null : '-1.25',
    ts: new Date(BASE_TS + Math.floor(i / COINS.length) * 1000).toISOString(),
    source: 'testkit',
    attribution: 'Test data',
    ...overrides,
  };
}

export function sampleOhlcv(i: number, overrides: Partial<OhlcvInput> = {}): OhlcvInput {
  const coin = COINS[i % COINS.length]!;
  return {
    kind: 'ohlcv',
    coin_id: coin,
    exchange: 'aggregate',
    vs_currency: 'usd',
    interval: '30m',
    ts: new Date(BASE_TS + Math.floor(i / COINS.length) * 1_800_000).toISOString(),
    open: '100.5',
    high: `${101 + (i % 10)}.75`,
    low: '99.125',
    close: '100.0000001',
    volume: i % 2 ? null : '12.5',
    source: 'testkit',
    attribution: 'Test data',
    ...overrides,
  };
}

export function sampleAnalytics(i: number, overrides: Partial<AnalyticsInput> = {}): AnalyticsInput {
  return {
    kind: 'analytics',
    vs_currency: 'usd',
    total_market_cap: `${3_456_789_012_345 + i}.12`,
    total_volume: `${98_765_432_109 + i}.5`,
    btc_dominance_pct: '56.7891',
    eth_dominance_pct: '12.3456',
    market_cap_change_24h_pct: i % 3 ? '-0.42' : null,
    active_cryptocurrencies: 15_000 + i,
    markets: 1200,
    ts: new Date(BASE_TS + i * 600_000).toISOString(),
    source: 'testkit',
    attribution: 'Test data',
    ...overrides,
  };
}

export function sampleLevel1(i: number, overrides: Partial<Level1Input> = {}): Level1Input {
  return {
    kind: 'level1',
    exchange: ['binance', 'kraken', 'coinbase'][i % 3]!,
    base: 'BTC',
    quote: 'USDT',
    coin_id: 'bitcoin',
    bid: `${60_000 + i}.1`,
    ask: `${60_000 + i}.2`,
    bid_size: '0.5',
    ask_size: '1.25',
    last: `${60_000 + i}.15`,
    spread_pct: '0.0002',
    volume_24h: null,
    ts: new Date(BASE_TS + Math.floor(i / 3) * 1000).toISOString(),
    source: 'testkit',
    attribution: 'Test data',
    ...overrides,
  };
}

export const SAMPLERS: Record<RecordKind, (i: number) => unknown> = {
  price: samplePrice,
  ohlcv: sampleOhlcv,
  analytics: sampleAnalytics,
  level1: sampleLevel1,
};

export function sampleRecords(kind: RecordKind, count: number, start = 0): unknown[] {
  return Array.from({ length: count }, (_, i) => SAMPLERS[kind](start + i));
}

/** Prices at the edges of what Qi must carry exactly. */
export const EXTREME_PRICES = [
  '0.000000001234',
  '0.000000000001',
  '1234567890123.45678',
  '999999999999999.999999999999',
];

const BENCH_INSTRUMENTS = 500;
const BENCH_BASE_TS = Date.parse('2026-01-01T00:00:00.000Z');

/**
 * The i-th price record of the project's benchmarks: canonical (decimals without trailing zeros,
 * timestamps with milliseconds), as a Qi source hands records over; 500 instruments, one second
 * per 500 records, ~250 B as JSON. One generator for every benchmark, so figures compare.
 */
export function benchPrice(i: number): PriceInput {
  const coin = `coin-${i % BENCH_INSTRUMENTS}`;
  const whole = (i % 9973) + 1;
  const frac = i % 1_000_000;
  return {
    kind: 'price',
    coin_id: coin,
    symbol: coin.slice(0, 6),
    exchange: 'aggregate',
    vs_currency: 'usd',
    price: frac === 0 ? `${whole}` : `${whole}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`,
    market_cap: i % 5 === 0 ? null : `${1_000_000_000_000 + i}.5`,
    volume_24h: `${12_345_678 + i}.25`,
    change_24h_pct: i % 7 === 0 ? null : '-1.25',
    ts: new Date(BENCH_BASE_TS + Math.floor(i / BENCH_INSTRUMENTS) * 1000).toISOString(),
    source: 'bench',
    attribution: 'Benchmark data',
  };
}

/** `benchPrice(0 … n-1)` as plain objects. */
export function benchPrices(n: number): PriceInput[] {
  const out = new Array<PriceInput>(n);
  for (let i = 0; i < n; i++) out[i] = benchPrice(i);
  return out;
}
