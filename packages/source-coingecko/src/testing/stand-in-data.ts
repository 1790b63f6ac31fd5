import { cmp, type Dec, dec, mul, nudge, str } from './decimal-math';

/** A coin the stand-in knows. Figures are USD at tick 0, as decimal strings. */
export interface StandInCoin {
  id: string;
  symbol: string;
  name: string;
  price: string;
  marketCap: string | null;
  volume: string;
  change24h: string | null;
  /** the price moves every this many ticks (a slow coin stays "stale" between polls) */
  updateEvery: number;
}

export const STAND_IN_COINS: readonly StandInCoin[] = [
  {
    id: 'bitcoin',
    symbol: 'btc',
    name: 'Bitcoin',
    price: '67234.123456789',
    marketCap: '1330000000000.123',
    volume: '35123456789.12',
    change24h: '-1.2345',
    updateEvery: 1,
  },
  {
    id: 'ethereum',
    symbol: 'eth',
    name: 'Ethereum',
    price: '3456.78901234',
    marketCap: '415000000000.5',
    volume: '18000000000.25',
    change24h: '2.5',
    updateEvery: 1,
  },
  {
    id: 'solana',
    symbol: 'sol',
    name: 'Solana',
    price: '145.6789',
    marketCap: '67000000000',
    volume: '3000000000.5',
    change24h: '0.75',
    updateEvery: 1,
  },
  {
    id: 'ripple',
    symbol: 'xrp',
    name: 'XRP',
    price: '0.523456',
    marketCap: '29000000000',
    volume: '1200000000',
    change24h: '-0.5',
    updateEvery: 1,
  },
  {
    id: 'dogecoin',
    symbol: 'doge',
    name: 'Dogecoin',
    price: '0.1234567',
    marketCap: '17800000000',
    volume: '900000000',
    change24h: '3.25',
    updateEvery: 2,
  },
  {
    id: 'tether',
    symbol: 'usdt',
    name: 'Tether',
    price: '1.0001',
    marketCap: '110000000000',
    volume: '50000000000',
    change24h: '0.01',
    updateEvery: 1,
  },
  {
    id: 'binancecoin',
    symbol: 'bnb',
    name: 'BNB',
    price: '580.12',
    marketCap: '85000000000',
    volume: '1500000000',
    change24h: '1.1',
    updateEvery: 1,
  },
  // the other coins of the examples' configs, so an offline run sees them all
  {
    id: 'cardano',
    symbol: 'ada',
    name: 'Cardano',
    price: '0.456789',
    marketCap: '16000000000',
    volume: '400000000',
    change24h: '-2.1',
    updateEvery: 1,
  },
  {
    id: 'litecoin',
    symbol: 'ltc',
    name: 'Litecoin',
    price: '84.12',
    marketCap: '6300000000',
    volume: '350000000',
    change24h: '0.4',
    updateEvery: 2,
  },
  {
    id: 'polkadot',
    symbol: 'dot',
    name: 'Polkadot',
    price: '6.789',
    marketCap: '9500000000',
    volume: '210000000',
    change24h: '1.8',
    updateEvery: 1,
  },
  // the edges: a micro-priced token, a coin CoinGecko has no market cap or 24h change for, a price beyond 2^53
  {
    id: 'micro-coin',
    symbol: 'micro',
    name: 'Micro Coin',
    price: '0.000000001234',
    marketCap: '1234.5',
    volume: '12.5',
    change24h: '-99.99',
    updateEvery: 1,
  },
  {
    id: 'no-cap-coin',
    symbol: 'nocap',
    name: 'No Cap Coin',
    price: '2.5',
    marketCap: null,
    volume: '1000',
    change24h: null,
    updateEvery: 3,
  },
  {
    id: 'mega-coin',
    symbol: 'mega',
    name: 'Mega Coin',
    price: '1234567890123.45678',
    marketCap: '999999999999999.999999999999',
    volume: '123456789012345.6789',
    change24h: '0.000001',
    updateEvery: 1,
  },
];

/** Synthetic coins for paging and benchmarks: coin-00001 … */
export function extraCoins(n: number): StandInCoin[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i + 1;
    return {
      id: `coin-${String(k).padStart(5, '0')}`,
      symbol: `c${k}`,
      name: `Coin ${k}`,
      price: `${(k % 997) + 1}.${String(k).padStart(6, '0')}`,
      marketCap: `${1_000_000 * (100_000 - k)}`,
      volume: `${5000 + k}.5`,
      change24h: k % 4 === 0 ? null : '-0.25',
      updateEvery: 1,
    };
  });
}

/** Quote currencies and their (fixed, exact) rate from USD. */
export const FX: Record<string, string> = { usd: '1', eur: '0.92', gbp: '0.79', btc: '0.0000148' };

/** A deterministic wobble in 0..999 that is 0 at tick 0, so tick 0 serves the base figures exactly. */
export const wobble = (tick: number): number => (tick * 7919) % 1000;

export interface Quote {
  price: string;
  marketCap: string | null;
  volume: string;
  change24h: string | null;
  /** epoch ms of the coin's last update */
  updatedAt: number;
}

/** A coin's figures in one currency at time `now`; prices move every `updateMs * coin.updateEvery`. */
export function quote(coin: StandInCoin, currency: string, now: number, updateMs: number): Quote | undefined {
  const rate = FX[currency];
  if (rate === undefined) return undefined;
  const step = updateMs * coin.updateEvery;
  const coinTick = Math.floor(now / step);
  const fx = dec(rate);
  const conv = (s: string) => str(mul(dec(s), fx));
  return {
    price: str(mul(nudge(dec(coin.price), wobble(coinTick)), fx)),
    marketCap: coin.marketCap === null ? null : conv(coin.marketCap),
    volume: conv(coin.volume),
    change24h: coin.change24h,
    updatedAt: coinTick * step,
  };
}

/** Candle length CoinGecko uses for `days` (1–2 → 30 min, 3–30 → 4 h, more → 4 days). */
export function candleMs(days: number): number {
  if (days <= 2) return 1_800_000;
  if (days <= 30) return 14_400_000;
  return 345_600_000;
}

/** OHLC rows `[close_ms, o, h, l, c]`, oldest first; the last candle is still open (closes after `now`). */
export function ohlcRows(
  coin: StandInCoin,
  currency: string,
  days: number,
  now: number,
): Array<[number, string, string, string, string]> | undefined {
  const rate = FX[currency];
  if (rate === undefined) return undefined;
  const len = candleMs(days);
  const count = Math.min(Math.ceil((days * 86_400_000) / len), 500);
  const lastClose = Math.floor(now / len) * len + len;
  const base = dec(coin.price);
  const fx = dec(rate);
  const rows: Array<[number, string, string, string, string]> = [];
  for (let i = count - 1; i >= 0; i--) {
    const close = lastClose - i * len;
    const k = close / len;
    const o = nudge(base, wobble(k));
    const c = nudge(base, wobble(k + 1));
    const hi = nudge(cmp(o, c) >= 0 ? o : c, 17);
    const lo = nudge(cmp(o, c) <= 0 ? o : c, -13);
    rows.push([close, ...([o, hi, lo, c].map((d) => str(mul(d, fx))) as [string, string, string, string])]);
  }
  return rows;
}

/** /global figures at `now`; CoinGecko recomputes them every 10 minutes. */
export function globalData(now: number) {
  const tick = Math.floor(now / 600_000);
  const total = nudge(dec('3456789012345.678'), wobble(tick) * 1_000_000);
  const volume = nudge(dec('98765432109.5'), wobble(tick + 1) * 1000);
  const per = (d: Dec) =>
    Object.fromEntries(Object.entries(FX).map(([cur, r]) => [cur, n(str(mul(d, dec(r))))]));
  const pct = {
    btc: '52.123456789',
    eth: '16.98765',
    usdt: '4.1',
    bnb: '3.2',
    sol: '2.1',
    usdc: '1.4',
    xrp: '1.1',
    steth: '0.9',
    doge: '0.6',
    ada: '0.5',
  };
  return {
    active_cryptocurrencies: 15234,
    upcoming_icos: 0,
    ongoing_icos: 49,
    ended_icos: 3376,
    markets: 1234,
    total_market_cap: per(total),
    total_volume: per(volume),
    market_cap_percentage: Object.fromEntries(Object.entries(pct).map(([k, v]) => [k, n(v)])),
    market_cap_change_percentage_24h_usd: n('-1.2345678'),
    volume_change_percentage_24h_usd: n('12.5'),
    updated_at: tick * 600,
  };
}

/** A JSON number written digit for digit (JSON.stringify would round a JS number). */
export const n = (text: string): unknown =>
  (JSON as unknown as { rawJSON(t: string): unknown }).rawJSON(text);

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');

/** /coins/{id}/tickers rows: real exchanges, plus one anomalous and one stale ticker CoinGecko flags itself. */
export function tickerRows(coin: StandInCoin, now: number, updateMs: number) {
  const q = quote(coin, 'usd', now, updateMs)!;
  const base = coin.symbol.toUpperCase();
  const venues = [
    { id: 'binance', name: 'Binance', target: 'USDT', spread: '0.010001', anomaly: false, stale: false },
    { id: 'kraken', name: 'Kraken', target: 'USD', spread: null, anomaly: false, stale: false },
    { id: 'gdax', name: 'Coinbase Exchange', target: 'USD', spread: '0.02', anomaly: false, stale: false },
    { id: 'sketchy_dex', name: 'Sketchy DEX', target: 'USD', spread: '35.5', anomaly: true, stale: false },
    {
      id: 'sleepy_exchange',
      name: 'Sleepy Exchange',
      target: 'EUR',
      spread: '0.5',
      anomaly: false,
      stale: true,
    },
  ];
  return venues.map((v, i) => ({
    base,
    target: v.target,
    market: { name: v.name, identifier: v.id, has_trading_incentive: false },
    last: n(q.price),
    volume: n(`${1234 + i * 100}.5678`),
    converted_last: { btc: n('1.0'), eth: n('19.45'), usd: n(q.price) },
    converted_volume: { btc: n('1234.5'), eth: n('24000.1'), usd: n(q.volume) },
    trust_score: i < 3 ? 'green' : null,
    bid_ask_spread_percentage: v.spread === null ? null : n(v.spread),
    timestamp: iso(q.updatedAt),
    last_traded_at: iso(q.updatedAt),
    last_fetch_at: iso(q.updatedAt),
    is_anomaly: v.anomaly,
    is_stale: v.stale,
    trade_url: `https://example.invalid/${v.id}/${base}_${v.target}`,
    token_info_url: null,
    coin_id: coin.id,
    target_coin_id: v.target === 'USDT' ? 'tether' : undefined,
    coin_mcap_usd: coin.marketCap === null ? null : n(coin.marketCap),
  }));
}
