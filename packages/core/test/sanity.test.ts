import { DEFAULT_MAX_FUTURE_SKEW_MS, parseRecord, quoteValue, RECORD_SPECS } from '../src/index';
import { samplePrice, sampleRecords } from '../src/testkit/index';

const reason = (input: unknown, opts = {}) => {
  const r = parseRecord(input, RECORD_SPECS, opts);
  return r.ok ? undefined : r.error.message;
};

describe('sanity rules', () => {
  it.each([
    ['price', { price: '-1' }],
    ['price', { market_cap: -5 }],
    ['price', { volume_24h: '-0.000001' }],
  ])('a negative %s figure is invalid: %p', (_k, patch) => {
    const field = Object.keys(patch)[0]!;
    expect(reason({ ...samplePrice(1), ...patch })).toMatch(
      new RegExp(`${field}: must be >= 0, received "-`),
    );
  });
  it('applies to every price, volume, size and market cap of every kind, not to percentages', () => {
    const negative = {
      ohlcv: ['open', 'high', 'low', 'close', 'volume'],
      analytics: ['total_market_cap', 'total_volume'],
      level1: ['bid', 'ask', 'bid_size', 'ask_size', 'last', 'volume_24h'],
    } as const;
    for (const [kind, fields] of Object.entries(negative)) {
      const base = sampleRecords(kind as never, 1)[0] as Record<string, unknown>;
      for (const f of fields) expect(reason({ ...base, [f]: '-1' })).toContain(`${f}: must be >= 0`);
    }
    expect(reason({ ...samplePrice(1), change_24h_pct: '-12.5' })).toBeUndefined();
    expect(reason({ ...samplePrice(1), price: '0', market_cap: '-0' })).toBeUndefined();
  });
  it.each([-1, 12345, 1230768000000 - 1, '2008-12-31T23:59:59Z'])(
    'a timestamp before 2009 is invalid: %p',
    (ts) => {
      expect(reason({ ...samplePrice(1), ts })).toMatch(/ts: must be on or after 2009-01-01/);
    },
  );
  it('bounds the future by maxFutureSkewMs from now', () => {
    const now = Date.parse('2026-06-01T00:00:00.000Z');
    const at = (ms: number) => ({ ...samplePrice(1), ts: now + ms });
    expect(reason(at(DEFAULT_MAX_FUTURE_SKEW_MS), { now: () => now })).toBeUndefined();
    expect(reason(at(DEFAULT_MAX_FUTURE_SKEW_MS + 1), { now: () => now })).toMatch(
      /ts: must not be more than 300 s in the future \(maxFutureSkewMs\), received "2026-06-01T00:05:00.001Z"/,
    );
    expect(reason(at(3_600_000), { now: () => now, maxFutureSkewMs: 3_600_000 })).toBeUndefined();
    // microseconds sent as milliseconds land in the year 50000-something
    expect(reason({ ...samplePrice(1), ts: now * 1000 }, { now: () => now })).toMatch(
      /ts: is after the year 9999 \(microseconds or nanoseconds instead of milliseconds\?\)/,
    );
    // the canonical (fast) path and the zod path say the same
    const canonical = RECORD_SPECS.price.schema.parse(at(3_600_000));
    expect(reason(canonical, { now: () => now })).toMatch(/in the future/);
  });
});

describe('bounded reasons', () => {
  it('quote at most a short prefix of a bad value, with its size', () => {
    const huge = 'x'.repeat(1_000_000);
    for (const patch of [{ price: huge }, { ts: huge }, { kind: huge }]) {
      const why = reason({ ...samplePrice(1), ...patch })!;
      expect(why).toBeDefined();
      expect(why.length).toBeLessThan(300);
    }
    expect(reason({ ...samplePrice(1), price: huge })).toContain('… (1000000 chars)');
    expect(quoteValue('ten')).toBe('"ten"');
    expect(quoteValue({ a: 1 })).toBe('"{\\"a\\":1}"');
  });
});
