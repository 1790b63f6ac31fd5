import { interpolate } from '../src/host/interpolate';
import { collectSecrets, SecretRegistry } from '../src/host/secrets';
import { parseWithSchema } from '../src/host/validate';
import { secret, z } from '../src/index';

describe('interpolate', () => {
  const env = { HOST: 'db.local', PORT: '6543', EMPTY: '' };
  it('replaces ${VAR} and ${VAR:-default}, and escapes $${', () => {
    const issues: { path: string; message: string }[] = [];
    expect(
      interpolate(
        { a: 'postgres://${HOST}:${PORT}/x', b: ['${NOPE:-fallback}'], c: '$${HOST}' },
        env,
        '',
        issues,
      ),
    ).toEqual({ a: 'postgres://db.local:6543/x', b: ['fallback'], c: '${HOST}' });
    expect(issues).toEqual([]);
  });
  it('names the path of a missing variable', () => {
    const issues: { path: string; message: string }[] = [];
    interpolate({ pipelines: { p: { targets: [{ with: { url: 'x${MISSING}' } }] } } }, env, '', issues);
    expect(issues).toEqual([
      { path: 'pipelines.p.targets[0].with.url', message: expect.stringContaining('MISSING is not set') },
    ]);
  });
  it('leaves out a key whose whole value is an empty ${VAR:-}', () => {
    expect(interpolate({ connectionString: '${EMPTY:-}', other: 1 }, env)).toEqual({ other: 1 });
  });
  // every variant of an empty or missing value: only the explicit empty default drops a key
  it.each([
    ['unset, no default', '${UNSET}', { path: 'w.v', message: expect.stringContaining('UNSET is not set') }],
    [
      'set to empty, no default',
      '${EMPTY}',
      { path: 'w.v', message: expect.stringContaining('EMPTY is set to an empty string') },
    ],
  ])('%s: an issue naming the path, and the key is kept', (_, v, issue) => {
    const issues: { path: string; message: string }[] = [];
    expect(interpolate({ w: { v, other: 1 } }, env, '', issues)).toEqual({ w: { v: '', other: 1 } });
    expect(issues).toEqual([issue]);
  });
  it.each([
    ['unset, empty default', { v: '${UNSET:-}' }, {}],
    ['set to empty, empty default', { v: '${EMPTY:-}' }, {}],
    ['set, empty default', { v: '${HOST:-}' }, { v: 'db.local' }],
    ['unset, default', { v: '${UNSET:-x}' }, { v: 'x' }],
    ['set to empty, default', { v: '${EMPTY:-x}' }, { v: 'x' }],
    ['empty default inside a longer string', { v: 'a${UNSET:-}b' }, { v: 'ab' }],
    [
      'empty default in an array (the element stays)',
      { v: ['${UNSET:-}', '${HOST}'] },
      { v: ['', 'db.local'] },
    ],
    ['nested', { a: { b: { c: '${UNSET:-}', d: '${PORT:-1}' } } }, { a: { b: { d: '6543' } } }],
  ])('%s: no issue', (_, input, out) => {
    const issues: { path: string; message: string }[] = [];
    expect(interpolate(input, env, '', issues)).toEqual(out);
    expect(issues).toEqual([]);
  });
  it.each([
    ['inside a longer string', { v: 'postgres://${UNSET}/db' }, 'v'],
    ['in an array', { v: ['a', '${UNSET}'] }, 'v[1]'],
    ['nested', { a: { b: [{ c: '${UNSET}' }] } }, 'a.b[0].c'],
  ])('unset without default %s: an issue at the exact path', (_, input, path) => {
    const issues: { path: string; message: string }[] = [];
    interpolate(input, env, '', issues);
    expect(issues).toEqual([{ path, message: expect.stringContaining('UNSET is not set') }]);
  });
});

describe('parseWithSchema', () => {
  const schema = z.object({ port: z.number().int(), tls: z.boolean(), nested: z.object({ n: z.number() }) });
  it('turns numeric and boolean strings from the environment into their types', () => {
    expect(parseWithSchema(schema, { port: '5432', tls: 'true', nested: { n: '1.5' } })).toEqual({
      ok: true,
      value: { port: 5432, tls: true, nested: { n: 1.5 } },
    });
  });
  it('reports every issue with its full path', () => {
    const r = parseWithSchema(schema, { port: 'x', tls: 3 }, 'pipelines.p.targets[1].with');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => i.path)).toEqual([
        'pipelines.p.targets[1].with.port',
        'pipelines.p.targets[1].with.tls',
        'pipelines.p.targets[1].with.nested',
      ]);
  });
  it('names unknown keys at any depth with the closest known key, through defaults and unions', () => {
    const strict = z.strictObject({
      connectionString: z.string().optional(),
      retry: z.strictObject({ maxAttempts: z.number().default(3) }).prefault({}),
      ssl: z.union([z.boolean(), z.strictObject({ rejectUnauthorized: z.boolean() })]).optional(),
    });
    const r = parseWithSchema(
      strict,
      { connectionStrng: 'x', retry: { maxAttempt: 5 }, ssl: { rejectUnauthorised: false }, zzz: 1 },
      'w',
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues).toEqual(
        expect.arrayContaining([
          {
            path: 'w',
            message:
              'unknown key(s) "connectionStrng" (did you mean "connectionString"?), "zzz"; known keys: connectionString, retry, ssl',
          },
          {
            path: 'w.retry',
            message: 'unknown key(s) "maxAttempt" (did you mean "maxAttempts"?); known keys: maxAttempts',
          },
        ]),
      );
    if (!r.ok)
      expect(r.issues.find((i) => i.path === 'w.ssl')?.message).toBe(
        'rejectUnauthorized: expected boolean, received nothing (required); unknown key(s) "rejectUnauthorised" (did you mean "rejectUnauthorized"?); known keys: rejectUnauthorized',
      );
    const wrongType = parseWithSchema(strict, { ssl: 'yes' }, 'w');
    expect(!wrongType.ok && wrongType.issues).toEqual([
      { path: 'w.ssl', message: 'expected boolean or object' },
    ]);
  });
});

describe('secrets', () => {
  it('a secret connection URL hides only its credentials: host and database stay readable', () => {
    const reg = new SecretRegistry();
    const schema = z.object({ url: secret(z.string()) });
    collectSecrets(schema, { url: 'postgres://qi:p%40ss-99@db.local:5432/market?sslpassword=kp-777' }, reg);
    collectSecrets(schema, { url: 'postgres://db.local:5432/nopw' }, reg);
    collectSecrets(schema, { url: 'not a url but secret' }, reg);
    collectSecrets(schema, { url: 'https://hooks.example/services/T0/B0/xoxb-hook' }, reg);
    expect(
      reg.scrub(
        'to postgres://qi:p%40ss-99@db.local:5432/market?sslpassword=kp-777 (p@ss-99, kp-777) and postgres://db.local:5432/nopw; not a url but secret; https://hooks.example/services/T0/B0/xoxb-hook',
      ),
    ).toBe(
      'to postgres://qi:[redacted]@db.local:5432/market?sslpassword=[redacted] ([redacted], [redacted]) and postgres://db.local:5432/nopw; [redacted]; [redacted]',
    );
  });

  it('collects secret fields and scrubs them (and URL credentials) from text', () => {
    const schema = z.object({
      password: secret(z.string()),
      user: z.string(),
      nested: z.object({ token: secret(z.string()).optional() }),
    });
    const reg = new SecretRegistry();
    collectSecrets(schema, { password: 'hunter2-pw', user: 'bob', nested: { token: 'tok-123456' } }, reg);
    expect(reg.scrub('auth failed for bob with hunter2-pw / tok-123456 at postgres://bob:pa55@db/x')).toBe(
      'auth failed for bob with [redacted] / [redacted] at postgres://bob:[redacted]@db/x',
    );
  });
});
