import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILTIN_PLUGINS } from '../src/builtins/index';
import { configIssues, createHost } from '../src/host/host';
import { definePlugin, secret, z } from '../src/index';

// a target with a connection string, like the Timescale target's
const dbTarget = definePlugin({
  name: 'db',
  kind: 'target',
  apiVersion: '^1.0.0',
  configSchema: z.strictObject({ connectionString: secret(z.string().min(1)).optional() }),
  create: () => {
    throw new Error('not created in these tests');
  },
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function prepare(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qi-prepare-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'qi.config.yaml'), yaml);
  writeFileSync(path.join(dir, 'in.ndjson'), '');
  return createHost({ plugins: [...BUILTIN_PLUGINS, dbTarget], env }).prepare({ cwd: dir });
}

const issuesOf = (r: Awaited<ReturnType<typeof prepare>>) => (r.ok ? [] : configIssues(r.error));

describe('host.prepare', () => {
  it('an unset ${VAR} without default is one issue naming the path, not a fallback', async () => {
    const r = await prepare(
      'pipelines:\n  p:\n    source: { use: file, with: { path: in.ndjson } }\n    targets: [{ use: db, with: { connectionString: "${DATABASE_URL}" } }]\n',
    );
    expect(issuesOf(r)).toEqual([
      {
        path: 'pipelines.p.targets[0].with.connectionString',
        message: expect.stringContaining('DATABASE_URL is not set'),
      },
    ]);
  });

  it('${VAR:-} leaves the key out (the plugin default applies), ${VAR} set is used', async () => {
    const yaml = (v: string) =>
      `pipelines:\n  p:\n    source: { use: file, with: { path: in.ndjson } }\n    targets: [{ use: db, with: { connectionString: "${v}" } }]\n`;
    const unset = await prepare(yaml('${DATABASE_URL:-}'));
    expect(unset.ok && unset.value.pipelines[0]!.targets[0]!.config).toEqual({});
    const set = await prepare(yaml('${DATABASE_URL}'), { DATABASE_URL: 'postgres://h/db' });
    expect(set.ok && set.value.pipelines[0]!.targets[0]!.config).toEqual({
      connectionString: 'postgres://h/db',
    });
  });

  it('reports host-level and plugin-level problems in one pass', async () => {
    const r = await prepare(
      [
        'pipelines:',
        '  p:',
        '    maxInFlight: 0',
        '    retries: 3',
        '    source: { use: file, with: { path: in.ndjson, batchSze: 10 } }',
        '    targets:',
        '      - use: db',
        '        with: { connectionStrin: "postgres://h/db" }',
        '      - { use: stdout, onError: retry }',
        '      - use: "@qi/target-nope"',
        '    deadLetter: { use: file, with: { pth: x } }',
        '  q:',
        '    source: { use: file, with: { path: 7 } }',
        '    targets: [{ use: stdout }]',
        'logLevl: info',
        '',
      ].join('\n'),
    );
    const byPath = Object.fromEntries(issuesOf(r).map((i) => [i.path, i.message]));
    expect(byPath).toEqual({
      // host level
      '': expect.stringContaining('"logLevl" (did you mean "logLevel"?)'),
      'pipelines.p': expect.stringContaining('unknown key(s) "retries"'),
      'pipelines.p.maxInFlight': expect.any(String),
      'pipelines.p.targets[1].onError': expect.stringContaining('"fail", "dead-letter", "skip-target"'),
      // plugin level, in the same pass
      'pipelines.p.source.with': expect.stringContaining('"batchSze" (did you mean "batchSize"?)'),
      'pipelines.p.targets[0].with': expect.stringContaining(
        '"connectionStrin" (did you mean "connectionString"?)',
      ),
      'pipelines.p.targets[2].use': expect.stringContaining('plugin "@qi/target-nope" is not installed'),
      'pipelines.p.deadLetter.with': expect.stringContaining('"pth" (did you mean "path"?)'),
      'pipelines.p.deadLetter.with.path': 'expected string, received nothing (required)',
      'pipelines.q.source.with.path': 'expected string, received number',
    });
  });

  it('a pipeline too malformed to read is reported once, by the host schema', async () => {
    const r = await prepare('pipelines:\n  p: 3\n  q:\n    source: { use: file, with: { path: 1 } }\n');
    expect(issuesOf(r).map((i) => i.path)).toEqual(
      expect.arrayContaining(['pipelines.p', 'pipelines.q.targets', 'pipelines.q.source.with.path']),
    );
  });
});
