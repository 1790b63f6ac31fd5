import { type MarketRecord, parseRecord, RECORD_SPECS } from '@qi/core';
import { samplePrice, sampleRecords } from '@qi/core/testkit';
import { columnsOf, copyEncoder, copyEscape, lastPerKey, rowToRecord } from '../src/encoding';

const parsed = (raw: unknown) => {
  const r = parseRecord(raw);
  if (!r.ok) throw r.error;
  return r.value;
};

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and leaves other text alone', () => {
    expect(copyEscape('plain text, é, "quotes"')).toBe('plain text, é, "quotes"');
    expect(copyEscape('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyEscape('\\.')).toBe('\\\\.');
  });

  it('renders one line per record, columns in DSL order, NULL as \\N', () => {
    const encode = copyEncoder(columnsOf(RECORD_SPECS.price));
    const rec = parsed(samplePrice(5, { symbol: 'a\tb', change_24h_pct: null }));
    const line = encode([rec]);
    expect(line.endsWith('\n')).toBe(true);
    const cells = line.slice(0, -1).split('\t');
    expect(cells).toHaveLength(columnsOf(RECORD_SPECS.price).names.length); // the escaped tab is not a separator
    expect(line).toContain('a\\tb');
    expect(cells[columnsOf(RECORD_SPECS.price).names.indexOf('market_cap')]).toBe('\\N');
    expect(line).toContain(`\t${rec.ts}\t`);
  });

  it('writes integers as digits', () => {
    const encode = copyEncoder(columnsOf(RECORD_SPECS.analytics));
    const [rec] = sampleRecords('analytics', 1).map(parsed);
    expect(encode([rec!])).toContain('\t15000\t1200\t');
  });
});

describe('lastPerKey', () => {
  const key = RECORD_SPECS.price.key;
  it('returns the same array when keys are unique', () => {
    const rs = sampleRecords('price', 20).map(parsed) as MarketRecord[];
    expect(lastPerKey(rs, key)).toBe(rs);
  });
  it('keeps the last record of each duplicated key, in order', () => {
    const a = parsed(samplePrice(1, { price: '1' }));
    const b = parsed(samplePrice(2));
    const a2 = parsed(samplePrice(1, { price: '2' }));
    expect(lastPerKey([a, b, a2], key)).toEqual([b, a2]);
  });
});

it('rowToRecord turns timestamps into ISO strings and keeps the rest', () => {
  expect(rowToRecord({ ts: new Date('2026-01-01T00:00:00Z'), price: '1.5', n: 3, x: null })).toEqual({
    ts: '2026-01-01T00:00:00.000Z',
    price: '1.5',
    n: 3,
    x: null,
  });
});
