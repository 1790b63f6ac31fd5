import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectOk } from '@qi/core/testkit';
import { unique } from './helpers';
import { adminOf, requireTimescale, TS_URL, tsWriter } from './timescaledb-helpers';

// A database where the extension exists while the server no longer preloads it (e.g. after a
// config change or a restore): any DDL fires TimescaleDB's event trigger and the server ends the
// backend with FATAL. A private cluster (started and stopped here) reaches that state for real.
const BIN = process.env.QI_PG_BINDIR ?? '/usr/lib/postgresql/15/bin';
const PORT = Number(process.env.QI_TEST_PRIVATE_PG_PORT ?? 5441);
const url = `postgres://postgres@127.0.0.1:${PORT}/postgres`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'qi-ts-created-'));
const data = path.join(dir, 'data');
const root = process.getuid?.() === 0;

// PostgreSQL refuses to run as root: as root, the cluster belongs to OS user postgres
const pgCmd = (cmd: string, args: string[]) =>
  root
    ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args], { stdio: 'pipe' })
    : execFileSync(path.join(BIN, cmd), args, { stdio: 'pipe' });
const pgCtl = (action: string, preload: boolean) =>
  pgCmd('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    path.join(dir, 'server.log'),
    ...(action === 'start'
      ? [
          '-o',
          `-p ${PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c shared_preload_libraries=${preload ? 'timescaledb' : "''"}`,
        ]
      : ['-m', 'fast']),
    action,
  ]);

beforeAll(async () => {
  // the TimescaleDB build must be installed: the same check as the other suites
  const ts = adminOf(TS_URL);
  await requireTimescale(ts, TS_URL, 'timescale').finally(() => ts.$pool.end());
  if (root) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
  pgCmd('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  pgCtl('start', true);
  const db = adminOf(url);
  await db.none('CREATE EXTENSION timescaledb');
  await db.$pool.end();
  pgCtl('stop', true);
  pgCtl('start', false);
}, 120_000);
afterAll(() => {
  try {
    pgCtl('stop', false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('extension created but not preloaded', () => {
  it.each(['auto', false] as const)(
    'enabled: %s refuses to start with the HINT, and no backend is ended',
    async (enabled) => {
      const db = adminOf(url);
      const fatal = async () => {
        await db.one('SELECT pg_stat_clear_snapshot() IS NULL AS ok');
        return (
          await db.one<{ n: number }>(
            "SELECT sessions_fatal::int AS n FROM pg_stat_database WHERE datname = 'postgres'",
          )
        ).n;
      };
      const before = await fatal();
      const w = tsWriter(url, unique('qi_ts_created'), { timescale: { enabled } });
      const init = await w.init();
      expectOk(await w.close());
      expect(init.ok).toBe(false);
      if (!init.ok) {
        expect(init.error.code).toBe('TS_TIMESCALE_NOT_PRELOADED');
        expect(init.error.message).toMatch(
          /exists in this database but the server has not preloaded it.*Please preload the timescaledb library.*DROP EXTENSION timescaledb/,
        );
      }
      expect(await fatal()).toBe(before);
      await db.$pool.end();
    },
  );
});
