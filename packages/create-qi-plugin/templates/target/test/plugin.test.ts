import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isQiPlugin, RECORD_KINDS, z } from '@qi/core';
import { expectOk, sampleRecords, testContext } from '@qi/core/testkit';
import plugin, { configSchema, KINDS } from '../src/index';

const pkg = JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as {
  name: string;
  keywords: string[];
};

describe('__PLUGIN_NAME__', () => {
  it('is a Qi target plugin named after its package, findable by its keyword', () => {
    expect(isQiPlugin(plugin)).toBe(true);
    expect(plugin.kind).toBe('target');
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

  const others = RECORD_KINDS.filter((k) => !(KINDS as readonly string[]).includes(k));
  if (others.length > 0) {
    it.each(others)('refuses %s records one by one, with the reason, and writes the rest', async (kind) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), '__PLUGIN_SLUG__-'));
      const writer = await plugin.create(
        configSchema.parse({ directory: dir, lingerMs: 0 }),
        testContext({ baseDir: dir }),
      );
      try {
        const report = expectOk(
          await writer.publishBatch([...sampleRecords(kind, 2), ...sampleRecords(KINDS[0], 1)]),
        );
        expect(report.written).toBe(1);
        expect(report.rejected.map((r) => r.error.code)).toEqual([
          'PLUGIN_NOT_SUPPORTED',
          'PLUGIN_NOT_SUPPORTED',
        ]);
      } finally {
        await writer.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
