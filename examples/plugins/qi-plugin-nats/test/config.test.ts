import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from '@qi/core';
import plugin, { configSchema } from '../src/index';

describe('config', () => {
  it('has defaults for a local server and the workflow settings', () => {
    const c = configSchema.parse({});
    expect(c).toMatchObject({
      servers: 'nats://127.0.0.1:4222',
      subjectPrefix: 'qi',
      batchSize: 1000,
      ackTimeoutMs: 10_000,
    });
    expect(c.stream).toMatchObject({ name: 'QI', create: true, storage: 'file', duplicateWindowMs: 120_000 });
    expect(plugin.apiVersion).toBe('^1.0.0');
  });

  it('refuses wildcards in the prefix, bad stream names and unknown keys, naming the path', () => {
    const r = configSchema.safeParse({ subjectPrefix: 'qi.>', stream: { name: 'a.b' }, brokers: 'x' });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['subjectPrefix', 'stream.name', '']));
  });

  it('describes every field and marks credentials secret', () => {
    const json = z.toJSONSchema(configSchema, { io: 'input' }) as {
      properties: Record<string, { description?: string }>;
    };
    for (const [name, field] of Object.entries(json.properties))
      expect([name, typeof field.description]).toEqual([name, 'string']);
    expect(configSchema.shape.password.unwrap().meta()?.secret).toBe(true);
    expect(configSchema.shape.token.unwrap().meta()?.secret).toBe(true);
  });

  it('is documented key by key in the README', () => {
    const readme = readFileSync(path.join(__dirname, '../README.md'), 'utf8');
    const keys = [
      ...Object.keys(configSchema.shape),
      ...Object.keys(configSchema.shape.stream.unwrap().shape).map((k) => `stream.${k}`),
    ];
    const rows = new Set([...readme.matchAll(/^\|\s*`([\w.]+)`\s*\|/gm)].map((m) => m[1]));
    expect(keys.filter((k) => k !== 'stream' && !rows.has(k))).toEqual([]);
  });
});
