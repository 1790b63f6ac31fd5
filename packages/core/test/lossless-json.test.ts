import { normalizeDecimal, parseJsonLossless, parseRecord } from '../src/index';
import { samplePrice } from '../src/testkit/index';

// literals whose double differs from the text, including ones whose double is a safe integer
const INEXACT = [
  '3456789012345678.123456789',
  '0.99999999999999999',
  '1.0000000000000001',
  '9007199254740993',
  '123456789012345678901234567890.123456789',
  '1e400',
  '1e-400',
];
// literals a double holds exactly: they stay numbers (integers must, for integer fields)
const EXACT: Array<[string, number]> = [
  ['12', 12],
  ['0.5', 0.5],
  ['1e-12', 1e-12],
  ['1.5E+20', 1.5e20],
  ['1.0', 1],
  ['-0', -0],
  ['1700000000000', 1700000000000],
];

describe('parseJsonLossless', () => {
  it.each(INEXACT)('keeps %s as its source text', (literal) => {
    expect(parseJsonLossless(`{"v":${literal}}`)).toEqual({ v: literal });
  });
  it.each(EXACT)('keeps %s as the number %p', (literal, n) => {
    const v = (parseJsonLossless(`[${literal}]`) as unknown[])[0];
    expect(typeof v).toBe('number');
    expect(Object.is(v, n)).toBe(true);
  });
  it('never changes the decimal a literal denotes, nested anywhere', () => {
    const literals = [...INEXACT, ...EXACT.map(([l]) => l)];
    const parsed = parseJsonLossless(`{"a":[${literals.join(',')}],"b":{"c":${literals[0]}}}`) as {
      a: Array<string | number>;
      b: { c: unknown };
    };
    expect(parsed.a.map((v) => normalizeDecimal(v))).toEqual(literals.map((l) => normalizeDecimal(l)));
    expect(parsed.b.c).toBe(literals[0]);
  });
  it('turns every number into text in numbersAsText mode, strings untouched', () => {
    expect(parseJsonLossless('{"a":12,"b":"12.50","c":6.26e-06}', { numbersAsText: true })).toEqual({
      a: '12',
      b: '12.50',
      c: '6.26e-06',
    });
  });
  it('throws SyntaxError on bad JSON', () => {
    expect(() => parseJsonLossless('{"a":')).toThrow(SyntaxError);
  });
  it('brings the digits through to the record', () => {
    const line = JSON.stringify(samplePrice(1)).replace(
      /"market_cap":"[^"]*"/,
      '"market_cap":3456789012345678.123456789',
    );
    const r = parseRecord(parseJsonLossless(line));
    expect(r.ok && r.value).toMatchObject({ market_cap: '3456789012345678.123456789' });
  });
});
