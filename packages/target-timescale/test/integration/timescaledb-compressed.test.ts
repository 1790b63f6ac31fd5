import { decimal, extendSpec, nullable, quoteIdent, RECORD_SPECS, type RecordSpecs } from '@qi/core';
import { expectOk, samplePrice } from '@qi/core/testkit';
import { unique } from './helpers';
import { adminOf, capture, requireTimescale, TS_URL, tsWriter } from './timescaledb-helpers';

// Writes into compressed chunks of a real TimescaleDB: TimescaleDB decompresses the
// matching segments for the upsert, so counts and values must come out as on a plain table.
const db = adminOf(TS_URL);
const schema = unique('qi_tsdb_cmp');
const prices = `${quoteIdent(schema)}.prices`;
const config = { timescale: { enabled: true as const, chunkInterval: '1 day', compressAfter: '7 days' } };
const prices0 = Array.from({ length: 60 }, (_, i) => samplePrice(i));

beforeAll(() => requireTimescale(db, TS_URL, 'timescale'));
afterAll(async () => {
  await db.none(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await db.$pool.end();
});

const rows = () =>
  db.any(`SELECT coin_id, ts, price, market_cap, volume_24h FROM ${prices} ORDER BY ts, coin_id`);
const compressAll = () =>
  db.any(`SELECT compress_chunk(c, if_not_compressed => TRUE) FROM show_chunks($1::regclass) c`, [prices]);
const compressedChunks = async () =>
  (
    await db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_schema = $1 AND hypertable_name = 'prices' AND is_compressed`,
      [schema],
    )
  ).n;

async function publish(records: unknown[], specs?: RecordSpecs) {
  const w = tsWriter(TS_URL, schema, config, specs ? { specs } : {});
  expectOk(await w.publishPrices(records as never));
  expectOk(await w.close());
}

describe('writes into compressed chunks', () => {
  let stored: Record<string, unknown>[];

  beforeAll(async () => {
    await publish(prices0);
    await compressAll();
    stored = await rows();
  });

  it('compressed the chunk holding the rows', async () => {
    expect(stored).toHaveLength(60);
    expect(await compressedChunks()).toBe(1);
  });

  it('a replay of the same records changes nothing', async () => {
    await publish(prices0);
    expect(await rows()).toEqual(stored);
  });

  it('an upsert of changed records rewrites exactly those rows, with every digit', async () => {
    await compressAll();
    const changed = prices0
      .slice(0, 10)
      .map((p) => ({ ...p, price: '0.000000001234', market_cap: '3456789012345678.123456789' }));
    await publish(changed);
    const now = await rows();
    expect(now).toHaveLength(60);
    const byKey = (r: Record<string, unknown>) => `${r.coin_id}@${(r.ts as Date).toISOString()}`;
    const keys = new Set(changed.map((p) => `${p.coin_id}@${p.ts}`));
    for (const r of now) {
      if (keys.has(byKey(r)))
        expect(r).toMatchObject({ price: '0.000000001234', market_cap: '3456789012345678.123456789' });
      else expect(r).toEqual(stored.find((s) => byKey(s) === byKey(r)));
    }
  });

  it('new keys in the time range of a compressed chunk are added', async () => {
    await compressAll();
    await publish(Array.from({ length: 20 }, (_, i) => samplePrice(60 + i)));
    expect(await rows()).toHaveLength(80);
  });

  it("a batch beyond TimescaleDB's decompression limit fails at once (not retried), naming the setting", async () => {
    await compressAll();
    const options = encodeURIComponent('-c timescaledb.max_tuples_decompressed_per_dml_transaction=5');
    const { logger, lines } = capture();
    const w = tsWriter(`${TS_URL}?options=${options}`, schema, config, {}, { logger });
    const r = await w.publishPrices(prices0.slice(10, 40));
    expectOk(await w.close());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({
        code: 'QI_TARGET_TIMESCALE_LIMIT',
        category: 'config',
        retryable: false,
      });
      expect(r.error.message).toMatch(
        /tuple decompression limit exceeded.*\[SQLSTATE 53400\].*timescaledb\.max_tuples_decompressed_per_dml_transaction = 0/,
      );
    }
    expect(lines.filter((l) => l.event === 'writer.retry')).toEqual([]);
    expect(await rows()).toHaveLength(80);
  });

  it('adds a column for a new DSL field to the compressed hypertable and writes it', async () => {
    await compressAll();
    const specs: RecordSpecs = {
      ...RECORD_SPECS,
      price: extendSpec(RECORD_SPECS.price, { liquidity_score: nullable(decimal('test-only field')) }),
    };
    const { logger, lines } = capture();
    const w = tsWriter(TS_URL, schema, config, { specs }, { logger });
    expectOk(
      await w.publishPrices([{ ...samplePrice(80), liquidity_score: '0.123456789012345678' }] as never),
    );
    expectOk(await w.publishPrices([{ ...samplePrice(0), liquidity_score: '7.5' }] as never));
    expectOk(await w.close());
    expect(lines.some((l) => l.event === 'timescale.schema.column' && l.column === 'liquidity_score')).toBe(
      true,
    );
    const scored = await db.any(
      `SELECT coin_id, liquidity_score FROM ${prices} WHERE liquidity_score IS NOT NULL ORDER BY ts`,
    );
    expect(scored).toEqual([
      { coin_id: samplePrice(0).coin_id, liquidity_score: '7.5' },
      { coin_id: samplePrice(80).coin_id, liquidity_score: '0.123456789012345678' },
    ]);
    expect((await db.one(`SELECT count(*)::int AS n FROM ${prices}`)).n).toBe(81);
  });
});
