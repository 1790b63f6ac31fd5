import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type StandIn, startStandIn } from '../../packages/source-coingecko/src/testing/stand-in';
import { PG_URL, psql, REPO, start, tempDir } from './helpers';

// A user installs only what their config uses: the packed tarballs of core and
// two plugins go into a project outside the workspace with plain npm, and
// `qi run --once` works there.
const PACKAGES = ['core', 'source-coingecko', 'target-timescale'];

describe('installing only the plugins a config uses', () => {
  const work = tempDir('qi-packed-');
  const schema = `qi_packed_${process.pid}`;
  let standIn: StandIn;

  beforeAll(async () => {
    standIn = await startStandIn({ port: 0 });
  });
  afterAll(async () => {
    await standIn?.close();
    psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    work.cleanup();
  });

  it('npm installs the packed packages and runs qi run --once with them', async () => {
    const tarballs = PACKAGES.map((pkg) => {
      const dir = path.join(REPO, 'packages', pkg);
      if (!existsSync(path.join(dir, 'dist')))
        throw new Error(`packages/${pkg} is not built: run pnpm build`);
      const out = execFileSync('pnpm', ['pack', '--pack-destination', work.dir], {
        cwd: dir,
        encoding: 'utf8',
      });
      return out.trim().split('\n').pop()!.trim();
    });
    const project = path.join(work.dir, 'project');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify(
        {
          name: 'user-project',
          private: true,
          dependencies: Object.fromEntries(PACKAGES.map((p, i) => [`@qi/${p}`, `file:${tarballs[i]}`])),
        },
        null,
        2,
      ),
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: project,
      stdio: 'pipe',
    });
    expect(readdirSync(path.join(project, 'node_modules/@qi')).sort()).toEqual([
      'core',
      'source-coingecko',
      'target-timescale',
    ]);
    expect(existsSync(path.join(project, 'node_modules/kafkajs'))).toBe(false);

    writeFileSync(
      path.join(project, 'qi.config.yaml'),
      `pipelines:\n  prices:\n    source:\n      use: "@qi/source-coingecko"\n      with: { coins: [bitcoin, ethereum, solana], ohlcv: { enabled: false }, analyticsIntervalMs: 0 }\n    targets:\n      - use: "@qi/target-timescale"\n        with: { connectionString: "\${DATABASE_URL}", schema: ${schema} }\n`,
    );
    const run = start(path.join(project, 'node_modules/.bin/qi'), ['run', '--once', '--no-progress'], {
      cwd: project,
      env: { COINGECKO_BASE_URL: standIn.url, DATABASE_URL: PG_URL },
    });
    const r = await run.done;
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(psql(`SELECT string_agg(coin_id, ',' ORDER BY coin_id) FROM "${schema}".prices`)).toBe(
      'bitcoin,ethereum,solana',
    );
  });
});
