import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

// the project's one way to run a private PostgreSQL (as OS user postgres when root)
const SCRIPT = path.resolve(__dirname, '../../../../scripts/postgres.sh');
const pgScript = (cmd: 'start' | 'stop', env: Record<string, string>) =>
  execFileSync(SCRIPT, [cmd], { stdio: 'pipe', env: { ...process.env, ...env } });

export interface ServerOptions {
  preload: boolean;
  license?: 'timescale' | 'apache';
}

/** A port nothing listens on right now (two suites running at once must not share one). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/**
 * A throwaway PostgreSQL 15 cluster in a temp dir on its own port, for states the shared
 * servers must never be put in (restarted with other settings). Needs the TimescaleDB build
 * installed by scripts/timescaledb.sh.
 */
export async function createPrivateCluster() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qi-ts-private-'));
  const env = { QI_PG_HOME: dir, QI_PG_PORT: String(port) };
  let running = false;
  const stop = () => {
    if (running) pgScript('stop', env);
    running = false;
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start(opts: ServerOptions) {
      stop();
      pgScript('start', {
        ...env,
        QI_PG_PRELOAD: opts.preload ? 'timescaledb' : "''",
        QI_PG_OPTS: opts.license ? `-c timescaledb.license=${opts.license}` : '',
      });
      running = true;
    },
    stop,
    destroy() {
      try {
        stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
