import { quoteIdent } from '@qi/core';
import { expectOk, samplePrice } from '@qi/core/testkit';
import { classifyPgError } from '../../src/errors';
import { unique } from './helpers';
import { adminOf, capture, requireTimescale, TS_APACHE_URL, tsWriter } from './timescaledb-helpers';

// TimescaleDB under timescaledb.license = 'apache' (scripts/timescaledb.sh's second cluster):
// hypertables and drop_chunks work, compression and policies answer SQLSTATE 0A000.
const db = adminOf(TS_APACHE_URL);
const schema = unique('qi_tsdb_apache');

beforeAll(() => requireTimescale(db, TS_APACHE_URL, 'apache'));
afterAll(async () => {
  await db.none(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await db.$pool.end();
});

describe('TimescaleDB under the "apache" license', () => {
  it('makes hypertables without compression or policies, says so once, and writes', async () => {
    const { logger, warnings } = capture();
    const w = tsWriter(TS_APACHE_URL, schema, { timescale: { enabled: true } }, {}, { logger });
    expectOk(await w.publishPrices([samplePrice(1), samplePrice(2)]));
    expectOk(await w.close());
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ event: 'timescale.schema.timescale', license: 'apache' });
    expect(String(warnings()[0]!.msg)).toMatch(
      /"apache" license.*timescale\.compressAfter, timescale\.retention/,
    );
    const ht = await db.any(
      'SELECT hypertable_name AS t, compression_enabled AS c FROM timescaledb_information.hypertables WHERE hypertable_schema = $1 ORDER BY 1',
      [schema],
    );
    expect(ht).toEqual(['level1', 'market_analytics', 'ohlcv', 'prices'].map((t) => ({ t, c: false })));
    expect(
      await db.any('SELECT job_id FROM timescaledb_information.jobs WHERE hypertable_schema = $1', [schema]),
    ).toEqual([]);
    expect((await db.one(`SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.prices`)).n).toBe(2);
  });

  it('refuses configured compression or retention with the keys to clear, and changes nothing', async () => {
    const before = await db.any(
      'SELECT hypertable_name FROM timescaledb_information.hypertables WHERE hypertable_schema = $1',
      [schema],
    );
    const w = tsWriter(TS_APACHE_URL, schema, {
      timescale: { compressAfter: '7 days', retention: '90 days' },
    });
    const init = await w.init();
    await w.close();
    expect(init.ok).toBe(false);
    if (!init.ok)
      expect(init.error).toMatchObject({
        code: 'QI_TARGET_TIMESCALE_FEATURE_NOT_SUPPORTED',
        category: 'config',
        retryable: false,
        message: expect.stringContaining('clear timescale.compressAfter and timescale.retention'),
      });
    expect(
      await db.any(
        'SELECT hypertable_name FROM timescaledb_information.hypertables WHERE hypertable_schema = $1',
        [schema],
      ),
    ).toEqual(before);
  });

  it("classifies the server's own 0A000 as QI_TARGET_TIMESCALE_FEATURE_NOT_SUPPORTED, naming the statement", async () => {
    const stmt = `ALTER TABLE ${quoteIdent(schema)}.prices SET (timescaledb.compress)`;
    const e = classifyPgError(await db.none(stmt).catch((err: unknown) => err), stmt);
    expect(e).toMatchObject({
      code: 'QI_TARGET_TIMESCALE_FEATURE_NOT_SUPPORTED',
      category: 'config',
      context: { sqlstate: '0A000' },
    });
    expect(e.message).toMatch(/"apache" license.*\[SQLSTATE 0A000\]; statement: ALTER TABLE/);
  });
});
