import type { Reader, SourceBatch } from '../contracts/reader';
import { parseRecord } from '../dsl/validate';
import { expectOk, testApi } from './jest-api';

export interface ReaderConformanceOptions {
  name: string;
  /** a fresh reader (the suite closes it) */
  create(): Promise<Reader> | Reader;
  /** point queries the source answers, with arguments that exist in the test data; the others must say QI_NOT_SUPPORTED */
  supports: {
    prices?: { coinIds: string[]; vsCurrency?: string };
    ohlcv?: { coinId: string; days?: number };
    analytics?: boolean;
    level1?: { coinId?: string; exchange?: string };
  };
  /** the source's stream yields at least this many records in one `once` cycle (default 1) */
  minStreamRecords?: number;
  /** something to do before the stream is read (e.g. produce to the topic) */
  beforeStream?(): Promise<void>;
  timeoutMs?: number;
}

/** The contract every source proves the same way. */
export function describeReaderConformance(opts: ReaderConformanceOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = testApi();
  const timeout = opts.timeoutMs ?? 60_000;
  const expectNotSupported = (r: { ok: boolean; error?: { code: string } }) => {
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('QI_NOT_SUPPORTED');
  };

  describe(`reader conformance: ${opts.name}`, () => {
    let reader: Reader;
    beforeEach(async () => {
      reader = await opts.create();
    }, timeout);
    afterEach(async () => {
      await reader?.close();
    }, timeout);

    it(
      'answers price queries with valid records carrying source and attribution, or says not supported',
      async () => {
        const q = opts.supports.prices;
        if (!q) return expectNotSupported(await reader.getCurrentPrices(['bitcoin']));
        const prices = expectOk(await reader.getCurrentPrices(q.coinIds, q.vsCurrency));
        expect(prices.length).toBeGreaterThan(0);
        for (const p of prices) {
          expect(parseRecord(p).ok).toBe(true);
          expect(q.coinIds).toContain(p.coin_id);
          expect(p.source.length).toBeGreaterThan(0);
          expect(p.attribution.length).toBeGreaterThan(0);
        }
        const one = expectOk(await reader.getCurrentPrice(q.coinIds[0]!, q.vsCurrency));
        expect(one.coin_id).toBe(q.coinIds[0]);
      },
      timeout,
    );

    it(
      'answers OHLCV, analytics and level1 queries, or says not supported',
      async () => {
        const { ohlcv, analytics, level1 } = opts.supports;
        if (ohlcv) {
          const candles = expectOk(await reader.getOHLCV(ohlcv));
          expect(candles.length).toBeGreaterThan(0);
          for (const c of candles) {
            expect(c.coin_id).toBe(ohlcv.coinId);
            expect(Number(c.high)).toBeGreaterThanOrEqual(Number(c.low));
          }
        } else expectNotSupported(await reader.getOHLCV({ coinId: 'bitcoin' }));
        if (analytics)
          expect(Number(expectOk(await reader.getMarketAnalytics()).total_market_cap)).toBeGreaterThan(0);
        else expectNotSupported(await reader.getMarketAnalytics());
        if (level1) expect(Array.isArray(expectOk(await reader.getLevel1(level1)))).toBe(true);
        else expectNotSupported(await reader.getLevel1({}));
      },
      timeout,
    );

    it(
      'streams one cycle of valid records with --once semantics, then ends',
      async () => {
        await opts.beforeStream?.();
        const controller = new AbortController();
        const batches: SourceBatch[] = [];
        for await (const b of reader.stream({ signal: controller.signal, once: true })) {
          batches.push(b);
          await b.ack?.();
        }
        const records = batches.flatMap((b) => b.records);
        expect(records.length).toBeGreaterThanOrEqual(opts.minStreamRecords ?? 1);
        for (const r of records) expect(parseRecord(r).ok).toBe(true);
      },
      timeout,
    );

    it(
      'stops streaming promptly when the signal aborts',
      async () => {
        const controller = new AbortController();
        const it = reader.stream({ signal: controller.signal })[Symbol.asyncIterator]();
        const first = it.next();
        controller.abort();
        const started = Date.now();
        // drain until done: the stream must end on its own after the abort
        let r = await first;
        while (!r.done) r = await it.next();
        expect(Date.now() - started).toBeLessThan(10_000);
        expect((await reader.health()).details).toBeDefined();
      },
      timeout,
    );
  });
}
