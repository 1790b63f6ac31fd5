import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '@qi/core';
import { sampleRecords } from '@qi/core/testkit';
import { defineMcpExtension, defineMcpTool, serveTargetFromConfig } from '../src/index';
import { connectClient } from './helpers';

const CONFIG = `
pipelines:
  a:
    source: { use: file, with: { path: in.ndjson } }
    targets:
      - use: file
        with: { path: a.ndjson, lingerMs: 1 }
      - use: stdout
  b.x:
    source: { use: file, with: { path: in.ndjson } }
    targets:
      - use: file
        name: \${OUT_NAME:-copy}
        with: { path: b.ndjson }
`;

describe('serveTargetFromConfig', () => {
  let dir: string;
  let configPath: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qi-mcp-serve-'));
    configPath = path.join(dir, 'qi.config.yaml');
    writeFileSync(configPath, CONFIG);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const base = () => ({ configPath, port: 0, logger: silentLogger(), env: {} });

  it('serves <pipeline>.<target> over HTTP, writing through the configured plugin', async () => {
    const r = await serveTargetFromConfig({ ...base(), target: 'a.file' });
    if (!r.ok) throw r.error;
    expect(r.value).toMatchObject({ pipeline: 'a', target: 'file', use: 'file' });
    const client = await connectClient(r.value.url!);
    const out = await client.callTool({
      name: 'publish_prices',
      arguments: { records: sampleRecords('price', 3) },
    });
    expect(out.structuredContent).toMatchObject({ written: 3 });
    await client.close();
    await r.value.close();
    await r.value.closed;
    expect(readFileSync(path.join(dir, 'a.ndjson'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it("takes pipeline names with dots and interpolated target names, and adds an extension's tools", async () => {
    const extension = defineMcpExtension<{ path: string }>({
      target: 'file',
      serverName: 'qi-file',
      version: '0',
      extras: (config) => ({
        tools: [
          defineMcpTool({
            name: 'where',
            title: 'Where',
            description: 'the file written to',
            input: {},
            output: {},
            run: async () => ({ ok: true, value: { path: config.path } as never }),
          }),
        ],
      }),
    });
    const r = await serveTargetFromConfig({ ...base(), target: 'b.x.copy', extension: extension as never });
    if (!r.ok) throw r.error;
    const client = await connectClient(r.value.url!);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('where');
    await client.close();
    await r.value.close();
  });

  it('finds the extension of "<target package>-mcp" installed next to the config', async () => {
    // its own project folder: module resolution results are cached per folder
    const project = mkdtempSync(path.join(tmpdir(), 'qi-mcp-ext-'));
    try {
      writeFileSync(path.join(project, 'qi.config.yaml'), CONFIG);
      const pkg = path.join(project, 'node_modules', 'file-mcp');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        path.join(pkg, 'package.json'),
        JSON.stringify({ name: 'file-mcp', version: '1.0.0', main: 'index.cjs' }),
      );
      writeFileSync(
        path.join(pkg, 'index.cjs'),
        `exports.mcpExtension = { target: 'file', serverName: 'qi-file-ext', version: '9.9.9', extras: () => ({ tools: [{ name: 'found_me', title: 'x', description: 'x', input: {}, output: {}, run: async () => ({ ok: true, value: {} }) }] }) };`,
      );
      const r = await serveTargetFromConfig({
        ...base(),
        configPath: path.join(project, 'qi.config.yaml'),
        target: 'a.file',
      });
      if (!r.ok) throw r.error;
      try {
        const client = await connectClient(r.value.url!);
        expect((await client.listTools()).tools.map((t) => t.name)).toContain('found_me');
        expect(client.getServerVersion()).toMatchObject({ name: 'qi-file-ext', version: '9.9.9' });
        await client.close();
      } finally {
        await r.value.close();
      }
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('explains what to choose when the target is missing or ambiguous', async () => {
    const none = await serveTargetFromConfig({ ...base(), target: 'a.nope' });
    expect(none.ok).toBe(false);
    if (!none.ok)
      expect(none.error.message).toMatch(
        /no target "a.nope".*a\.file \(file\).*a\.stdout \(stdout\).*b\.x\.copy/,
      );
    const many = await serveTargetFromConfig(base());
    expect(many.ok).toBe(false);
    if (!many.ok)
      expect(many.error).toMatchObject({ code: 'QI_CONFIG', message: expect.stringContaining('--target') });
  });

  it('refuses a non-loopback bind without a token, as a config error', async () => {
    const r = await serveTargetFromConfig({ ...base(), target: 'a.file', host: '0.0.0.0' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error).toMatchObject({
        code: 'QI_CONFIG',
        message: expect.stringContaining('without a bearer token'),
      });
  });

  it('reports a bad plugin config with its path', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, CONFIG.replace('{ path: a.ndjson, lingerMs: 1 }', '{ path: a.ndjson, lingerMs: -1 }'));
    const r = await serveTargetFromConfig({ ...base(), configPath: bad, target: 'a.file' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('pipelines.a.targets[0].with.lingerMs');
  });
});
