import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { makeProject, pluginPackage, QI_BIN, runCommand, runQi } from '../helpers/project';

// These tests run the BUILT CLI (packages/core/dist), as a user would.
beforeAll(() => {
  if (!existsSync(path.join(__dirname, '../../dist/cli.cjs')))
    throw new Error('packages/core is not built: run pnpm build first');
});

const uppercaseTarget = `
const { definePlugin, BaseWriter, writerWorkflowShape, workflowOptions } = require('@qi/core');
const { z } = require('@qi/core');
const fs = require('node:fs');
const path = require('node:path');
module.exports = definePlugin({
  name: 'qi-plugin-upper', kind: 'target', apiVersion: '^1.0.0',
  configSchema: z.object({ ...writerWorkflowShape, out: z.string() }),
  create(config, ctx) {
    const out = path.resolve(ctx.baseDir, config.out);
    return new BaseWriter({ ...workflowOptions(config, ctx), handler: {
      async writeBatch(kind, records) { fs.appendFileSync(out, records.map((r) => r.coin_id.toUpperCase()).join('\\n') + '\\n'); },
      classifyError: (e) => ({ code: 'UPPER', message: String(e), category: 'internal', retryable: false, context: {} }),
      async close() {},
    }});
  },
});`;

const sample = (n: number) =>
  `${Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      kind: 'price',
      coin_id: `coin${i}`,
      symbol: 'c',
      price: `${i}.5`,
      ts: 1767225600000 + i,
      source: 's',
      attribution: 'a',
    }),
  ).join('\n')}\n`;

/** qi.config.yaml: the file source on in.ndjson into one target (`target` is its YAML flow mapping body). */
const fileTo = (target: string, head = '') =>
  `${head}pipelines:\n  p:\n    source: { use: file, with: { path: in.ndjson } }\n    targets: [{ ${target} }]\n`;

describe('qi CLI', () => {
  it('qi validate reports every problem at once, host-level and plugin-level, with its exact path and what was expected, exit 2', async () => {
    const p = makeProject({
      'qi.config.yaml': `pipelines:\n  prices:\n    maxInFlight: many\n    retries: 3\n    source: { use: file, with: { path: x.ndjson } }\n    targets:\n      - use: stdout\n      - use: file\n        with: { path: out.ndjson, batchSize: "\${BATCH:-ten}" }\n      - use: "@qi/target-nope"\n      - use: file\n        with: { pth: out.ndjson }\n`,
    });
    try {
      const r = await runQi(['validate'], { cwd: p.dir });
      expect(r.code).toBe(2);
      // host level
      expect(r.stderr).toContain('pipelines.prices.maxInFlight: expected number, received string');
      expect(r.stderr).toContain('pipelines.prices: unknown key(s) "retries"');
      // plugin level, in the same run: nothing to fix in rounds
      expect(r.stderr).toContain(
        'pipelines.prices.targets[1].with.batchSize: expected number, received string',
      );
      expect(r.stderr).toContain(
        'pipelines.prices.targets[2].use: plugin "@qi/target-nope" is not installed',
      );
      expect(r.stderr).toContain('npm install @qi/target-nope');
      expect(r.stderr).toContain(
        'pipelines.prices.targets[3].with: unknown key(s) "pth" (did you mean "path"?)',
      );
      const again = await runQi(['validate'], { cwd: p.dir, env: { BATCH: 'ten' } });
      expect(again.code).toBe(2);
    } finally {
      p.cleanup();
    }
  });

  it('an unset ${VAR} without default is a config error naming the path in qi validate and qi run (exit 2), never a fallback', async () => {
    const p = makeProject({
      'in.ndjson': sample(2),
      'qi.config.yaml':
        'pipelines:\n  p:\n    source: { use: file, with: { path: in.ndjson } }\n    targets:\n      - use: "@qi/target-timescale"\n        with: { connectionString: "${QI_TEST_UNSET_URL}" }\n',
    });
    symlinkSync(
      path.join(__dirname, '../../../target-timescale'),
      path.join(p.dir, 'node_modules/@qi/target-timescale'),
      'dir',
    );
    try {
      const expected =
        'pipelines.p.targets[0].with.connectionString: environment variable QI_TEST_UNSET_URL is not set';
      const v = await runQi(['validate'], { cwd: p.dir });
      expect(v.code).toBe(2);
      expect(v.stderr).toContain(expected);
      const r = await runQi(['run', '--once'], { cwd: p.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(expected);
      // nothing went to the embedded database instead
      expect(existsSync(path.join(p.dir, '.qi'))).toBe(false);
      // set to an empty string: an error too, that says how to leave the key unset
      const empty = await runQi(['validate'], { cwd: p.dir, env: { QI_TEST_UNSET_URL: '' } });
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain(
        'QI_TEST_UNSET_URL is set to an empty string (use ${QI_TEST_UNSET_URL:-}',
      );
    } finally {
      p.cleanup();
    }
  });

  it('falls back to the embedded database only with no connection configured, with a warning shown on a terminal', async () => {
    const p = makeProject({
      'in.ndjson': sample(2),
      'qi.config.yaml':
        'pipelines:\n  p:\n    source: { use: file, with: { path: in.ndjson } }\n    targets:\n      - use: "@qi/target-timescale"\n        with: { connectionString: "${QI_TEST_UNSET_URL:-}" }\n',
    });
    symlinkSync(
      path.join(__dirname, '../../../target-timescale'),
      path.join(p.dir, 'node_modules/@qi/target-timescale'),
      'dir',
    );
    try {
      // script(1) gives qi a real terminal: there it logs only warnings and errors
      const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(QI_BIN)} run --once`;
      for (const run of [1, 2]) {
        const r = await runCommand('script', ['-qec', cmd, '/dev/null'], { cwd: p.dir });
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(
          /WARN.*no PostgreSQL connection configured: using the embedded PostgreSQL \(PGlite\) in \S+\.qi\/pgdata/,
        );
        expect(r.stdout.includes('(new database)')).toBe(run === 1);
      }
    } finally {
      p.cleanup();
    }
  });

  it('coerces ${VAR} numbers and accepts a valid config, exit 0', async () => {
    const p = makeProject({
      'x.ndjson': '',
      'qi.config.yaml':
        'pipelines:\n  p:\n    source: { use: file, with: { path: x.ndjson } }\n    targets: [{ use: file, with: { path: out.ndjson, batchSize: "${BATCH:-250}" } }]\n',
    });
    try {
      const r = await runQi(['validate'], { cwd: p.dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('is valid');
    } finally {
      p.cleanup();
    }
  });

  it('refuses a plugin built for another API version, naming both versions, and a package that is not a plugin', async () => {
    const p = makeProject({
      ...pluginPackage(
        'qi-plugin-future',
        `const { definePlugin } = require('@qi/core'); const { z } = require('@qi/core');
        module.exports = definePlugin({ name: 'qi-plugin-future', kind: 'target', apiVersion: '^2.0.0', configSchema: z.object({}), create() {} });`,
      ),
      ...pluginPackage('left-pad-ish', 'module.exports = { pad: (s) => s };'),
      'qi.config.yaml':
        'pipelines:\n  p:\n    source: { use: file, with: { path: x.ndjson } }\n    targets: [{ use: qi-plugin-future }, { use: left-pad-ish }, { use: file, with: { path: o } }]\n    deadLetter: { use: file, with: { path: d } }\n  q:\n    source: { use: stdout }\n    targets: [{ use: stdout }]\n',
    });
    try {
      const r = await runQi(['validate'], { cwd: p.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /targets\[0\]\.use: plugin "qi-plugin-future" requires Qi plugin API \^2\.0\.0, but this @qi\/core provides plugin API 1\.0\.0/,
      );
      expect(r.stderr).toContain('targets[1].use: package "left-pad-ish" is not a Qi plugin');
      expect(r.stderr).toContain(
        'pipelines.q.source.use: plugin "stdout" is a target, but it is used as a source',
      );
    } finally {
      p.cleanup();
    }
  });

  it("drops Node's TimeoutNegativeWarning (kafkajs arms negative timers) but prints every other warning", async () => {
    const noisy = uppercaseTarget.replace(
      'create(config, ctx) {',
      "create(config, ctx) { setTimeout(() => {}, -5); process.emitWarning('still shown', 'QiTestWarning');",
    );
    const p = makeProject({
      ...pluginPackage('qi-plugin-upper', noisy),
      'in.ndjson': sample(2),
      'qi.config.yaml': fileTo('use: qi-plugin-upper, with: { out: out.txt }'),
    });
    try {
      const r = await runQi(['run', '--once'], { cwd: p.dir });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('QiTestWarning: still shown');
      expect(r.stderr).not.toContain('TimeoutNegativeWarning');
      const all = await runQi(['run', '--once'], { cwd: p.dir, env: { QI_NODE_WARNINGS: 'all' } });
      expect(all.stderr).toContain('TimeoutNegativeWarning');
    } finally {
      p.cleanup();
    }
  });

  it('when the reader of stdout goes away (qi run | head) stops with one clear error, no crash', async () => {
    const p = makeProject({
      'in.ndjson': sample(20_000),
      'qi.config.yaml': fileTo('use: stdout, with: { batchSize: 100 }'),
    });
    try {
      const run = runQi(['run', '--once'], { cwd: p.dir });
      // like `head -1`: read the first chunk, then close the pipe
      run.child.stdout!.once('data', () => run.child.stdout!.destroy());
      const r = await run;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('QI_STDOUT_CLOSED');
      expect(r.stderr).not.toContain('Unhandled');
      expect(r.stderr).not.toContain('node:events');
    } finally {
      p.cleanup();
    }
  });

  it('qi describe prints the config reference of a built-in or an installed plugin, and says how to install a missing one', async () => {
    const p = makeProject({ ...pluginPackage('qi-plugin-upper', uppercaseTarget) });
    try {
      const builtin = await runQi(['describe', 'stdout'], { cwd: p.dir });
      expect(builtin.code).toBe(0);
      expect(builtin.stdout).toMatch(/^stdout .*\(target, built-in\)/);
      expect(builtin.stdout).toMatch(/\ndeadLetters +boolean +true +also print dead letters/);
      const installed = await runQi(['describe', 'qi-plugin-upper', '--json'], { cwd: p.dir });
      expect(installed.code).toBe(0);
      const doc = JSON.parse(installed.stdout);
      expect([doc.name, doc.kind, doc.version]).toEqual(['qi-plugin-upper', 'target', '1.2.3']);
      expect(doc.config.find((f: { field: string }) => f.field === 'out')).toMatchObject({
        type: 'string',
        required: true,
      });
      expect(doc.config.map((f: { field: string }) => f.field)).toContain('retry.maxAttempts');
      const missing = await runQi(['describe', '@qi/not-installed'], { cwd: p.dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('npm install @qi/not-installed');
      expect(missing.stderr.match(/qi describe:/g)).toHaveLength(1);
    } finally {
      p.cleanup();
    }
  });

  it('qi init writes a starter config whose reference pointers exist in the project', async () => {
    const p = makeProject({});
    try {
      const r = await runQi(['init'], { cwd: p.dir });
      expect(r.code).toBe(0);
      const text = readFileSync(path.join(p.dir, 'qi.config.yaml'), 'utf8');
      // no link to a web page that may not exist: the docs it names ship with @qi/core
      expect(text).not.toMatch(/https?:\/\//);
      const readme = /node_modules\/@qi\/core\/README\.md/.exec(text);
      expect(readme).not.toBeNull();
      expect(existsSync(path.join(p.dir, readme![0]))).toBe(true);
      // editors get the schema from the first line, and the file it names is there
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./qi.schema.json');
      const schema = JSON.parse(readFileSync(path.join(p.dir, 'qi.schema.json'), 'utf8'));
      expect(schema.properties.pipelines).toBeDefined();
    } finally {
      p.cleanup();
    }
  });

  it('qi init --format json writes a .qirc.json with a $schema key that the host accepts', async () => {
    const p = makeProject({});
    try {
      expect((await runQi(['init', '--template', 'file', '--format', 'json'], { cwd: p.dir })).code).toBe(0);
      const doc = JSON.parse(readFileSync(path.join(p.dir, '.qirc.json'), 'utf8'));
      expect(doc.$schema).toBe('./qi.schema.json');
      expect(existsSync(path.join(p.dir, 'qi.schema.json'))).toBe(true);
      const v = await runQi(['validate'], { cwd: p.dir });
      expect(v.stderr).toBe('');
      expect(v.code).toBe(0);
    } finally {
      p.cleanup();
    }
  });

  it('qi init --template file writes a config and the sample file it replays: validate and run work at once', async () => {
    const p = makeProject({});
    try {
      expect((await runQi(['init', '--template', 'file'], { cwd: p.dir })).code).toBe(0);
      expect((await runQi(['validate'], { cwd: p.dir })).code).toBe(0);
      const r = await runQi(['run', '--once'], { cwd: p.dir });
      expect(r.code).toBe(0);
      expect(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).coin_id),
      ).toEqual(['bitcoin', 'ethereum']);
    } finally {
      p.cleanup();
    }
  });

  it('finds and runs a plugin installed in a project outside the workspace, and lists it', async () => {
    const p = makeProject({
      ...pluginPackage('qi-plugin-upper', uppercaseTarget),
      'in.ndjson': sample(7),
      'qi.config.yaml': fileTo('use: qi-plugin-upper, with: { out: out.txt }'),
    });
    try {
      const r = await runQi(['run', '--once'], { cwd: p.dir });
      expect(r.stderr).not.toContain('"level":50');
      expect(r.code).toBe(0);
      expect(readFileSync(path.join(p.dir, 'out.txt'), 'utf8').trim().split('\n')).toEqual(
        Array.from({ length: 7 }, (_, i) => `COIN${i}`),
      );
      const list = await runQi(['plugins', '--json'], { cwd: p.dir });
      const rows = JSON.parse(list.stdout) as Array<{ name: string; version: string; location: string }>;
      const upper = rows.find((x) => x.name === 'qi-plugin-upper')!;
      expect(upper.version).toBe('1.2.3');
      expect(upper.location).toBe(path.join(p.dir, 'node_modules/qi-plugin-upper'));
    } finally {
      p.cleanup();
    }
  });

  it('delivers the valid records of a batch and dead-letters the invalid one with its reason', async () => {
    const lines = sample(5).trim().split('\n');
    lines.splice(
      2,
      0,
      JSON.stringify({
        kind: 'price',
        coin_id: 'bad',
        symbol: 'b',
        price: 'NaN-ish',
        ts: 1767225600000,
        source: 's',
        attribution: 'a',
      }),
      '{not json',
    );
    const p = makeProject({
      'in.ndjson': `${lines.join('\n')}\n`,
      'qi.config.yaml': fileTo('use: stdout'),
    });
    try {
      const r = await runQi(['run', '--once', '--no-progress'], { cwd: p.dir });
      expect(r.code).toBe(0);
      const out = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).coin_id);
      expect(out).toEqual(['coin0', 'coin1', 'coin2', 'coin3', 'coin4']);
      const dead = readFileSync(path.join(p.dir, '.qi/dead-letter/p.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(dead.map((d) => [d.stage, d.code])).toEqual([
        ['decode', 'QI_DECODE'],
        ['validation', 'QI_VALIDATION'],
      ]);
      expect(dead).toHaveLength(2);
      expect(dead.find((d) => d.record.coin_id === 'bad').reason).toContain(
        'price: expected a finite decimal number, received "NaN-ish"',
      );
      expect(dead.find((d) => d.record === '{not json').reason).toContain('not JSON');
    } finally {
      p.cleanup();
    }
  });

  it('off a terminal (a pipe, CI, a log collector) writes no progress line and logs at the configured level', async () => {
    const p = makeProject({
      'in.ndjson': sample(3),
      'qi.config.yaml': fileTo('use: stdout', 'logLevel: info\n'),
    });
    try {
      const r = await runQi(['run', '--once'], { cwd: p.dir });
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(3);
      expect(r.stderr).not.toContain('\x1b[');
      const events = r.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).event);
      expect(events).toEqual(expect.arrayContaining(['pipeline.start', 'pipeline.stop']));
    } finally {
      p.cleanup();
    }
  });

  it('on SIGTERM flushes records still buffered in a target, closes, and exits 0', async () => {
    const ticking = `
      const { definePlugin, BaseReader } = require('@qi/core'); const { z } = require('@qi/core'); const fs = require('node:fs');
      module.exports = definePlugin({ name: 'qi-plugin-ticks', kind: 'source', apiVersion: '^1.0.0', configSchema: z.object({ marker: z.string() }),
        create(config, ctx) {
          return new BaseReader({ name: ctx.name, handler: {
            async *stream({ signal }) {
              let i = 0;
              while (!signal.aborted) {
                const records = Array.from({ length: 10 }, () => ({ kind: 'price', coin_id: 'c' + i++, symbol: 'c', price: '1', ts: 1767225600000 + i, source: 's', attribution: 'a' }));
                yield { records };
                fs.writeFileSync(require('node:path').resolve(ctx.baseDir, config.marker), String(i));
                await new Promise((r) => setTimeout(r, 20));
              }
            },
            classifyError: (e) => ({ code: 'T', message: String(e), category: 'internal', retryable: false, context: {} }),
            async close() {},
          }});
        } });`;
    const p = makeProject({
      ...pluginPackage('qi-plugin-ticks', ticking),
      'qi.config.yaml':
        'pipelines:\n  p:\n    maxInFlight: 1000\n    source: { use: qi-plugin-ticks, with: { marker: emitted.txt } }\n    targets: [{ use: file, with: { path: out.ndjson, lingerMs: 60000, batchSize: 100000 } }]\n',
    });
    try {
      const run = runQi(['run', '--no-progress'], { cwd: p.dir });
      const marker = path.join(p.dir, 'emitted.txt');
      let exited = false;
      void run.then(() => {
        exited = true;
      });
      while (!existsSync(marker) || Number(readFileSync(marker, 'utf8')) < 50) {
        if (exited) throw new Error(`qi run exited early: ${(await run).stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      // nothing has been written yet: the target holds everything in its buffer (60 s linger)
      expect(existsSync(path.join(p.dir, 'out.ndjson'))).toBe(false);
      run.child.kill('SIGTERM');
      const r = await run;
      expect(r.code).toBe(0);
      const emitted = Number(readFileSync(marker, 'utf8'));
      const written = readFileSync(path.join(p.dir, 'out.ndjson'), 'utf8').trim().split('\n');
      expect(written.length).toBe(emitted);
      expect(new Set(written.map((l) => JSON.parse(l).coin_id)).size).toBe(emitted);
    } finally {
      p.cleanup();
    }
  });

  it('qi schema sql applies to PostgreSQL with psql, twice in a row', async () => {
    const schema = `qi_schema_${process.pid}_${Date.now()}`;
    const sql = (await runQi(['schema', 'sql', '--schema', schema])).stdout;
    const psql = (input: string) =>
      execFileSync(
        'psql',
        ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'test'],
        { input, encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } },
      );
    try {
      psql(sql);
      psql(sql);
      const tables = psql(
        `SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '${schema}';`,
      );
      expect(tables).toContain('level1,market_analytics,ohlcv,prices');
    } finally {
      psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE;`);
    }
  });

  it('loads a TypeScript config typed with defineConfig (Node strips the types)', async () => {
    const p = makeProject({
      'in.ndjson': sample(3),
      'qi.config.ts':
        "import { defineConfig } from '@qi/core';\nconst path: string = 'in.ndjson';\nexport default defineConfig({ pipelines: { p: { source: { use: 'file', with: { path } }, targets: [{ use: 'stdout' }] } } });\n",
    });
    try {
      const r = await runQi(['run', '--once', '--no-progress'], { cwd: p.dir });
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(3);
    } finally {
      p.cleanup();
    }
  });

  it('usage errors exit 2', async () => {
    expect((await runQi(['frobnicate'])).code).toBe(2);
    expect((await runQi(['schema', 'xml'])).code).toBe(2);
    expect((await runQi(['--help'])).code).toBe(0);
  });
});
