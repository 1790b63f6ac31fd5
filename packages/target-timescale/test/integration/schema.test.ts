import { createLogger, decimal, extendSpec, nullable, RECORD_SPECS, type RecordSpecs } from '@qi/core';
import { expectOk, samplePrice } from '@qi/core/testkit';
import { admin, dropSchema, PG_URL, requirePostgres, unique, writer } from './helpers';

const schema = unique('qi_ts_schema');

beforeAll(requirePostgres);
afterAll(async () => {
  await dropSchema(schema);
  await admin.$pool.end();
});

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
  });
  return { logger, lines };
}

const columns = (table: string) =>
  admin.map(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [schema, table],
    (r: { column_name: string; data_type: string }) => `${r.column_name}:${r.data_type}`,
  );

describe('schema management', () => {
  it('creates every table with its natural primary key and time indexes, twice without error', async () => {
    for (let i = 0; i < 2; i++) {
      const w = writer(schema);
      expectOk(await w.init());
      expectOk(await w.close());
    }
    const tables = await admin.map(
      'SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1',
      [schema],
      (r: { tablename: string }) => r.tablename,
    );
    expect(tables).toEqual(['level1', 'market_analytics', 'ohlcv', 'prices']);
    const pk = await admin.map(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [`"${schema}".prices`],
      (r: { attname: string }) => r.attname,
    );
    expect(pk).toEqual([...RECORD_SPECS.price.key]);
    const indexes = await admin.map(
      'SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1',
      [schema, 'prices'],
      (r: { indexname: string }) => r.indexname,
    );
    expect(indexes).toEqual(expect.arrayContaining(['prices_ts_idx', 'prices_coin_id_exchange_ts_idx']));
    expect(await columns('prices')).toContain('price:numeric');
    expect(await columns('prices')).toContain('ts:timestamp with time zone');
  });

  it('says once, clearly, that hypertable features are off when TimescaleDB is not available', async () => {
    const { logger, lines } = capture();
    const w = writer(schema, {}, {}, { logger });
    expectOk(await w.init());
    expectOk(await w.close());
    const ts = lines.filter((l) => l.event === 'timescale.schema.timescale');
    expect(ts).toHaveLength(1);
    expect(ts[0]!.level).toBe(40); // warn
    expect(String(ts[0]!.msg)).toMatch(/hypertable features are off/);
  });

  it('refuses to start when timescale.enabled is true and the extension is missing or not preloaded', async () => {
    const w = writer(schema, { timescale: { enabled: true } });
    const init = await w.init();
    expect(init.ok).toBe(false);
    if (!init.ok) {
      // TimescaleDB installed by scripts/timescaledb.sh but not preloaded here, or not installed at all
      expect(init.error.code).toMatch(/^QI_TARGET_TIMESCALE_EXTENSION_(NOT_PRELOADED|MISSING)$/);
      expect(init.error.retryable).toBe(false);
    }
    await w.close();
  });

  it('adds a column for a new DSL field on the next start, keeps the rows, and writes the field', async () => {
    const before = writer(schema);
    expectOk(await before.publishPrice(samplePrice(1)));
    expectOk(await before.close());
    expect(await columns('prices')).not.toContain('liquidity_score:numeric');

    const specs: RecordSpecs = {
      ...RECORD_SPECS,
      price: extendSpec(RECORD_SPECS.price, { liquidity_score: nullable(decimal('test-only field')) }),
    };
    const { logger, lines } = capture();
    const after = writer(schema, {}, { specs }, { logger });
    expectOk(
      await after.publishPrice({ ...samplePrice(2), liquidity_score: '0.123456789012345678' } as never),
    );
    expectOk(await after.close());
    expect(await columns('prices')).toContain('liquidity_score:numeric');
    expect(lines.some((l) => l.event === 'timescale.schema.column' && l.column === 'liquidity_score')).toBe(
      true,
    );
    const rows = await admin.any(
      `SELECT coin_id, liquidity_score FROM "${schema}".prices ORDER BY ts, coin_id`,
    );
    expect(rows).toEqual([
      { coin_id: samplePrice(1).coin_id, liquidity_score: null },
      { coin_id: samplePrice(2).coin_id, liquidity_score: '0.123456789012345678' },
    ]);
  });

  it('quotes table names from config', async () => {
    const odd = 'my "prices"; drop';
    const w = writer(schema, { tables: { price: odd } });
    expectOk(await w.publishPrice(samplePrice(3)));
    expectOk(await w.close());
    const n = await admin.one(`SELECT count(*)::int AS n FROM "${schema}"."my ""prices""; drop"`);
    expect(n).toEqual({ n: 1 });
  });

  it('connects with discrete fields as well as a connection string', async () => {
    const u = new URL(PG_URL);
    const w = writer(schema, {
      connectionString: undefined,
      host: u.hostname,
      port: Number(u.port || 5432),
      user: decodeURIComponent(u.username),
      database: u.pathname.slice(1),
    });
    expectOk(await w.publishPrice(samplePrice(4)));
    expectOk(await w.close());
    expect(
      await admin.one(`SELECT count(*)::int AS n FROM "${schema}".prices WHERE coin_id = $1 AND ts = $2`, [
        samplePrice(4).coin_id,
        samplePrice(4).ts,
      ]),
    ).toEqual({ n: 1 });
  });
});
