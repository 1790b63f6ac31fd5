import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { samplePrice } from '@qi/core/testkit';
import { admin, dropSchema, project, requirePostgres, tableOf, unique } from './helpers';

// The bin as Claude Desktop would start it: qi-timescale-mcp --config … --transport stdio (built package).
const bin = path.join(__dirname, '..', '..', 'bin', 'qi-timescale-mcp.cjs');
const schema = unique('qi_tsmcp_stdio');
const proj = project(schema);
let client: Client;

beforeAll(async () => {
  await requirePostgres();
  if (!existsSync(path.join(__dirname, '..', '..', 'dist', 'bin.cjs')))
    throw new Error(
      '@qi/target-timescale-mcp is not built: run "pnpm --filter @qi/target-timescale-mcp... build" or scripts/test.sh',
    );
  client = new Client({ name: 'stdio-test', version: '0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [bin, '--config', proj.configPath, '--transport', 'stdio'],
      stderr: 'ignore',
    }),
  );
});
afterAll(async () => {
  await client?.close();
  await dropSchema(schema);
  await admin.$pool.end();
  proj.cleanup();
});

describe('qi-timescale-mcp over stdio', () => {
  it('lists its tools, writes prices and reads them back through the query tool', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['publish_prices', 'publish_batch', 'query_latest_prices', 'query_ohlcv']),
    );
    const records = Array.from({ length: 30 }, (_, i) => samplePrice(i));
    const r = await client.callTool({ name: 'publish_prices', arguments: { records } });
    expect(r.structuredContent).toMatchObject({ ok: true, written: 30, rejected: 0 });
    expect(
      (await admin.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${tableOf(schema, 'price')}`)).n,
    ).toBe(30);
    const q = await client.callTool({ name: 'query_latest_prices', arguments: { coin_ids: ['bitcoin'] } });
    expect(q.structuredContent).toMatchObject({
      ok: true,
      count: 1,
      rows: [expect.objectContaining({ coin_id: 'bitcoin' })],
    });
  });
});
