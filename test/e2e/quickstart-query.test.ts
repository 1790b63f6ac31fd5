import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type StandIn, startStandIn } from '../../packages/source-coingecko/src/testing/stand-in';
import { PG_URL, psql, REPO, start, tempDir, waitFor } from './helpers';

// README: after command 1 (the quickstart, on its embedded PostgreSQL), its data can be
// looked at with psql while it runs and with `qi query` once it has stopped.
const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
const queryLine = /^cd examples\/quickstart && npx qi query "([^"]+)"$/m.exec(readme);
const QI = path.join(REPO, 'packages/core/bin/qi.cjs');

describe('querying the quickstart', () => {
  let standIn: StandIn;
  let t: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    standIn = await startStandIn({ port: 0 });
  });
  afterAll(async () => {
    await standIn?.close();
  });
  beforeEach(() => {
    // the quickstart's own config and packages, in a folder of its own (its .qi stays untouched)
    t = tempDir('qi-quickstart-');
    cpSync(path.join(REPO, 'examples/quickstart/qi.config.yaml'), path.join(t.dir, 'qi.config.yaml'));
    mkdirSync(path.join(t.dir, 'node_modules/@qi'), { recursive: true });
    for (const p of ['core', 'source-coingecko', 'target-timescale'])
      symlinkSync(path.join(REPO, 'packages', p), path.join(t.dir, 'node_modules/@qi', p), 'dir');
  });
  afterEach(() => t.cleanup());
  const env = () => ({ COINGECKO_BASE_URL: standIn.url, DATABASE_URL: '' });

  it("the README's qi query command shows the rows a quickstart run wrote", async () => {
    expect(queryLine).not.toBeNull();
    const run = start(process.execPath, [QI, 'run', '--once'], { cwd: t.dir, env: env() });
    const ran = await run.done;
    expect(ran.code).toBe(0);
    const out = execFileSync(process.execPath, [QI, 'query', queryLine![1]!], {
      cwd: t.dir,
      encoding: 'utf8',
    });
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^coin_id\s+\| price\s+\| ts$/);
    const coins = lines.slice(2, -1).map((l) => l.split('|')[0]!.trim());
    expect(coins).toEqual(['bitcoin', 'cardano', 'dogecoin', 'ethereum', 'solana']);
    expect(lines.at(-1)).toBe('(5 rows)');
  });

  it('qi query refuses to write', async () => {
    expect((await start(process.execPath, [QI, 'run', '--once'], { cwd: t.dir, env: env() }).done).code).toBe(
      0,
    );
    for (const sql of ['DELETE FROM prices', 'COMMIT; DELETE FROM prices']) {
      const r = start(process.execPath, [QI, 'query', sql], { cwd: t.dir });
      const done = await r.done;
      expect(done.code).toBe(1);
      expect(done.stderr).toMatch(/read-only transaction|multiple commands/);
    }
    const count = execFileSync(
      process.execPath,
      [QI, 'query', 'SELECT count(*) AS n FROM prices', '--json'],
      {
        cwd: t.dir,
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(count)).toEqual([{ n: 5 }]);
  });

  it('while the quickstart runs, psql reaches its embedded database on the loopback URL it printed', async () => {
    const run = start(process.execPath, [QI, 'run'], { cwd: t.dir, env: env() });
    try {
      let url = '';
      await waitFor(
        () => {
          url =
            /While this runs: psql (postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres)/.exec(
              run.output().stderr,
            )?.[1] ?? '';
          return url !== '';
        },
        60_000,
        () => run.output().stderr,
      );
      const psql = () =>
        execFileSync('psql', ['-X', '-At', url, '-c', 'SELECT count(*) FROM prices'], {
          encoding: 'utf8',
        }).trim();
      // the first poll's rows arrive soon after the start
      await waitFor(
        () => {
          try {
            return Number(psql()) >= 5;
          } catch {
            return false;
          }
        },
        60_000,
        () => run.output().stderr,
      );
      expect(Number(psql())).toBeGreaterThanOrEqual(5);
    } finally {
      run.child.kill('SIGINT');
      expect((await run.done).code).toBe(0);
    }
  });

  it('qi query works the same against a server target (READ ONLY there too)', async () => {
    const schema = `qi_query_${process.pid}_${Date.now()}`;
    writeFileSync(
      path.join(t.dir, 'qi.config.yaml'),
      `pipelines:\n  prices:\n    source: { use: "@qi/source-coingecko", with: { coins: [bitcoin, ethereum], ohlcv: { enabled: false }, analyticsIntervalMs: 0 } }\n    targets:\n      - use: "@qi/target-timescale"\n        with: { connectionString: "${PG_URL}", schema: ${schema} }\n`,
    );
    try {
      expect(
        (await start(process.execPath, [QI, 'run', '--once'], { cwd: t.dir, env: env() }).done).code,
      ).toBe(0);
      const rows = execFileSync(
        process.execPath,
        [QI, 'query', `SELECT coin_id FROM ${schema}.prices ORDER BY coin_id`, '--json'],
        { cwd: t.dir, encoding: 'utf8' },
      );
      expect(JSON.parse(rows)).toEqual([{ coin_id: 'bitcoin' }, { coin_id: 'ethereum' }]);
      const refused = await start(process.execPath, [QI, 'query', `DROP TABLE ${schema}.prices`], {
        cwd: t.dir,
      }).done;
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('read-only transaction');
      expect(psql(`SELECT count(*) FROM ${schema}.prices`)).toBe('2');
    } finally {
      psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
});
