import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILTIN_PLUGINS } from '../src/builtins/index';
import { CoreErrors, qiError } from '../src/errors';
import { createHost, type PluginUse } from '../src/host/host';
import { deadLetterUse, instantiate } from '../src/host/instantiate';
import { createMetrics, definePlugin, err, ok, type PluginContext, silentLogger, z } from '../src/index';
import type { Clock } from '../src/workflow/clock';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const dbTarget = definePlugin({
  name: 'db',
  kind: 'target',
  apiVersion: '^1.0.0',
  configSchema: z.strictObject({ table: z.string().min(1) }),
  create: () => {
    throw new Error('not created by prepareTarget');
  },
});

function project(yaml: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qi-prepare-target-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'qi.config.yaml'), yaml);
  return createHost({ plugins: [...BUILTIN_PLUGINS, dbTarget], env: {} });
}

// the source plugin is not installed anywhere: serving one target must not need it
const CONFIG = `
pipelines:
  a.b:
    source: { use: "not-installed-source" }
    targets:
      - { use: db, with: { table: t1 } }
      - { use: db, with: { table: t2 } }
      - { use: stdout }
  c:
    source: { use: "not-installed-source" }
    targets:
      - { use: db, name: only, with: { table: t3 } }
`;

describe('host.prepareTarget', () => {
  it('prepares only the named target, with the instance names the runner gives', async () => {
    const host = project(CONFIG);
    const r = await host.prepareTarget({ cwd: dirs.at(-1)!, target: 'a.b.db#1' });
    if (!r.ok) throw r.error;
    expect(r.value.pipeline).toBe('a.b');
    expect(r.value.target).toMatchObject({
      name: 'db#1',
      where: 'pipelines.a.b.targets[1]',
      config: { table: 't2' },
      required: true,
      onError: 'fail',
    });
    // the whole config would not prepare: its source is not installed
    const all = await host.prepare({ cwd: dirs.at(-1)! });
    expect(all.ok).toBe(false);
  });

  it('says what to choose when the selector matches none or several, listing every target', async () => {
    const host = project(CONFIG);
    const cwd = dirs.at(-1)!;
    const none = await host.prepareTarget({ cwd, target: 'a.b.nope' });
    expect(none.ok).toBe(false);
    if (!none.ok)
      expect(none.error).toMatchObject({
        code: 'QI_CONFIG',
        message: expect.stringMatching(
          /no target "a\.b\.nope".*a\.b\.db \(db\), a\.b\.db#1 \(db\), a\.b\.stdout/,
        ),
      });
    const several = await host.prepareTarget({ cwd, use: 'db' });
    expect(several.ok).toBe(false);
    if (!several.ok) expect(several.error.message).toContain('several targets match');
    const one = await host.prepareTarget({ cwd, target: 'only' });
    expect(one.ok && one.value.target.config).toEqual({ table: 't3' });
  });

  it("reports the chosen target's bad `with` by its path", async () => {
    const host = project(CONFIG.replace('table: t3', 'table: ""'));
    const r = await host.prepareTarget({ cwd: dirs.at(-1)!, target: 'c.only' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('pipelines.c.targets[0].with.table');
  });
});

const use = (plugin: ReturnType<typeof definePlugin>): PluginUse => ({
  where: 'pipelines.p.targets[0]',
  name: 'w',
  resolved: { plugin, packageName: 'fake', version: '1.0.0', location: 'built-in' },
  config: {},
});

/** A clock that never waits: start retries run at once, time moves by what they slept. */
function instantClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const opts = (clock: Clock) => ({
  pipeline: 'p',
  logger: silentLogger(),
  metrics: createMetrics(),
  signal: new AbortController().signal,
  baseDir: '/project',
  clock,
});

describe('instantiate', () => {
  it('creates with the plugin context and retries a retryable init until it starts', async () => {
    let seen: PluginContext | undefined;
    let attempts = 0;
    const plugin = definePlugin({
      name: 'fake',
      kind: 'target',
      apiVersion: '^1.0.0',
      configSchema: z.object({}),
      create: (_c, ctx) => {
        seen = ctx;
        return {
          init: async () =>
            ++attempts < 3
              ? err(qiError({ ...CoreErrors.INTERNAL, retryable: true }, 'booting'))
              : ok(undefined),
        } as never;
      },
    });
    const clock = instantClock();
    const r = await instantiate(use(plugin), opts(clock));
    if (!r.ok) throw r.error;
    expect(attempts).toBe(3);
    expect(clock.slept).toHaveLength(2);
    expect(seen).toMatchObject({ name: 'w', pipeline: 'p', baseDir: '/project', apiVersion: '1.0.0' });
    expect(r.value.ctx).toBe(seen);
  });

  it('returns a failed start as an error Result naming the use, after closing the instance', async () => {
    let closed = false;
    const plugin = definePlugin({
      name: 'fake',
      kind: 'target',
      apiVersion: '^1.0.0',
      configSchema: z.object({}),
      create: () =>
        ({
          init: async () => err(qiError(CoreErrors.CONFIG, 'bad password')),
          close: async () => {
            closed = true;
          },
        }) as never,
    });
    const r = await instantiate(use(plugin), opts(instantClock()));
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error).toMatchObject({
        code: 'QI_CONFIG',
        message: 'pipelines.p.targets[0] (fake) failed to start: bad password',
      });
    expect(closed).toBe(true);
  });

  it('returns a throwing create as an error Result', async () => {
    const plugin = definePlugin({
      name: 'fake',
      kind: 'target',
      apiVersion: '^1.0.0',
      configSchema: z.object({}),
      create: () => {
        throw qiError(CoreErrors.CONFIG, 'cannot create');
      },
    });
    const r = await instantiate(use(plugin), opts(instantClock()));
    expect(r).toMatchObject({ ok: false, error: { code: 'QI_CONFIG', message: 'cannot create' } });
  });
});

describe('deadLetterUse', () => {
  it('is the configured destination, else the file target under <dataDir>/dead-letter', () => {
    const p = { name: 'prices', deadLetter: undefined } as never;
    expect(deadLetterUse(p, '/data')).toMatchObject({
      name: 'dead-letter',
      where: 'pipelines.prices.deadLetter',
      resolved: { packageName: 'file' },
      config: { path: path.join('/data', 'dead-letter', 'prices.ndjson'), lingerMs: 0 },
    });
    const configured = use(dbTarget as never);
    expect(deadLetterUse({ name: 'prices', deadLetter: configured } as never, '/data')).toBe(configured);
  });
});
