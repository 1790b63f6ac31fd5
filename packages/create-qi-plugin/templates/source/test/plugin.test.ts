import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isQiPlugin, RECORD_KINDS, type Reader, type SourceBatch, z } from '@qi/core';
import { sampleRecords, testContext } from '@qi/core/testkit';
import plugin, { configSchema, KINDS } from '../src/index';

const pkg = JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as {
  name: string;
  keywords: string[];
};

async function readAll(reader: Reader): Promise<SourceBatch[]> {
  const batches: SourceBatch[] = [];
  for await (const b of reader.stream({ signal: new AbortController().signal, once: true })) batches.push(b);
  return batches;
}

describe('__PLUGIN_NAME__', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), '__PLUGIN_SLUG__-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a Qi source plugin named after its package, findable by its keyword', () => {
    expect(isQiPlugin(plugin)).toBe(true);
    expect(plugin.kind).toBe('source');
    expect(plugin.name).toBe(pkg.name);
    expect(pkg.keywords).toContain('qi-plugin');
  });

  it('describes every config field, and the README documents each one', () => {
    const json = z.toJSONSchema(configSchema, { io: 'input' }) as {
      properties: Record<string, { description?: string }>;
    };
    const undocumented = Object.entries(json.properties)
      .filter(([, f]) => !f.description)
      .map(([name]) => name);
    expect(undocumented).toEqual([]);
    const readme = readFileSync(path.join(__dirname, '../README.md'), 'utf8');
    const rows = new Set([...readme.matchAll(/^\|\s*`([\w.]+)`\s*\|/gm)].map((m) => m[1]));
    expect(Object.keys(json.properties).filter((k) => !rows.has(k))).toEqual([]);
  });

  it('sets aside lines that are not JSON and records of kinds it does not read, with the reason', async () => {
    const file = path.join(dir, 'mixed.ndjson');
    const others = RECORD_KINDS.filter((k) => !(KINDS as readonly string[]).includes(k));
    const lines = [...sampleRecords(KINDS[0], 3), ...others.flatMap((k) => sampleRecords(k, 1))].map((r) =>
      JSON.stringify(r),
    );
    writeFileSync(file, `${[...lines, '{not json'].join('\n')}\n`);
    const reader = await plugin.create(configSchema.parse({ path: file }), testContext({ baseDir: dir }));
    try {
      const batches = await readAll(reader);
      expect(batches.flatMap((b) => b.records)).toHaveLength(3);
      const invalid = batches.flatMap((b) => b.invalid ?? []);
      expect(invalid.map((i) => i.error.code).sort()).toEqual(
        [...others.map(() => 'PLUGIN_NOT_SUPPORTED'), 'PLUGIN_DATA'].sort(),
      );
      expect(invalid.find((i) => i.error.code === 'PLUGIN_DATA')!.error.message).toContain('not JSON');
    } finally {
      await reader.close();
    }
  });

  it('says which file is missing, without retrying', async () => {
    const reader = await plugin.create(
      configSchema.parse({ path: 'nope.ndjson' }),
      testContext({ baseDir: dir }),
    );
    const batches = readAll(reader);
    await expect(batches).rejects.toMatchObject({ code: 'PLUGIN_NOT_FOUND' });
    await reader.close();
  });
});
