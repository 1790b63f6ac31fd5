import { quoteIdent, RECORD_KINDS, RECORD_SPECS } from '@qi/core';
import { expectOk } from '@qi/core/testkit';
import { unique } from './helpers';
import { adminOf, capture, hypertables, requireTimescale, TS_URL, tsWriter } from './timescaledb-helpers';

// A real TimescaleDB (scripts/timescaledb.sh: preloaded, Community license).
const db = adminOf(TS_URL);
const schema = unique('qi_tsdb');
const timescale = {
  enabled: true,
  chunkInterval: '12 hours',
  compressAfter: '7 days',
  retention: '3650 days',
};

beforeAll(() => requireTimescale(db, TS_URL, 'timescale'));
afterAll(async () => {
  await db.none(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await db.$pool.end();
});

const jobs = () =>
  db.any(
    `SELECT hypertable_name, proc_name, job_id FROM timescaledb_information.jobs WHERE hypertable_schema = $1 ORDER BY 1, 2`,
    [schema],
  );

async function start(config: Record<string, unknown>) {
  const { logger, lines, warnings } = capture();
  const w = tsWriter(TS_URL, schema, { timescale: config }, {}, { logger });
  expectOk(await w.init());
  expectOk(await w.close());
  return { lines, warnings: warnings() };
}

describe('TimescaleDB hypertables', () => {
  it('makes every kind a hypertable with the chunk interval, segment-by/order-by and both policies', async () => {
    const { warnings } = await start(timescale);
    expect(warnings).toEqual([]);
    expect(await hypertables(db, schema)).toEqual(
      RECORD_KINDS.map((k) => ({
        table: RECORD_SPECS[k].name,
        chunk: '12:00:00',
        segmentby: RECORD_SPECS[k].segmentBy.join(', '),
        orderby: `${RECORD_SPECS[k].time} DESC`,
        compress: '7 days',
        retention: '3650 days',
      })).sort((a, b) => a.table.localeCompare(b.table)),
    );
  });

  it('changes nothing on a second start with the same config', async () => {
    const before = { tables: await hypertables(db, schema), jobs: await jobs() };
    const { lines, warnings } = await start(timescale);
    expect(warnings).toEqual([]);
    expect(lines.filter((l) => l.event === 'timescale.schema.chunk-interval')).toEqual([]);
    expect({ tables: await hypertables(db, schema), jobs: await jobs() }).toEqual(before);
  });

  it('converges a changed chunk interval, compressAfter and retention', async () => {
    const { lines } = await start({
      ...timescale,
      chunkInterval: '6 hours',
      compressAfter: '14 days',
      retention: '3000 days',
    });
    const rows = await hypertables(db, schema);
    expect(rows.map((r) => [r.chunk, r.compress, r.retention])).toEqual(
      RECORD_KINDS.map(() => ['06:00:00', '14 days', '3000 days']),
    );
    const changed = lines.filter((l) => l.event === 'timescale.schema.chunk-interval');
    expect(changed).toHaveLength(4);
    expect(String(changed[0]!.msg)).toMatch(
      /from 12:00:00 to 6 hours .*applies to chunks created from now on/,
    );
  });

  it('removes both policies when the config sets them back to null', async () => {
    await start({ ...timescale, chunkInterval: '6 hours', compressAfter: null, retention: null });
    expect(await jobs()).toEqual([]);
  });
});
