import { quoteIdent } from '@qi/core';
import { pgp } from '../../src/client';
import { EXTENSION_STATE_SQL, HYPERTABLE_STATE_SQL } from '../../src/timescale';
import { admin, dropSchema, requirePostgres, unique } from './helpers';

// No TimescaleDB here: the state queries run against stand-in catalog tables shaped like
// timescaledb_information.jobs / .hypertables, so their SQL and interval comparisons are checked
// by the real server.
const catalog = unique('qi_ts_fake_tsinfo');
const sql = HYPERTABLE_STATE_SQL.replaceAll('timescaledb_information.', `${quoteIdent(catalog)}.`);
const state = (table: string, compressAfter: string | null, retention: string | null) =>
  admin.oneOrNone(
    new pgp.ParameterizedQuery({ text: sql, values: ['market', table, compressAfter, retention] }),
  );

beforeAll(async () => {
  await requirePostgres();
  await admin.none(`CREATE SCHEMA ${quoteIdent(catalog)}`);
  await admin.none(
    `CREATE TABLE ${quoteIdent(catalog)}.hypertables (hypertable_schema name, hypertable_name name, compression_enabled boolean)`,
  );
  await admin.none(
    `CREATE TABLE ${quoteIdent(catalog)}.jobs (hypertable_schema name, hypertable_name name, proc_name name, config jsonb)`,
  );
  await admin.none(
    `INSERT INTO ${quoteIdent(catalog)}.hypertables VALUES ('market', 'prices', true), ('market', 'ohlcv', false)`,
  );
  await admin.none(`INSERT INTO ${quoteIdent(catalog)}.jobs VALUES
    ('market', 'prices', 'policy_compression', '{"hypertable_id": 1, "compress_after": "7 days"}'),
    ('market', 'prices', 'policy_retention', '{"hypertable_id": 1, "drop_after": "90 days"}')`);
});
afterAll(async () => {
  await dropSchema(catalog);
  await admin.$pool.end();
});

describe('TimescaleDB state queries', () => {
  it('reads compression and policies, comparing intervals as intervals', async () => {
    expect(await state('prices', '168 hours', '90 days')).toEqual({
      compressionEnabled: true,
      compressAfter: '7 days',
      retention: '90 days',
      compressAfterSame: true,
      retentionSame: true,
    });
    expect(await state('prices', '3 days', null)).toMatchObject({
      compressAfterSame: false,
      retentionSame: false,
    });
  });

  it('gives a hypertable without policies, and nothing for a plain table', async () => {
    expect(await state('ohlcv', '7 days', null)).toEqual({
      compressionEnabled: false,
      compressAfter: null,
      retention: null,
      compressAfterSame: false,
      retentionSame: false,
    });
    expect(await state('level1', null, null)).toBeNull();
  });

  it('detects the extension through the catalogs', async () => {
    expect(await admin.one(EXTENSION_STATE_SQL)).toEqual({ installed: null, available: null });
  });
});
