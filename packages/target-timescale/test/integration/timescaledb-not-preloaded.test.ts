import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { quoteIdent } from '@qi/core';
import { samplePrice } from '@qi/core/testkit';
import pg from 'pg';
import { admin, PG_URL, requirePostgres, unique } from './helpers';

// The machine's PostgreSQL after scripts/timescaledb.sh installed TimescaleDB into it: the
// extension is available but the server does not preload it (a common state). Qi must not send
// CREATE EXTENSION (answered with FATAL, which ends the backend) and must say what to change.
const REPO = path.resolve(__dirname, '../../../..');
const dbName = unique('qi_ts_np');
const url = Object.assign(new URL(PG_URL), { pathname: `/${dbName}` }).toString();
const project = mkdtempSync(path.join(os.tmpdir(), 'qi-ts-np-'));

const fatalSessions = async () => {
  await admin.one('SELECT pg_stat_clear_snapshot() IS NULL AS ok');
  return (
    await admin.one<{ n: number }>(
      'SELECT sessions_fatal::int AS n FROM pg_stat_database WHERE datname = $1',
      [dbName],
    )
  ).n;
};

function qiRun(enabled: string): Promise<{ code: number | null; stderr: string }> {
  writeFileSync(
    path.join(project, 'qi.config.yaml'),
    `pipelines:
  np:
    source: { use: file, with: { path: prices.ndjson } }
    targets:
      - use: "@qi/target-timescale"
        with: { connectionString: "${url}", schema: np, timescale: { enabled: ${enabled} } }
`,
  );
  const child = spawn(
    process.execPath,
    [path.join(REPO, 'packages/core/bin/qi.cjs'), 'run', '--once', '--no-progress'],
    {
      cwd: project,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

const logLines = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  await requirePostgres();
  const state = await admin.one<{ available: string | null; preload: string }>(
    "SELECT (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb') AS available, current_setting('shared_preload_libraries') AS preload",
  );
  if (!state.available || state.preload.includes('timescaledb'))
    throw new Error(
      `this test needs ${PG_URL} with TimescaleDB installed but not preloaded (found available=${state.available}, shared_preload_libraries='${state.preload}'); scripts/timescaledb.sh start installs it`,
    );
  await admin.none(`CREATE DATABASE ${quoteIdent(dbName)}`);
  mkdirSync(path.join(project, 'node_modules/@qi'), { recursive: true });
  for (const p of ['core', 'target-timescale'])
    symlinkSync(path.join(REPO, 'packages', p), path.join(project, 'node_modules/@qi', p), 'dir');
  writeFileSync(
    path.join(project, 'prices.ndjson'),
    `${Array.from({ length: 12 }, (_, i) => JSON.stringify(samplePrice(i))).join('\n')}\n`,
  );
});
afterAll(async () => {
  await admin.none(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
  await admin.$pool.end();
  rmSync(project, { recursive: true, force: true });
});

describe('TimescaleDB available but not preloaded', () => {
  it('enabled: auto writes plain tables with one warning naming the setting, exit 0', async () => {
    const r = await qiRun('auto');
    const warnings = logLines(r.stderr).filter((l) => (l.level as number) >= 40);
    expect({ code: r.code, warnings: warnings.map((w) => w.event) }).toEqual({
      code: 0,
      warnings: ['timescale.schema.timescale'],
    });
    expect(String(warnings[0]!.msg)).toMatch(
      /not preloaded.*shared_preload_libraries in \/.*postgresql\.conf/,
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(
      "SELECT (SELECT count(*)::int FROM np.prices) AS n, (SELECT count(*)::int FROM pg_extension WHERE extname = 'timescaledb') AS ext",
    );
    await client.end();
    expect(rows[0]).toEqual({ n: 12, ext: 0 });
  });

  it("enabled: true fails with the server's HINT, before sending anything that ends a backend", async () => {
    const configFile = (await admin.one<{ config_file: string }>('SHOW config_file')).config_file;
    const r = await qiRun('true');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('QI_TARGET_TIMESCALE_EXTENSION_NOT_PRELOADED');
    expect(r.stderr).toContain(
      `Please preload the timescaledb library via shared_preload_libraries. This can be done by editing the config file at: ${configFile}`,
    );
  });

  it('no backend of this database was ended by FATAL, while CREATE EXTENSION would have ended one', async () => {
    expect(await fatalSessions()).toBe(0);
    // the check can fail: what the old code did (CREATE EXTENSION) is counted
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    await client.connect();
    await expect(client.query('CREATE EXTENSION timescaledb')).rejects.toMatchObject({
      severity: 'FATAL',
      message: 'extension "timescaledb" must be preloaded',
    });
    await client.end().catch(() => {});
    let n = 0;
    for (let i = 0; i < 50 && n === 0; i++) {
      n = await fatalSessions();
      if (n === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(n).toBe(1);
  });
});
