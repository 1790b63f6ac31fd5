import { RECORD_SPECS, tableDdl } from '@qi/core';
import { type HypertableState, NO_HYPERTABLE, planTimescale } from '../src/timescale';

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

  it('sets a changed chunk interval (for new chunks) and nothing else', () => {
    const wider: HypertableState = {
      isHypertable: true,
      compressionEnabled: true,
      compressAfter: '7 days',
      retention: '90 days',
      compressAfterSame: true,
      retentionSame: true,
      chunkInterval: '1 day',
      chunkIntervalSame: false,
    };
    expect(planTimescale(ddl, rel, wider, { ...opts, chunkInterval: '12 hours' })).toEqual([
      `SELECT set_chunk_time_interval('"market"."prices"', INTERVAL '12 hours');`,
    ]);
    expect(
      planTimescale(ddl, rel, { ...wider, chunkIntervalSame: true }, { ...opts, chunkInterval: '12 hours' }),
    ).toEqual([]);
  });

  it('under the "apache" license: the hypertable only, no compression or policy added or removed', () => {
    expect(planTimescale(ddl, rel, NO_HYPERTABLE, { ...opts, tsl: false })).toEqual([ddl.timescale[0]]);
    const had: HypertableState = {
      isHypertable: true,
      compressionEnabled: true,
      compressAfter: '3 days',
      retention: '30 days',
      compressAfterSame: false,
      retentionSame: false,
    };
    expect(planTimescale(ddl, rel, had, { ...opts, tsl: false })).toEqual([]);
  });
});
