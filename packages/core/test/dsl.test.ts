import {
  decimal,
  extendSpec,
  fieldsOf,
  generateAvroSchemas,
  generateJsonSchemas,
  generateSql,
  generateTopics,
  normalizeDecimal,
  nullable,
  parseRecord,
  RECORD_SPECS,
  tableDdl,
} from '../src/index';
import { benchPrices, samplePrice } from '../src/testkit/index';

describe('normalizeDecimal', () => {
  it.each([
    ['0.000000001234', '0.000000001234'],
    [1e-12, '0.000000000001'],
    ['1234567890123.45678', '1234567890123.45678'],
    ['1.2345e3', '1234.5'],
    ['-0.0', '0'],
    ['00012.5000', '12.5'],
    [1.5e21, '1500000000000000000000'],
    [12345678901234567890n, '12345678901234567890'],
  ])('%p -> %p', (input, out) => expect(normalizeDecimal(input as never)).toBe(out));
  it.each(['abc', '', '1.2.3', 'NaN', '1e', Number.NaN, Number.POSITIVE_INFINITY])('rejects %p', (input) =>
    expect(normalizeDecimal(input as never)).toBeUndefined(),
  );
});

describe('records', () => {
  it('normalises a price record and keeps every digit', () => {
    const r = parseRecord(
      samplePrice(1, { price: '1234567890123.45678', market_cap: 3.5e12, ts: 1767225600000 }),
    );
    expect(r.ok && r.value).toMatchObject({
      price: '1234567890123.45678',
      market_cap: '3500000000000',
      ts: '2026-01-01T00:00:00.000Z',
      change_24h_pct: '-1.25',
    });
  });
  it('names the field and what was expected', () => {
    const r = parseRecord({ ...samplePrice(1), price: 'ten' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toMatch(
        /invalid price record: price: expected a finite decimal number, received "ten"/,
      );
    const k = parseRecord({ kind: 'trade' });
    expect(!k.ok && k.error.message).toMatch(/kind: expected one of price, ohlcv, analytics, level1/);
  });
  it('fills nullable fields with null', () => {
    const { market_cap, ...rest } = samplePrice(1) as Record<string, unknown>;
    const r = parseRecord(rest);
    expect(r.ok && r.value).toMatchObject({ market_cap: null });
  });
});

describe('generators', () => {
  it('puts every field in every artifact', () => {
    const sql = generateSql();
    const topics = generateTopics();
    const json = generateJsonSchemas() as Record<string, { properties: Record<string, unknown> }>;
    const avro = generateAvroSchemas();
    for (const spec of Object.values(RECORD_SPECS)) {
      for (const f of fieldsOf(spec)) {
        expect(sql).toContain(`"${f.name}"`);
        expect(Object.keys(json[spec.kind]!.properties)).toContain(f.name);
        expect(avro[spec.kind]!.fields.map((x) => x.name)).toContain(f.name);
      }
    }
    expect(topics.map((t) => t.topic)).toEqual(['qi.prices', 'qi.ohlcv', 'qi.market_analytics', 'qi.level1']);
    expect(sql).toContain('PRIMARY KEY ("coin_id", "exchange", "vs_currency", "ts")');
  });
  it('flows a field added to a schema into DDL as an additive column', () => {
    const spec = extendSpec(RECORD_SPECS.price, { fdv: nullable(decimal('fully diluted valuation')) });
    const ddl = tableDdl(spec, { schema: 'qi' });
    expect(ddl.statements.join('\n')).toContain(
      'ALTER TABLE "qi"."prices" ADD COLUMN IF NOT EXISTS "fdv" NUMERIC;',
    );
  });
  it('emits hypertable statements only when asked', () => {
    expect(generateSql()).not.toContain('create_hypertable');
    expect(generateSql({ timescale: { compressAfter: '7 days', retention: '90 days' } })).toContain(
      "add_retention_policy('\"prices\"', INTERVAL '90 days'",
    );
  });
});

describe.each(['compiled', 'generic'] as const)('fast path (%s)', (mode) => {
  it('gives exactly what zod gives for canonical records, and defers to zod for the rest', () => {
    const { SAMPLERS } = require('../src/testkit/index') as typeof import('../src/testkit/index');
    const { buildFastParser } = require('../src/dsl/fast-path') as typeof import('../src/dsl/fast-path');
    const fastParser = (spec: (typeof RECORD_SPECS)[keyof typeof RECORD_SPECS]) =>
      buildFastParser(spec, mode);
    for (const kind of ['price', 'ohlcv', 'analytics', 'level1'] as const) {
      for (let i = 0; i < 50; i++) {
        const viaZod = RECORD_SPECS[kind].schema.parse(SAMPLERS[kind](i));
        const fast = fastParser(RECORD_SPECS[kind])({ ...viaZod, extra: 'dropped' });
        expect(fast).toEqual(viaZod);
        // same key order as zod's output: the JSON a target writes does not depend on the path taken
        expect(JSON.stringify(fast)).toBe(JSON.stringify(viaZod));
      }
    }
    const canonical = RECORD_SPECS.price.schema.parse(samplePrice(3));
    const fast = fastParser(RECORD_SPECS.price);
    expect(fast({ ...canonical, ts: '2024-02-29T23:59:59.999Z' })).toBeDefined();
    for (const notCanonical of [
      { price: '1.50' },
      { price: 1.5 },
      { price: '-0' },
      { ts: '2026-01-01T00:00:00Z' },
      { ts: '2026-02-30T00:00:00.000Z' },
      { ts: '2026-02-29T00:00:00.000Z' },
      { ts: '2026-13-01T00:00:00.000Z' },
      { ts: '2026-01-01T24:00:00.000Z' },
      { coin_id: '' },
      { exchange: undefined },
      { kind: 'ohlcv' },
    ]) {
      expect(fast({ ...canonical, ...notCanonical })).toBeUndefined();
    }
    // the sanity rules: the fast path never accepts what zod refuses, field by field
    const probes = ['-1', '-0.5', '0', '12.5', '2008-12-31T23:59:59.999Z', '2009-01-01T00:00:00.000Z'];
    for (const kind of ['price', 'ohlcv', 'analytics', 'level1'] as const) {
      const spec = RECORD_SPECS[kind];
      const base = spec.schema.parse(SAMPLERS[kind](1)) as Record<string, unknown>;
      for (const f of fieldsOf(spec)) {
        if (f.type === 'kind') continue;
        for (const probe of probes) {
          const input = { ...base, [f.name]: probe };
          const viaZod = spec.schema.safeParse(input);
          const viaFast = fastParser(spec)(input);
          if (!viaZod.success)
            expect([kind, f.name, probe, viaFast]).toEqual([kind, f.name, probe, undefined]);
          else if (viaFast) expect(viaFast).toEqual(viaZod.data);
        }
      }
    }
    expect(fast({ ...canonical, price: '-1' })).toBeUndefined();
    expect(fast({ ...canonical, change_24h_pct: '-1' })).toBeDefined();
    expect(fast({ ...canonical, ts: '2008-12-31T23:59:59.999Z' })).toBeUndefined();
    // and parseRecord still normalises what the fast path declines
    const r = parseRecord({ ...canonical, price: '1.50', ts: '2026-01-01T00:00:00Z' });
    expect(r.ok && [(r.value as { price: string }).price, r.value.ts]).toEqual([
      '1.5',
      '2026-01-01T00:00:00.000Z',
    ]);
  });
});

describe('benchPrices', () => {
  it('are canonical: validation changes nothing, so a benchmark sends the same bytes on every path', () => {
    const records = benchPrices(20_000);
    expect(new Set(records.map((r) => r.coin_id)).size).toBe(500);
    for (const r of records) {
      const zod = RECORD_SPECS.price.schema.parse(r);
      expect(JSON.stringify(zod)).toBe(JSON.stringify(r));
    }
  });
});

describe('validated records', () => {
  it('are not validated again for the same schema, but are for another', () => {
    const first = parseRecord(samplePrice(1), RECORD_SPECS, { remember: true });
    if (!first.ok) throw first.error;
    const again = parseRecord(first.value);
    expect(again.ok && again.value).toBe(first.value); // same object: no new parse
    const notRemembered = parseRecord(samplePrice(1));
    if (!notRemembered.ok) throw notRemembered.error;
    const parsedAgain = parseRecord(notRemembered.value);
    expect(parsedAgain.ok && parsedAgain.value).not.toBe(notRemembered.value);
    const extended = {
      ...RECORD_SPECS,
      price: extendSpec(RECORD_SPECS.price, { fdv: decimal('required in this test') }),
    };
    const strict = parseRecord(first.value, extended);
    expect(strict.ok).toBe(false);
    expect(!strict.ok && strict.error.message).toContain('fdv');
  });
});
