import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { RECORD_KINDS } from '@qi/core';
import { sampleRecords } from '@qi/core/testkit';
import { PUBLISH_TOOLS } from '../../src/index';

// Spawns the BUILT package (scripts/test.sh builds before testing), like a real MCP client would.
const fixture = path.join(__dirname, '..', 'fixtures', 'serve.mjs');
const dist = path.join(__dirname, '..', '..', 'dist', 'index.js');

describe('@qi/mcp over stdio (spawned server, file target from a qi config)', () => {
  let dir: string;
  let client: Client;
  let stderr = '';
  beforeAll(async () => {
    try {
      readFileSync(dist);
    } catch {
      throw new Error(
        `@qi/mcp is not built (${dist} missing): run "pnpm --filter @qi/mcp build" or scripts/test.sh`,
      );
    }
    dir = mkdtempSync(path.join(tmpdir(), 'qi-mcp-stdio-'));
    writeFileSync(
      path.join(dir, 'qi.config.yaml'),
      [
        'pipelines:',
        '  demo:',
        '    source: { use: file, with: { path: in.ndjson } }',
        '    targets:',
        '      - use: file',
        '        name: out',
        '        with: { path: out.ndjson, lingerMs: 1 }',
        '',
      ].join('\n'),
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        fixture,
        '--config',
        path.join(dir, 'qi.config.yaml'),
        '--target',
        'demo.out',
        '--transport',
        'stdio',
      ],
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    client = new Client({ name: 'stdio-test', version: '0' });
    await client.connect(transport);
  });
  afterAll(async () => {
    await client?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists every tool', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'flush',
      'health',
      'publish_analytics',
      'publish_batch',
      'publish_level1',
      'publish_ohlcv',
      'publish_prices',
    ]);
  });

  it('round-trips every publish tool into the target', async () => {
    const sent: unknown[] = [];
    for (const kind of RECORD_KINDS) {
      const records = sampleRecords(kind, 4, 10);
      sent.push(...records);
      const r = await client.callTool({ name: PUBLISH_TOOLS[kind], arguments: { records } });
      expect(r.structuredContent).toMatchObject({ ok: true, written: 4, rejected: 0 });
    }
    const mixed = [
      ...sampleRecords('price', 2, 50),
      ...sampleRecords('level1', 2, 50),
      { kind: 'price', coin_id: 'x' },
    ];
    const r = await client.callTool({ name: 'publish_batch', arguments: { records: mixed } });
    expect(r.structuredContent).toMatchObject({
      written: 4,
      rejected: 1,
      results: expect.arrayContaining([
        expect.objectContaining({ index: 4, status: 'rejected', code: 'QI_VALIDATION' }),
      ]),
    });
    sent.push(...mixed.slice(0, 4));
    expect((await client.callTool({ name: 'flush', arguments: {} })).structuredContent).toEqual({
      ok: true,
      flushed: true,
    });
    const lines = readFileSync(path.join(dir, 'out.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(sent.length);
    const kinds = lines.map((l) => l.kind);
    for (const kind of RECORD_KINDS)
      expect(kinds.filter((k) => k === kind).length).toBe(kind === 'price' || kind === 'level1' ? 6 : 4);
    expect(stderr).not.toMatch(/error/i);
  });
});
