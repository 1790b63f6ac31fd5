import { quoteIdent } from '@qi/core';
import { expectOk, samplePrice } from '@qi/core/testkit';
import { unique } from './helpers';
import { createPrivateCluster } from './private-cluster';
import { adminOf, capture, requireTimescale, TS_URL, tsWriter } from './timescaledb-helpers';

// A database compressed under the Community license, then served under the "apache" license
// (a move to a managed offering, a changed server config): the start says which table is
// affected, and a write into a compressed chunk fails with a config error naming the statement.
let cluster: Awaited<ReturnType<typeof createPrivateCluster>>;
const schema = unique('qi_ts_switch');
const prices = `${quoteIdent(schema)}.prices`;
const old = Array.from({ length: 12 }, (_, i) => samplePrice(i));

beforeAll(async () => {
  const ts = adminOf(TS_URL);
  await requireTimescale(ts, TS_URL, 'timescale').finally(() => ts.$pool.end());
  cluster = await createPrivateCluster();
  cluster.start({ preload: true, license: 'timescale' });
  const w = tsWriter(cluster.url, schema, { timescale: { enabled: true, compressAfter: '7 days' } });
  expectOk(await w.publishPrices(old));
  expectOk(await w.close());
  const db = adminOf(cluster.url);
  await db.any(`SELECT compress_chunk(c) FROM show_chunks($1::regclass) c`, [prices]);
  await db.$pool.end();
  cluster.start({ preload: true, license: 'apache' });
}, 120_000);
afterAll(() => cluster?.destroy());

describe('compressed tables under the "apache" license', () => {
  it('starts with one warning naming the compressed tables; a write into a compressed chunk fails naming the statement, new rows land', async () => {
    const { logger, warnings } = capture();
    const w = tsWriter(cluster.url, schema, {}, {}, { logger });
    expectOk(await w.init());
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ event: 'timescale.schema.timescale', license: 'apache' });
    expect(String(warnings()[0]!.msg)).toMatch(
      new RegExp(
        `"apache" license.*${schema}\\.prices.* had compression enabled earlier: writes into \\(and reads of\\) their compressed chunks .*fail with QI_TARGET_TIMESCALE_FEATURE_NOT_SUPPORTED`,
      ),
    );
    const replay = await w.publishPrices(old.slice(0, 2));
    expect(replay.ok).toBe(false);
    if (!replay.ok)
      expect(replay.error).toMatchObject({
        code: 'QI_TARGET_TIMESCALE_FEATURE_NOT_SUPPORTED',
        category: 'config',
        retryable: false,
        context: {
          sqlstate: '0A000',
          statement: `COPY of a price batch into ${quoteIdent(schema)}."prices"`,
        },
      });
    expectOk(await w.publishPrices([samplePrice(0, { ts: '2026-11-30T00:00:00.000Z' })]));
    await w.close();
    const db = adminOf(cluster.url);
    // only the new chunk: under this license the server cannot even read compressed chunks
    expect((await db.one(`SELECT count(*)::int AS n FROM ${prices} WHERE ts >= '2026-11-01'`)).n).toBe(1);
    await db.$pool.end();
  });
});
