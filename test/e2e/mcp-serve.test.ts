import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { PG_URL, psql, REPO, start, tempDir, waitFor } from './helpers';

// `qi run` and `qi mcp serve` take one host path from one config: the same file,
// the same target and its validation. `qi mcp serve` finds the MCP server package by
// the target the config names (`<target>-mcp`), from the config's folder: core
// names no package.
describe('qi run and qi mcp serve from the same config', () => {
  const work = tempDir('qi-mcp-serve-');
  const schema = `qi_mcp_serve_${process.pid}`;
  const qi = path.join(REPO, 'packages/core/bin/qi.cjs');
  afterAll(() => {
    psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    work.cleanup();
  });

  it('writes the file source with qi run, then serves the same target as MCP tools', async () => {
    mkdirSync(path.join(work.dir, 'node_modules/@qi'), { recursive: true });
    for (const p of ['core', 'target-timescale', 'target-timescale-mcp'])
      symlinkSync(path.join(REPO, 'packages', p), path.join(work.dir, 'node_modules/@qi', p), 'dir');
    writeFileSync(
      path.join(work.dir, 'qi.config.yaml'),
      `pipelines:\n  p:\n    source: { use: file, with: { path: in.ndjson } }\n    targets:\n      - use: "@qi/target-timescale"\n        with: { connectionString: "${PG_URL}", schema: ${schema} }\n`,
    );
    writeFileSync(
      path.join(work.dir, 'in.ndjson'),
      `${JSON.stringify({ kind: 'price', coin_id: 'ethereum', symbol: 'eth', price: '0.000000001234', ts: '2026-01-01T00:00:00Z', source: 's', attribution: 'a' })}\n`,
    );
    const run = await start(process.execPath, [qi, 'run', '--once'], { cwd: work.dir }).done;
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(psql(`SELECT price FROM "${schema}".prices WHERE coin_id = 'ethereum'`)).toBe('0.000000001234');

    // found from the project's node_modules only, not from pnpm's NODE_PATH
    const server = start(process.execPath, [qi, 'mcp', 'serve', 'p.timescale', '--port', '0'], {
      cwd: work.dir,
      env: { NODE_PATH: '' },
    });
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
      expect(psql(`SELECT price FROM "${schema}".prices WHERE coin_id = 'bitcoin'`)).toBe(
        '1234567890123.45678',
      );
    } finally {
      server.child.kill('SIGTERM');
      const done = await server.done;
      expect(done.code).toBe(0);
      // a stop line, as there is a start line
      expect(done.stderr).toContain('qi mcp serve: stopped serving p.timescale (SIGTERM)');
    }
  });

  it('names the MCP package to install for the target the config names', async () => {
    const bare = tempDir('qi-mcp-serve-bare-');
    try {
      writeFileSync(
        path.join(bare.dir, 'qi.config.yaml'),
        'pipelines:\n  p:\n    source: { use: file, with: { path: in.ndjson } }\n    targets: [{ use: stdout }]\n',
      );
      // pnpm's NODE_PATH would make every workspace package (@qi/mcp too) resolvable from anywhere
      const r = await start(process.execPath, [qi, 'mcp', 'serve', '--port', '0'], {
        cwd: bare.dir,
        env: { NODE_PATH: '' },
      }).done;
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('pipelines.p.targets[0]: no MCP server for stdout');
      expect(r.stderr).toContain('npm install stdout-mcp');
    } finally {
      bare.cleanup();
    }
  });
});
