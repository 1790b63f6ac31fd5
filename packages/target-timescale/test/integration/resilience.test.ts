import { createLogger, createMetrics } from '@qi/core';
import { expectOk, samplePrice } from '@qi/core/testkit';
import { admin, dropSchema, requirePostgres, unique, writer } from './helpers';

const schema = unique('qi_ts_kill');

beforeAll(requirePostgres);
afterAll(async () => {
  await dropSchema(schema);
  await admin.$pool.end();
});

const pause = () => new Promise((r) => setTimeout(r, 2));

/** Terminates the writer's backends (found by application_name) until `kills` landed or the run ended. */
async function killer(app: string, kills: number, done: () => boolean): Promise<number> {
  let landed = 0;
  const seen = new Set<number>();
  while (landed < kills && !done()) {
    const rows = await admin.any<{ pid: number; killed: boolean }>(
      `SELECT pid, pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND NOT (pid = ANY($2::int[]))`,
      [app, [...seen]],
    );
    for (const r of rows) {
      seen.add(r.pid);
      if (r.killed) landed++;
    }
    await pause();
  }
  return landed;
}

describe.each([['copy' as const], ['insert' as const]])(
  'connection killed by the server mid-run (%s path)',
  (writePath) => {
    it('retries and loses nothing: count in = count out', async () => {
      const app = unique('qi_ts_kill');
      const lines: Array<{ event?: string }> = [];
      const logger = createLogger({
        level: 'warn',
        destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
      });
      const w = writer(
        schema,
        {
          writePath,
          applicationName: app,
          batchSize: 1000,
          poolMax: 2,
          tables: { price: `prices_${writePath}` },
          retry: { initialDelayMs: 10, maxDelayMs: 200 },
        },
        {},
        { logger, metrics: createMetrics() },
      );
      expectOk(await w.init());
      const n = 60_000;
      const records = Array.from({ length: n }, (_, i) => samplePrice(i));
      let finished = false;
      const run = w.publishPrices(records).finally(() => {
        finished = true;
      });
      const kills = await killer(app, 3, () => finished);
      const report = expectOk(await run);
      expectOk(await w.close());
      expect(kills).toBeGreaterThan(0);
      expect(lines.filter((l) => l.event === 'writer.retry').length).toBeGreaterThan(0);
      expect(report).toEqual({ written: n, rejected: [] });
      expect(await admin.one(`SELECT count(*)::int AS n FROM "${schema}"."prices_${writePath}"`)).toEqual({
        n,
      });
    });
  },
);
