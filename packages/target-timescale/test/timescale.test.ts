import { RECORD_SPECS, tableDdl } from '@qi/core';
import { decideTimescale, type HypertableState, NO_HYPERTABLE, planTimescale } from '../src/timescale';

// This machine has no TimescaleDB: the decisions and the statements are tested here, pure.
describe('decideTimescale', () => {
  const none = { installed: null, available: null };
  it('uses an installed extension', () => {
    expect(decideTimescale('auto', { installed: '2.17.0', available: '2.17.0' })).toMatchObject({
      use: true,
      createExtension: false,
    });
  });
  it('creates an available extension', () => {
    expect(decideTimescale('auto', { installed: null, available: '2.17.0' })).toMatchObject({
      use: true,
      createExtension: true,
    });
    expect(decideTimescale(true, { installed: null, available: '2.17.0' })).toMatchObject({
      use: true,
      createExtension: true,
    });
  });
  it('falls back to plain tables with one warning in auto mode', () => {
    const d = decideTimescale('auto', none);
    expect(d).toMatchObject({ use: false, createExtension: false, log: { level: 'warn' } });
    expect(d.log.message).toMatch(/hypertable features are off/);
  });
  it('fails when required but missing', () => {
    expect(() => decideTimescale(true, none)).toThrow(
      expect.objectContaining({ code: 'TS_TIMESCALE_MISSING', retryable: false }),
    );
  });
  it('says it at info level on the embedded database, which never has the extension', () => {
    expect(decideTimescale('auto', none, true)).toMatchObject({ use: false, log: { level: 'info' } });
    expect(() => decideTimescale(true, none, true)).toThrow(/embedded database/);
  });
  it('stays off when disabled, even when installed', () => {
    expect(decideTimescale(false, { installed: '2.17.0', available: '2.17.0' })).toMatchObject({
      use: false,
      log: { level: 'info' },
    });
  });
});

describe('hypertable statements', () => {
  const opts = { chunkInterval: '12 hours', compressAfter: '7 days', retention: '90 days' };
  const ddl = tableDdl(RECORD_SPECS.price, { schema: 'market', timescale: opts });
  const rel = '"market"."prices"';

  it('core generates hypertable, compression (segment by coin/exchange, order by time) and retention statements', () => {
    expect(ddl.timescale).toEqual([
      `SELECT create_hypertable('"market"."prices"', by_range('ts', INTERVAL '12 hours'), if_not_exists => TRUE, migrate_data => TRUE);`,
      `ALTER TABLE "market"."prices" SET (timescaledb.compress, timescaledb.compress_segmentby = 'coin_id, exchange', timescaledb.compress_orderby = 'ts DESC');`,
      `SELECT add_compression_policy('"market"."prices"', INTERVAL '7 days', if_not_exists => TRUE);`,
      `SELECT add_retention_policy('"market"."prices"', INTERVAL '90 days', if_not_exists => TRUE);`,
    ]);
    expect(
      tableDdl(RECORD_SPECS.price, { schema: 'market', timescale: { chunkInterval: '1 day' } }).timescale,
    ).toHaveLength(1);
  });

  it('runs everything on a new table', () => {
    expect(planTimescale(ddl, rel, NO_HYPERTABLE, opts)).toEqual(ddl.timescale);
  });

  it('runs nothing on a table already set up as configured', () => {
    const done: HypertableState = {
      isHypertable: true,
      compressionEnabled: true,
      compressAfter: '7 days',
      retention: '90 days',
      compressAfterSame: true,
      retentionSame: true,
    };
    expect(planTimescale(ddl, rel, done, opts)).toEqual([]);
  });

  it('replaces a policy whose interval changed, and never re-sets compression', () => {
    const old: HypertableState = {
      isHypertable: true,
      compressionEnabled: true,
      compressAfter: '3 days',
      retention: '90 days',
      compressAfterSame: false,
      retentionSame: true,
    };
    expect(planTimescale(ddl, rel, old, opts)).toEqual([
      `SELECT remove_compression_policy('"market"."prices"', if_exists => TRUE);`,
      `SELECT add_compression_policy('"market"."prices"', INTERVAL '7 days', if_not_exists => TRUE);`,
    ]);
  });

  it('removes policies the config no longer has', () => {
    const plain = tableDdl(RECORD_SPECS.price, {
      schema: 'market',
      timescale: { chunkInterval: '12 hours' },
    });
    const had: HypertableState = {
      isHypertable: true,
      compressionEnabled: true,
      compressAfter: '7 days',
      retention: '90 days',
      compressAfterSame: false,
      retentionSame: false,
    };
    expect(planTimescale(plain, rel, had, { compressAfter: null, retention: null })).toEqual([
      `SELECT remove_compression_policy('"market"."prices"', if_exists => TRUE);`,
      `SELECT remove_retention_policy('"market"."prices"', if_exists => TRUE);`,
    ]);
  });
});
