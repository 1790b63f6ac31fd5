import { expectOk } from '@qi/core/testkit';
import { unique } from './helpers';
import { createPrivateCluster } from './private-cluster';
import { adminOf, requireTimescale, TS_URL, tsWriter } from './timescaledb-helpers';

// A database where the extension exists while the server no longer preloads it (e.g. after a
// config change or a restore): any DDL fires TimescaleDB's event trigger and the server ends the
// backend with FATAL. A private cluster (started and stopped here) reaches that state for real.
let cluster: Awaited<ReturnType<typeof createPrivateCluster>>;
let url: string;

beforeAll(async () => {
  // the TimescaleDB build must be installed: the same check as the other suites
  const ts = adminOf(TS_URL);
  await requireTimescale(ts, TS_URL, 'timescale').finally(() => ts.$pool.end());
  cluster = await createPrivateCluster();
  url = cluster.url;
  cluster.start({ preload: true });
  const db = adminOf(url);
  await db.none('CREATE EXTENSION timescaledb');
  await db.$pool.end();
  cluster.start({ preload: false });
}, 120_000);
afterAll(() => cluster?.destroy());

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
        expect(init.error.code).toBe('QI_TARGET_TIMESCALE_EXTENSION_NOT_PRELOADED');
        expect(init.error.message).toMatch(
          /exists in this database but the server has not preloaded it.*Please preload the timescaledb library.*DROP EXTENSION timescaledb/,
        );
      }
      expect(await fatal()).toBe(before);
      await db.$pool.end();
    },
  );
});
