import { normalizeDecimal, parseRecord } from '@qi/core';
import { expectOk } from '@qi/core/testkit';
import { ATTRIBUTION, mapSimplePrice, parseExactJson } from '../src/index';
import { ohlcRows, STAND_IN_COINS, type StandIn } from '../src/testing/stand-in';
import { manualClock, readerFor, standIn, T0 } from './helpers';

const iso = (ms: number) => new Date(ms).toISOString();

describe('exact JSON', () => {
  it('keeps every digit of numbers no double can hold, and CoinGecko exponent forms', () => {
    const body = parseExactJson(
      '{"a":1234567890123.45678,"b":0.000000001234,"c":6.26e-06,"d":999999999999999.999999999999,"e":null}',
    ) as Record<string, unknown>;
    expect(body).toEqual({
      a: '1234567890123.45678',
      b: '0.000000001234',
      c: '6.26e-06',
      d: '999999999999999.999999999999',
      e: null,
    });
    expect(normalizeDecimal(body.c as string)).toBe('0.00000626');
  });

  it('maps an exponent-form price to a plain decimal record', () => {
    const body = parseExactJson(
      '{"tiny":{"usd":1.234e-9,"usd_market_cap":0,"usd_24h_change":null,"last_updated_at":1700000000}}',
    );
    const m = mapSimplePrice(body, ['usd'], new Map([['tiny', 'tny']]));
    const rec = expectOk(parseRecord(m.records[0]));
    expect(rec).toMatchObject({
      price: '0.000000001234',
      market_cap: null,
      change_24h_pct: null,
      volume_24h: null,
      symbol: 'tny',
      ts: iso(1_700_000_000_000),
    });
  });
});

describe('mapping the stand-in (CoinGecko shapes)', () => {
  let s: StandIn;
  const clock = manualClock(T0);
  beforeAll(async () => {
    s = await standIn({ clock });
  });
  afterAll(() => s.close());

  it('/simple/price: exact extremes, nulls, currencies, symbols; unknown ids silently missing', async () => {
    const reader = readerFor(s, {}, { clock });
    const coins = ['bitcoin', 'micro-coin', 'no-cap-coin', 'mega-coin', 'no-such-coin'];
    const usd = expectOk(await reader.getCurrentPrices(coins, 'usd'));
    const by = Object.fromEntries(usd.map((p) => [p.coin_id, p]));
    expect(Object.keys(by).sort()).toEqual(['bitcoin', 'mega-coin', 'micro-coin', 'no-cap-coin']);
    expect(by.bitcoin).toEqual({
      kind: 'price',
      coin_id: 'bitcoin',
      symbol: 'btc',
      exchange: 'aggregate',
      vs_currency: 'usd',
      price: '67234.123456789',
      market_cap: '1330000000000.123',
      volume_24h: '35123456789.12',
      change_24h_pct: '-1.2345',
      ts: iso(T0),
      source: 'coingecko',
      attribution: ATTRIBUTION,
    });
    expect(by['micro-coin']).toMatchObject({
      price: '0.000000001234',
      market_cap: '1234.5',
      symbol: 'micro',
    });
    expect(by['mega-coin']).toMatchObject({
      price: '1234567890123.45678',
      market_cap: '999999999999999.999999999999',
      volume_24h: '123456789012345.6789',
    });
    expect(by['no-cap-coin']).toMatchObject({ market_cap: null, change_24h_pct: null, volume_24h: '1000' });
    const eur = expectOk(await reader.getCurrentPrice('bitcoin', 'eur'));
    expect(eur).toMatchObject({
      vs_currency: 'eur',
      price: '61855.39358024588',
      market_cap: '1223600000000.11316',
    });
    const sp = s.requests.filter((r) => r.path === '/simple/price').at(-1)!;
    expect(sp.query).toMatchObject({
      include_market_cap: 'true',
      include_24hr_vol: 'true',
      include_24hr_change: 'true',
      include_last_updated_at: 'true',
      precision: 'full',
    });
    await reader.close();
  });

  it('/coins/markets: same figures, market cap 0 → null, ts from last_updated', async () => {
    const reader = readerFor(s, { prices: { endpoint: 'markets' } }, { clock });
    const prices = expectOk(
      await reader.getCurrentPrices(['bitcoin', 'no-cap-coin', 'mega-coin', 'no-such-coin']),
    );
    const by = Object.fromEntries(prices.map((p) => [p.coin_id, p]));
    expect(Object.keys(by).sort()).toEqual(['bitcoin', 'mega-coin', 'no-cap-coin']);
    expect(by.bitcoin).toMatchObject({
      symbol: 'btc',
      price: '67234.123456789',
      market_cap: '1330000000000.123',
      change_24h_pct: '-1.2345',
      ts: iso(T0),
    });
    expect(by['mega-coin']).toMatchObject({
      price: '1234567890123.45678',
      market_cap: '999999999999999.999999999999',
    });
    expect(by['no-cap-coin']).toMatchObject({ market_cap: null, change_24h_pct: null });
    await reader.close();
  });

  it('/coins/markets pages through results: per_page, page, [] past the end', async () => {
    const paging = await standIn({ clock, extraCoins: 7 });
    try {
      const ids = [...paging.coins.keys()].filter((id) => id.startsWith('coin-'));
      const reader = readerFor(paging, { prices: { endpoint: 'markets', perPage: 3 } }, { clock });
      const prices = expectOk(await reader.getCurrentPrices(ids));
      expect(prices.map((p) => p.coin_id).sort()).toEqual(ids);
      const pages = paging.requests
        .filter((r) => r.path === '/coins/markets')
        .map((r) => [r.query.page, r.query.per_page]);
      expect(pages).toEqual([
        ['1', '3'],
        ['2', '3'],
        ['3', '3'],
      ]);
      // two full pages of known coins plus ids CoinGecko does not know: page 3 is [] (past the end), not an error
      paging.reset();
      const more = expectOk(await reader.getCurrentPrices([...ids.slice(0, 6), 'ghost-1', 'ghost-2']));
      expect(more).toHaveLength(6);
      expect(paging.requests.map((r) => [r.query.page, r.status])).toEqual([
        ['1', 200],
        ['2', 200],
        ['3', 200],
      ]);
      await reader.close();
    } finally {
      await paging.close();
    }
  });

  it('/coins/{id}/ohlc: ts is the open time (close − 30 min for days=1), prices exact, open candle included as served', async () => {
    const reader = readerFor(s, {}, { clock });
    const candles = expectOk(await reader.getOHLCV({ coinId: 'mega-coin', vsCurrency: 'usd', days: 1 }));
    const rows = ohlcRows(STAND_IN_COINS.find((c) => c.id === 'mega-coin')!, 'usd', 1, T0)!;
    expect(candles).toHaveLength(rows.length);
    candles.forEach((c, i) => {
      const [close, o, h, l, cl] = rows[i]!;
      expect(c).toMatchObject({
        interval: '30m',
        ts: iso(close - 1_800_000),
        open: o,
        high: h,
        low: l,
        close: cl,
        volume: null,
        coin_id: 'mega-coin',
      });
    });
    expect(rows.some(([, o]) => Number(o).toString() !== o)).toBe(true); // digits a double would lose
    const week = expectOk(await reader.getOHLCV({ coinId: 'bitcoin', days: 7 }));
    expect(week[0]!.interval).toBe('4h');
    expect(Date.parse(week[1]!.ts) - Date.parse(week[0]!.ts)).toBe(4 * 3_600_000);
    const quarter = expectOk(await reader.getOHLCV({ coinId: 'bitcoin', days: 90 }));
    expect(quarter[0]!.interval).toBe('4d');
    await reader.close();
  });

  it('/global → analytics; an unknown currency is not-found', async () => {
    const reader = readerFor(s, {}, { clock });
    expect(expectOk(await reader.getMarketAnalytics('usd'))).toEqual({
      kind: 'analytics',
      vs_currency: 'usd',
      total_market_cap: '3456789012345.678',
      total_volume: '98765432201.4',
      btc_dominance_pct: '52.123456789',
      eth_dominance_pct: '16.98765',
      market_cap_change_24h_pct: '-1.2345678',
      active_cryptocurrencies: 15234,
      markets: 1234,
      ts: iso(T0),
      source: 'coingecko',
      attribution: ATTRIBUTION,
    });
    expect(expectOk(await reader.getMarketAnalytics('eur'))).toMatchObject({
      total_market_cap: '3180245891358.02376',
      market_cap_change_24h_pct: null,
    });
    const none = await reader.getMarketAnalytics('xyz');
    expect(!none.ok && none.error.code).toBe('QI_SOURCE_COINGECKO_NOT_FOUND');
    await reader.close();
  });

  it('/coins/{id}/tickers → level1: no bid/ask, last and spread kept, anomalous and stale tickers skipped', async () => {
    const reader = readerFor(s, {}, { clock });
    const l1 = expectOk(await reader.getLevel1({ coinId: 'bitcoin' }));
    expect(l1.map((r) => r.exchange)).toEqual(['binance', 'kraken', 'gdax']);
    expect(l1[0]).toEqual({
      kind: 'level1',
      exchange: 'binance',
      base: 'BTC',
      quote: 'USDT',
      coin_id: 'bitcoin',
      bid: null,
      ask: null,
      bid_size: null,
      ask_size: null,
      last: '67234.123456789',
      spread_pct: '0.010001',
      volume_24h: '1234.5678',
      ts: iso(T0),
      source: 'coingecko',
      attribution: ATTRIBUTION,
    });
    expect(l1[1]!.spread_pct).toBeNull();
    const kraken = expectOk(await reader.getLevel1({ coinId: 'bitcoin', exchange: 'kraken' }));
    expect(kraken.map((r) => r.exchange)).toEqual(['kraken']);
    expect(s.requests.at(-1)!.query.exchange_ids).toBe('kraken');
    const missing = await reader.getLevel1({ coinId: 'no-such-coin' });
    expect(!missing.ok && missing.error.code).toBe('QI_SOURCE_COINGECKO_NOT_FOUND');
    await reader.close();
  });
});
