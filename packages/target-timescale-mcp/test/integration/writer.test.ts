import type { RecordKind } from '@qi/core';
import { describeWriterConformance, expectOk, samplePrice, testContext } from '@qi/core/testkit';
import plugin from '../../src/index';
import {
  admin,
  dropSchema,
  project,
  readTable,
  requirePostgres,
  serve,
  TOKEN,
  tableOf,
  unique,
} from './helpers';

// The writer half: `use: "@qi/target-timescale-mcp"` → MCP → qi-timescale server → PostgreSQL.
const schema = unique('qi_tsmcp_conf');
const proj = project(schema);
let served: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  await requirePostgres();
  served = await serve(proj.configPath);
});
afterAll(async () => {
  await served?.close();
  await dropSchema(schema);
  await admin.$pool.end();
  proj.cleanup();
});

const create = (extra: Record<string, unknown> = {}) =>
  plugin.create(
    plugin.configSchema.parse({
      url: served.url,
      token: TOKEN,
      lingerMs: 1,
      retry: { initialDelayMs: 5, maxDelayMs: 50 },
      ...extra,
    }),
    testContext({ name: 'timescale-mcp' }),
  );

describeWriterConformance({
  name: '@qi/target-timescale-mcp (through the MCP server, PostgreSQL)',
  create: () => create({ batchSize: 7 }),
  reset: async () => {
    for (const kind of ['price', 'ohlcv', 'analytics', 'level1'] as RecordKind[])
      await admin.none(`TRUNCATE ${tableOf(schema, kind)}`).catch(() => undefined);
  },
  readBack: (kind) => readTable(schema, kind).then((rows) => rows.map((r) => ({ ...r, kind }))),
});

describe('@qi/target-timescale-mcp writer', () => {
  it('is refused with a wrong token, without retrying', async () => {
    const w = await create({ token: 'definitely-not-the-token' });
    const r = await w.publishPrices([samplePrice(1)]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'QI_MCP_UNAUTHORIZED', retryable: false });
    await w.close();
  });

  it('writes 5,000 records in batches of 1,000, count in = count out', async () => {
    await admin.none(`TRUNCATE ${tableOf(schema, 'price')}`);
    const w = await create({ batchSize: 1000 });
    const records = Array.from({ length: 5000 }, (_, i) => samplePrice(10_000 + i));
    expect(expectOk(await w.publishPrices(records))).toEqual({ written: 5000, rejected: [] });
    expectOk(await w.close());
    expect(
      (await admin.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${tableOf(schema, 'price')}`)).n,
    ).toBe(5000);
  });
});
