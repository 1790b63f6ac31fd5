import type { z } from 'zod';
import plugin, { configSchema } from '../src/index';

type Walk = {
  def: { type: string; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[] };
  shape?: Record<string, z.ZodType>;
};

/** Every field of the schema with its description (through optional/default wrappers). */
function fields(
  schema: z.ZodType,
  prefix = '',
): Array<{ path: string; description: string | undefined; secret: boolean }> {
  const shape = (schema as unknown as Walk).shape ?? {};
  const out: Array<{ path: string; description: string | undefined; secret: boolean }> = [];
  for (const [k, s] of Object.entries(shape)) {
    const path = prefix + k;
    let inner: z.ZodType = s;
    let secret = false;
    const description = s.description;
    for (let i = 0; i < 6; i++) {
      if ((inner.meta() as { secret?: boolean } | undefined)?.secret) secret = true;
      const d = (inner as unknown as Walk).def;
      if (d.type === 'object') break;
      const next =
        d.innerType ?? d.in ?? d.options?.find((o) => (o as unknown as Walk).def.type === 'object');
      if (!next) break;
      inner = next;
    }
    out.push({ path, description, secret });
    if ((inner as unknown as Walk).def.type === 'object') out.push(...fields(inner, `${path}.`));
  }
  return out;
}

describe('config', () => {
  it('describes every field', () => {
    const all = fields(configSchema);
    expect(all.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'tables.level1',
        'timescale.retention',
        'ssl.rejectUnauthorized',
        'embedded.dataDir',
        'retry.maxAttempts',
      ]),
    );
    expect(all.filter((f) => !f.description).map((f) => f.path)).toEqual([]);
  });

  it('marks the connection string and the password secret', () => {
    expect(
      fields(configSchema)
        .filter((f) => f.secret)
        .map((f) => f.path),
    ).toEqual(['connectionString', 'password']);
  });

  it('defaults to the embedded database, upserts, schema public and the measured batch size', () => {
    const c = configSchema.parse({});
    expect(c).toMatchObject({
      schema: 'public',
      writeMode: 'upsert',
      writePath: 'auto',
      batchSize: 5000,
      concurrency: 2,
      poolMax: 4,
      ssl: false,
      timescale: { enabled: 'auto', chunkInterval: '1 day', compressAfter: null, retention: null },
      embedded: { dataDir: '.qi/pgdata' },
    });
    expect(c.connectionString).toBeUndefined();
    expect(c.host).toBeUndefined();
  });

  it('rejects nonsense with the path', () => {
    const r = configSchema.safeParse({
      writeMode: 'merge',
      timescale: { chunkInterval: 'soon' },
      poolMax: 0,
    });
    expect(r.success).toBe(false);
    if (!r.success)
      expect(r.error.issues.map((i) => i.path.join('.')).sort()).toEqual([
        'poolMax',
        'timescale.chunkInterval',
        'writeMode',
      ]);
  });

  it.each([
    ['postgres://u:p#ss@h/db'], // an unencoded # ends the URL in the password
    ['postgres://h:99999/db'],
    ['postgres://h:abc/db'],
    ['postgresql://[::1/db'],
    ['localhost:5432/db'],
    ['mysql://h/db'],
  ])('refuses the connection string %s with the path, without quoting it (a secret)', (cs) => {
    const r = configSchema.safeParse({ connectionString: cs });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues.map((i) => i.path.join('.'))).toEqual(['connectionString']);
      expect(r.error.issues[0]!.message).toContain('not a valid PostgreSQL URL');
      expect(r.error.issues[0]!.message).not.toContain(cs);
    }
  });

  it.each([
    ['postgres://u:p%23ss@h:5432/db'],
    ['postgresql://h/db?sslmode=require'],
    ['postgres:///db?host=/var/run/postgresql'],
    ['/var/run/postgresql db'],
  ])('accepts the connection string %s', (cs) => {
    expect(configSchema.safeParse({ connectionString: cs }).success).toBe(true);
  });

  it('is a target plugin for API ^1', () => {
    expect(plugin).toMatchObject({ name: '@qi/target-timescale', kind: 'target', apiVersion: '^1.0.0' });
    expect(plugin.configSchema).toBe(configSchema);
  });
});
