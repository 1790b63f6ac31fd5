import { normalizeRecords, sampleAnalytics, sampleLevel1, sampleOhlcv, samplePrice } from '@qi/core/testkit';
import { LatestCache } from '../src/cache';

const recs = (xs: unknown[]) => normalizeRecords(xs);

describe('LatestCache', () => {
  it('keeps the latest record per instrument by its time, not by arrival', () => {
    const c = new LatestCache(100);
    const newer = samplePrice(6, { coin_id: 'bitcoin' });
    const older = samplePrice(0, { coin_id: 'bitcoin' });
    c.put(recs([newer, older, samplePrice(1, { coin_id: 'ethereum' })]));
    expect(c.prices(['bitcoin'], 'usd')).toEqual(recs([newer]));
    expect(c.prices(['bitcoin', 'ethereum'], 'usd')).toHaveLength(2);
    expect(c.prices(['bitcoin'], 'eur')).toEqual([]);
  });

  it('forgets the instrument updated longest ago past maxKeys', () => {
    const c = new LatestCache(2);
    c.put(
      recs([
        samplePrice(0, { coin_id: 'a' }),
        samplePrice(0, { coin_id: 'b' }),
        samplePrice(6, { coin_id: 'a' }),
        samplePrice(0, { coin_id: 'c' }),
      ]),
    );
    expect(c.size).toBe(2);
    expect(
      c
        .prices(['a', 'b', 'c'], 'usd')
        .map((p) => p.coin_id)
        .sort(),
    ).toEqual(['a', 'c']);
  });

  it('answers OHLCV, analytics and level1 queries', () => {
    const c = new LatestCache(100);
    c.put(recs([sampleOhlcv(0), sampleAnalytics(0), sampleAnalytics(1), sampleLevel1(0), sampleLevel1(1)]));
    expect(c.ohlcv({ coinId: 'bitcoin' })).toHaveLength(1);
    expect(c.ohlcv({ coinId: 'bitcoin', interval: '1d' })).toEqual([]);
    expect(c.analytics('usd')?.ts).toBe(recs([sampleAnalytics(1)])[0]!.ts);
    expect(c.level1({ exchange: 'kraken' }).map((l) => l.exchange)).toEqual(['kraken']);
  });
});
