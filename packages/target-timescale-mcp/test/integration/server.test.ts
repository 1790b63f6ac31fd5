import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { naturalKey, normalizeDecimal, RECORD_KINDS } from '@qi/core';
import {
  byNaturalKey,
  diffRecords,
  normalizeRecords,
  sampleOhlcv,
  samplePrice,
  sampleRecords,
} from '@qi/core/testkit';
import { PUBLISH_TOOLS } from '@qi/mcp';
import { admin, connect, dropSchema, project, readTable, requirePostgres, serve, unique } from './helpers';

// A real MCP client over Streamable HTTP → qi-timescale server → the machine's PostgreSQL.
const schema = unique('qi_tsmcp_srv');
const proj = project(schema);
let served: Awaited<ReturnType<typeof serve>>;
let client: Client;

beforeAll(async () => {
  await requirePostgres();
  served = await serve(proj.configPath);
  client = await connect(served.url!);
});
afterAll(async () => {
  await client?.close();
  await served?.close();
  await dropSchema(schema);
  await admin.$pool.end();
  proj.cleanup();
});

const structured = (r: unknown) => (r as { structuredContent: Record<string, unknown> }).structuredContent;

describe('qi-timescale MCP server', () => {
  it('lists the publish tools and the read-only query tools with their schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'flush',
      'health',
      'publish_analytics',
      'publish_batch',
      'publish_level1',
      'publish_ohlcv',
      'publish_prices',
      'query_latest_prices',
      'query_ohlcv',
    ]);
    const q = tools.find((t) => t.name === 'query_ohlcv')!;
    expect(q.annotations).toMatchObject({ readOnlyHint: true });
    expect(q.inputSchema.required).toEqual(['coin_id']);
    expect(Object.keys(q.inputSchema.properties!)).toEqual([
      'coin_id',
      'interval',
      'vs_currency',
      'exchange',
      'from',
      'to',
      'limit',
    ]);
    expect(q.outputSchema!.properties).toHaveProperty('rows');
    // every output is described: no bare `additionalProperties: {}` (any value, no schema)
    for (const t of tools)
      expect([t.name, JSON.stringify(t.outputSchema)]).not.toEqual([
        t.name,
        expect.stringContaining('"additionalProperties":{}'),
      ]);
    expect(tools.find((t) => t.name === 'publish_prices')!.description).toContain('PostgreSQL/TimescaleDB');
  });

  it.each(RECORD_KINDS)('writes %s records through its publish tool, every digit intact', async (kind) => {
    const records = sampleRecords(kind, 12, 100);
    const r = await client.callTool({ name: PUBLISH_TOOLS[kind], arguments: { records } });
    expect(structured(r)).toMatchObject({ ok: true, written: 12, rejected: 0 });
    const got = byNaturalKey(
      normalizeRecords((await readTable(schema, kind)).map((row) => ({ ...row, kind }))),
    );
    for (const sent of normalizeRecords(records))
      expect(diffRecords(sent, got.get(`${kind}|${naturalKey(sent)}`)!)).toEqual([]);
  });

  it('writes a mixed batch and reports the invalid record by index', async () => {
    const records = [
      ...sampleRecords('price', 3, 300),
      { ...samplePrice(303), ts: 'yesterday' },
      ...sampleRecords('ohlcv', 2, 300),
    ];
    const before = (await readTable(schema, 'price')).length;
    const r = await client.callTool({ name: 'publish_batch', arguments: { records } });
    expect(structured(r)).toMatchObject({ written: 5, rejected: 1 });
    expect((structured(r).results as Array<Record<string, unknown>>)[3]).toMatchObject({
      status: 'rejected',
      code: 'QI_VALIDATION',
      reason: expect.stringContaining('ts'),
    });
    expect((await readTable(schema, 'price')).length).toBe(before + 3);
  });

  it('answers query_latest_prices and query_ohlcv from what was written', async () => {
    await client.callTool({
      name: 'publish_prices',
      arguments: { records: Array.from({ length: 24 }, (_, i) => samplePrice(1000 + i)) },
    });
    await client.callTool({
      name: 'publish_ohlcv',
      arguments: { records: Array.from({ length: 40 }, (_, i) => sampleOhlcv(1000 + i)) },
    });
    const newest = samplePrice(1000 + 23);
    const r = await client.callTool({
      name: 'query_latest_prices',
      arguments: { coin_ids: [newest.coin_id], limit: 5 },
    });
    const latest = structured(r);
    expect(latest).toMatchObject({ ok: true, count: 1, limited: false });
    expect((latest.rows as Array<Record<string, unknown>>)[0]).toMatchObject({
      coin_id: newest.coin_id,
      price: normalizeDecimal(newest.price),
      ts: newest.ts,
    });

    const all = structured(await client.callTool({ name: 'query_latest_prices', arguments: { limit: 2 } }));
    expect(all).toMatchObject({ count: 2, limited: true });

    const coin = sampleOhlcv(1000).coin_id;
    const candles = structured(await client.callTool({ name: 'query_ohlcv', arguments: { coin_id: coin } }));
    const rows = candles.rows as Array<{ ts: string; coin_id: string }>;
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.every((c) => c.coin_id === coin)).toBe(true);
    expect(rows.map((c) => c.ts)).toEqual([...rows.map((c) => c.ts)].sort());
    const window = structured(
      await client.callTool({
        name: 'query_ohlcv',
        arguments: { coin_id: coin, from: rows[1]!.ts, to: rows[2]!.ts },
      }),
    );
    expect(window.rows).toEqual([rows[1]]);
  });

  it('rejects unsafe query arguments before touching the database', async () => {
    const big = await client.callTool({ name: 'query_latest_prices', arguments: { limit: 1_000_000 } });
    expect(big.isError).toBe(true);
    const injection = await client.callTool({ name: 'query_ohlcv', arguments: { coin_id: "x' OR '1'='1" } });
    expect(structured(injection)).toMatchObject({ ok: true, count: 0 });
    const badTime = await client.callTool({
      name: 'query_ohlcv',
      arguments: { coin_id: 'bitcoin', from: 'last week' },
    });
    expect(badTime.isError).toBe(true);
  });

  it('flushes and reports health with the breaker state', async () => {
    expect(structured(await client.callTool({ name: 'flush', arguments: {} }))).toEqual({
      ok: true,
      flushed: true,
    });
    expect(structured(await client.callTool({ name: 'health', arguments: {} }))).toMatchObject({
      ok: true,
      healthy: true,
      details: { breaker: 'closed' },
    });
  });
});
