import { createLogger, type MarketRecord, type SourceBatch } from '@qi/core';
import type { StandIn } from '../src/testing/stand-in';
import { manualClock, readerFor, standIn, T0 } from './helpers';

type Pos = { cycle: number; part: string };
const pos = (b: SourceBatch) => b.position as Pos;
const at = (iso: string) => Date.parse(iso);

/** Reads the stream until `stop` says so; every batch with the clock time it arrived at. */
async function collect(
  stream: AsyncIterable<SourceBatch>,
  clock: { now(): number },
  stop: (b: SourceBatch) => boolean,
) {
  const out: Array<SourceBatch & { at: number }> = [];
  for await (const b of stream) {
    out.push({ ...b, at: clock.now() });
    if (stop(b)) break;
  }
  return out;
}

describe('stream', () => {
  let s: StandIn;
  const clock = manualClock();
  beforeAll(async () => {
    s = await standIn({ clock, priceUpdateMs: 60_000 });
  });
  afterAll(() => s.close());
  beforeEach(() => {
    s.reset();
    clock.t = T0;
    clock.sleeps.length = 0;
  });

  it('emits a price only when its last_updated_at moved on', async () => {
    // polls every 30 s; bitcoin updates every 60 s, no-cap-coin every 180 s (cycles at T0+0,30,…,180 s)
    const reader = readerFor(
      s,
      {
        coins: ['bitcoin', 'no-cap-coin'],
        intervalMs: 30_000,
        analyticsIntervalMs: 0,
        ohlcv: { enabled: false },
      },
      { clock },
    );
    const batches = await collect(
      reader.stream({ signal: new AbortController().signal }),
      clock,
      (b) => pos(b).cycle >= 7,
    );
    await reader.close();
    const prices = batches.flatMap((b) => b.records as MarketRecord[]);
    const cyclesOf = (coin: string) =>
      batches
        .filter((b) => (b.records as MarketRecord[]).some((r) => 'coin_id' in r && r.coin_id === coin))
        .map((b) => pos(b).cycle);
    expect(cyclesOf('bitcoin')).toEqual([1, 3, 5, 7]);
    expect(cyclesOf('no-cap-coin')).toEqual([1, 7]);
    expect(prices).toHaveLength(6);
    // it did poll on the quiet cycles: 7 cycles, 7 requests (+1 symbol lookup)
    expect(s.count('/simple/price')).toBe(7);
    expect(s.count('/coins/markets')).toBe(1);
    const btc = prices.filter((p) => p.kind === 'price' && p.coin_id === 'bitcoin').map((p) => p.ts);
    expect(btc).toEqual([0, 60, 120, 180].map((sec) => new Date(T0 + sec * 1000).toISOString()));
  });

  it('emits candles once they have closed, and each only once', async () => {
    clock.t = T0 + 10 * 60_000; // 08:10; 30-minute candles close at :00 and :30
    const reader = readerFor(
      s,
      {
        coins: ['bitcoin', 'micro-coin'],
        intervalMs: 600_000,
        analyticsIntervalMs: 0,
        prices: { enabled: false },
        ohlcv: { days: '1', intervalMs: 600_000 },
      },
      { clock },
    );
    // cycles at 08:10, 08:20, 08:30, …, 09:00
    const batches = await collect(
      reader.stream({ signal: new AbortController().signal }),
      clock,
      (b) => pos(b).cycle >= 6,
    );
    await reader.close();
    expect(batches.map((b) => [pos(b).cycle, b.records.length])).toEqual([
      [1, 94],
      [3, 2],
      [6, 2],
    ]);
    const all = batches.flatMap((b) =>
      b.records.map((r) => ({ r: r as MarketRecord & { ts: string; coin_id: string }, emittedAt: b.at })),
    );
    for (const { r, emittedAt } of all) expect(at(r.ts) + 30 * 60_000).toBeLessThanOrEqual(emittedAt);
    const keys = all.map(({ r }) => `${r.coin_id}|${r.ts}`);
    expect(new Set(keys).size).toBe(keys.length);
    // the candle open at 08:10 (07:30–08:00 had closed; 08:00–08:30 had not) came in cycle 3, at 08:30
    expect(batches[1]!.records.map((r) => (r as { ts: string }).ts)).toEqual([
      new Date(T0).toISOString(),
      new Date(T0).toISOString(),
    ]);
    expect(s.count('/ohlc')).toBe(12);
  });

  it('reads analytics on its own interval', async () => {
    const reader = readerFor(
      s,
      { coins: ['bitcoin'], intervalMs: 60_000, analyticsIntervalMs: 600_000, ohlcv: { enabled: false } },
      { clock },
    );
    const batches = await collect(
      reader.stream({ signal: new AbortController().signal }),
      clock,
      (b) => pos(b).cycle >= 21 && pos(b).part === 'analytics',
    );
    await reader.close();
    expect(s.count('/global')).toBe(3);
    const analytics = batches.filter((b) => pos(b).part === 'analytics');
    expect(analytics.map((b) => pos(b).cycle)).toEqual([1, 11, 21]);
    expect(analytics.map((b) => (b.records[0] as { ts: string }).ts)).toEqual(
      [0, 10, 20].map((m) => new Date(T0 + m * 60_000).toISOString()),
    );
  });

  it('once: one cycle of every enabled part, then ends', async () => {
    const reader = readerFor(
      s,
      { coins: ['bitcoin', 'ethereum'], vsCurrencies: ['usd', 'eur'], level1: { enabled: true } },
      { clock },
    );
    const batches = await collect(
      reader.stream({ signal: new AbortController().signal, once: true }),
      clock,
      () => false,
    );
    await reader.close();
    expect(batches.map((b) => pos(b).part)).toEqual(['prices', 'analytics', 'ohlcv', 'level1']);
    expect(batches[0]!.records).toHaveLength(4);
    expect(batches[1]!.records.map((r) => (r as { vs_currency: string }).vs_currency)).toEqual([
      'usd',
      'eur',
    ]);
    expect(batches[3]!.records).toHaveLength(6);
    for (const b of batches)
      for (const r of b.records as MarketRecord[])
        expect([r.source, r.attribution]).toEqual(['coingecko', 'Data provided by CoinGecko']);
    expect(clock.sleeps).toEqual([]);
  });

  it('skips coins CoinGecko does not know, survives transient failures, stops on auth errors', async () => {
    s.inject({ fault: { kind: 'server-error' }, path: '/simple/price', times: 5 });
    const reader = readerFor(
      s,
      {
        coins: ['bitcoin', 'no-such-coin'],
        intervalMs: 60_000,
        analyticsIntervalMs: 0,
        retry: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 10 },
      },
      { clock },
    );
    const reports: string[] = [];
    const report = {
      read: () => reports.push('read'),
      failed: (e: { code: string }, o: { retrying: boolean }) => reports.push(`${e.code}:${o.retrying}`),
    };
    const stream = reader.stream({ signal: new AbortController().signal, report })[Symbol.asyncIterator]();
    const first = await stream.next(); // prices gave up after 5 attempts: logged, candles still came
    // the failed price poll is reported (for /healthz and metrics), the candle poll after it as a read
    expect(reports).toEqual(['QI_RETRIES_EXHAUSTED:true', 'read']);
    expect(first.value.position).toEqual({ cycle: 1, part: 'ohlcv' });
    expect(new Set(first.value.records.map((r: { coin_id: string }) => r.coin_id))).toEqual(
      new Set(['bitcoin']),
    );
    expect((await stream.next()).value.position).toEqual({ cycle: 2, part: 'prices' });
    s.inject({ fault: { kind: 'missing-key' }, times: 1 });
    await expect(stream.next()).rejects.toMatchObject({ code: 'QI_SOURCE_COINGECKO_KEY_MISSING' });
    expect(reports.at(-1)).toBe('QI_SOURCE_COINGECKO_KEY_MISSING:false');
    await reader.close();
  });

  it('warns once per coin id CoinGecko returns no price for (a typo, a symbol instead of an id)', async () => {
    const logs: Array<{ event?: string; coin?: string; msg: string }> = [];
    const logger = createLogger({
      level: 'warn',
      destination: { write: (l: string) => void logs.push(JSON.parse(l)) },
    });
    const reader = readerFor(
      s,
      {
        coins: ['bitcoin', 'BTC', 'etherium'],
        intervalMs: 60_000,
        analyticsIntervalMs: 0,
        ohlcv: { enabled: false },
      },
      { clock, logger },
    );
    const batches = await collect(
      reader.stream({ signal: new AbortController().signal }),
      clock,
      (b) => pos(b).cycle >= 3,
    );
    expect(batches.flatMap((b) => b.records.map((r) => (r as { coin_id: string }).coin_id))).toContain(
      'bitcoin',
    );
    const missing = logs.filter((l) => l.event === 'coingecko.coin.missing');
    expect(missing.map((l) => l.coin)).toEqual(['BTC', 'etherium']);
    expect(missing[0]!.msg).toContain('CoinGecko returned no price for coin id "BTC"');
    await reader.close();
  });

  it('ends when the signal aborts while it waits for the next cycle', async () => {
    const controller = new AbortController();
    clock.onSleep = () => controller.abort();
    try {
      const reader = readerFor(
        s,
        { coins: ['bitcoin'], analyticsIntervalMs: 0, ohlcv: { enabled: false } },
        { clock },
      );
      const batches = await collect(reader.stream({ signal: controller.signal }), clock, () => false);
      expect(batches).toHaveLength(1);
      await reader.close();
    } finally {
      clock.onSleep = undefined;
    }
  });
});
