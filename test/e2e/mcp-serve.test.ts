import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { PG_URL, psql, REPO, start, tempDir, waitFor } from './helpers';

// `qi mcp serve` finds the MCP server package in the user's project (core does
// not depend on it) and serves the configured target's tools.
describe('qi mcp serve', () => {
  const work = tempDir('qi-mcp-serve-');
  const schema = `qi_mcp_serve_${process.pid}`;
  afterAll(() => {
    psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    work.cleanup();
  });

  it('serves a configured Timescale target as MCP tools that write to PostgreSQL', async () => {
    mkdirSync(path.join(work.dir, 'node_modules/@qi'), { recursive: true });
    for (const p of ['core', 'target-timescale', 'target-timescale-mcp'])
      symlinkSync(path.join(REPO, 'packages', p), path.join(work.dir, 'node_modules/@qi', p), 'dir');
    writeFileSync(
      path.join(work.dir, 'qi.config.yaml'),
      `pipelines:\n  p:\n    source: { use: file, with: { path: in.ndjson } }\n    targets:\n      - use: "@qi/target-timescale"\n        with: { connectionString: "${PG_URL}", schema: ${schema} }\n`,
    );
    const server = start(
      process.execPath,
      [path.join(REPO, 'packages/core/bin/qi.cjs'), 'mcp', 'serve', 'p.timescale', '--port', '0'],
      { cwd: work.dir },
    );
    try {
      let url = '';
      await waitFor(
        () => {
          url =
            /serving p\.timescale .* on (http:\/\/\S+)/.exec(
              server.output().stdout + server.output().stderr,
            )?.[1] ?? '';
          return url !== '';
        },
        30_000,
        () => server.output().stderr,
      );
      const client = new Client({ name: 'e2e', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['publish_prices', 'query_latest_prices', 'health']));
      const r = await client.callTool({
        name: 'publish_prices',
        arguments: {
          records: [
            {
              coin_id: 'bitcoin',
              symbol: 'btc',
              price: '1234567890123.45678',
              ts: '2026-01-01T00:00:00Z',
              source: 's',
              attribution: 'a',
            },
          ],
        },
      });
      expect(r.isError).toBeFalsy();
      await client.callTool({ name: 'flush', arguments: {} });
      await client.close();
      expect(psql(`SELECT price FROM "${schema}".prices`)).toBe('1234567890123.45678');
    } finally {
      server.child.kill('SIGTERM');
      const done = await server.done;
      expect(done.code).toBe(0);
      // a stop line, as there is a start line
      expect(done.stderr).toContain('qi mcp serve: stopped serving p.timescale (SIGTERM)');
    }
  });
});
