import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const BIN = process.env.QI_PG_BINDIR ?? '/usr/lib/postgresql/15/bin';
const root = process.getuid?.() === 0;

// PostgreSQL refuses to run as root: as root, the cluster belongs to OS user postgres
const pgCmd = (cmd: string, args: string[]) =>
  root
    ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args], { stdio: 'pipe' })
    : execFileSync(path.join(BIN, cmd), args, { stdio: 'pipe' });

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
  const data = path.join(dir, 'data');
  if (root) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
  pgCmd('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  let running = false;
  const stop = () => {
    if (running) pgCmd('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']);
    running = false;
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start(opts: ServerOptions) {
      stop();
      const settings = [
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        "-c unix_socket_directories=''",
        `-c shared_preload_libraries=${opts.preload ? 'timescaledb' : "''"}`,
        ...(opts.license ? [`-c timescaledb.license=${opts.license}`] : []),
      ];
      pgCmd('pg_ctl', [
        '-D',
        data,
        '-w',
        '-l',
        path.join(dir, 'server.log'),
        '-o',
        settings.join(' '),
        'start',
      ]);
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
