import {
  extendSpec,
  instrumentKey,
  integer,
  type MarketRecord,
  nullable,
  parseRecord,
  RECORD_KINDS,
  RECORD_SPECS,
} from '@qi/core';
import { diffRecords, EXTREME_PRICES, samplePrice, sampleRecords } from '@qi/core/testkit';
import { avroTypeOf, decodeRecord, encodeRecord, instrumentKeyFn } from '../src/index';

const parse = (r: unknown) => {
  const p = parseRecord(r);
  if (!p.ok) throw p.error;
  return p.value;
};

describe('encoding', () => {
  it.each(['json', 'avro'] as const)(
    '%s: every kind round-trips field by field, extreme prices included',
    (serialization) => {
      const records: MarketRecord[] = [
        ...RECORD_KINDS.flatMap((k) => sampleRecords(k, 5).map(parse)),
        ...EXTREME_PRICES.map((p, i) =>
          parse(samplePrice(i, { price: p, market_cap: '3456789012345678.123456789' })),
        ),
      ];
      for (const r of records) {
        const { value, headers } = encodeRecord(r, serialization);
        const back = decodeRecord(value, headers);
        if (!back.ok) throw back.error;
        expect(diffRecords(r, back.value)).toEqual([]);
        expect(back.value).toEqual(r);
      }
    },
  );

  it('sets content type, schema name and version, source, and the Avro fingerprint', () => {
    const r = parse(samplePrice(1));
    expect(encodeRecord(r, 'json').headers).toEqual({
      'content-type': 'application/json',
      'qi-schema': 'price',
      'qi-schema-version': '1',
      'qi-source': 'testkit',
    });
    const a = encodeRecord(r, 'avro').headers;
    expect(a['content-type']).toBe('avro/binary');
    expect(a['qi-schema-fingerprint']).toMatch(/^[0-9a-f]{64}$/);
    expect(a['qi-schema-fingerprint']).toBe(avroTypeOf('price').fingerprint);
  });

  it('writes timestamps as Avro long timestamp-millis', () => {
    const r = parse(samplePrice(7));
    const decoded = avroTypeOf('price').type.fromBuffer(encodeRecord(r, 'avro').value) as { ts: unknown };
    expect(decoded.ts).toBe(Date.parse(r.ts));
  });

  it('refuses an Avro message written with another schema, and says which', () => {
    const r = parse(samplePrice(1));
    const { value, headers } = encodeRecord(r, 'avro');
    const other = decodeRecord(value, { ...headers, 'qi-schema-fingerprint': 'ab'.repeat(32) });
    expect(!other.ok && other.error.code).toBe('QI_KAFKA_CODEC_SCHEMA_MISMATCH');
    expect(!other.ok && other.error.category).toBe('data');
  });

  it('a DSL field added to a spec flows into the Avro schema with no other edit', () => {
    const extended = {
      ...RECORD_SPECS,
      price: extendSpec(RECORD_SPECS.price, { venue_rank: nullable(integer('rank of the venue')) }),
    } as typeof RECORD_SPECS;
    const a = avroTypeOf('price', extended);
    expect(a.fingerprint).not.toBe(avroTypeOf('price').fingerprint);
    const p = parseRecord({ ...samplePrice(3), venue_rank: 7 }, extended);
    if (!p.ok) throw p.error;
    const { value, headers } = encodeRecord(p.value, 'avro', extended);
    expect(decodeRecord(value, headers, extended)).toEqual({
      ok: true,
      value: { ...p.value, venue_rank: 7 },
    });
  });

  it('reports undecodable messages as data errors', () => {
    expect(decodeRecord(Buffer.from('{not json'), { 'content-type': 'application/json' })).toMatchObject({
      ok: false,
      error: { code: 'QI_KAFKA_CODEC_DECODE', category: 'data' },
    });
    expect(decodeRecord(null)).toMatchObject({ ok: false, error: { code: 'QI_KAFKA_CODEC_DECODE' } });
    expect(decodeRecord(Buffer.from('x'), { 'content-type': 'avro/binary' })).toMatchObject({
      ok: false,
      error: { code: 'QI_KAFKA_CODEC_DECODE' },
    });
    const invalid = decodeRecord(Buffer.from(JSON.stringify({ ...samplePrice(1), price: 'abc' })));
    expect(invalid).toMatchObject({ ok: false, error: { code: 'QI_VALIDATION' } });
  });
});

describe('JSON from other producers', () => {
  it('keeps every digit of number literals, decided from the text and not the double', () => {
    const base = JSON.stringify({ ...samplePrice(1), price: 0, market_cap: 0, volume_24h: 0 });
    const value = base
      .replace('"price":0', '"price":0.99999999999999999')
      .replace('"market_cap":0', '"market_cap":3456789012345678.123456789')
      .replace('"volume_24h":0', '"volume_24h":1.5E+20');
    const r = decodeRecord(Buffer.from(value), { 'content-type': 'application/json' });
    if (!r.ok) throw r.error;
    expect(r.value).toMatchObject({
      price: '0.99999999999999999',
      market_cap: '3456789012345678.123456789',
      volume_24h: '150000000000000000000',
    });
  });
  it('names an unknown kind with a bounded quote', () => {
    const r = decodeRecord(Buffer.from(JSON.stringify({ kind: 'k'.repeat(10_000) })));
    expect(!r.ok && r.error.message).toMatch(/^message of unknown kind "k{40}"… \(10000 chars\)$/);
  });
});

describe('message keys', () => {
  it("equal core's instrumentKey for every kind, nulls included", () => {
    const keyOf = instrumentKeyFn(RECORD_SPECS);
    for (const k of RECORD_KINDS)
      for (const r of sampleRecords(k, 6).map(parse)) expect(keyOf(r)).toBe(instrumentKey(r));
    expect(keyOf(parse(samplePrice(2)))).toBe('solana|aggregate|usd');
  });
});
