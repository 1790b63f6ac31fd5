import { uniqueName as unique } from '@qi/core/testkit';
import { healthz, privatePostgres, type QiProcess, qiRun, sleep, tickerProject, until } from './outage';

// PostgreSQL goes down for 3 minutes in the middle of a `qi run` whose source
// keeps producing, and in a second run is down when `qi run` starts: each run
// waits (the breaker pauses delivery, start-up retries), resumes by itself,
// exits 0 on SIGTERM, and every record read is in the table exactly once.
// A private PostgreSQL on its own port: the shared one on 5432 is never stopped.
const PORT = Number(process.env.QI_PG_OUTAGE_PORT ?? 15433);
const OUTAGE_MS = Number(process.env.QI_OUTAGE_MS ?? 180_000);
const pg = privatePostgres(PORT);
const running: QiProcess[] = [];
const cleanups: Array<() => void> = [];

beforeAll(() => pg.start(), 120_000);
afterAll(async () => {
  for (const p of running) if (!p.exited) p.child.kill('SIGKILL');
  for (const c of cleanups) c();
  await pg.remove();
}, 120_000);

function project(schema: string) {
  const p = tickerProject(`health: { breakerOpenMs: 20000 }
startTimeoutMs: 120000
pipelines:
  ticks:
    source: { use: qi-test-ticker, with: { intervalMs: 200, perTick: 10 } }
    targets:
      - use: "@qi/target-timescale"
        name: db
        with: { connectionString: "${pg.url}", schema: ${schema}, batchSize: 500 }
`);
  cleanups.push(p.cleanup);
  return p;
}

/** rows, distinct natural keys; 0 while the table does not exist or the server is down */
async function count(schema: string): Promise<{ rows: number; keys: number }> {
  try {
    const [rows, keys] = (
      await pg.psql(
        `SELECT count(*), count(DISTINCT (coin_id, vs_currency, exchange, ts)) FROM "${schema}".prices`,
      )
    ).split('|');
    return { rows: Number(rows), keys: Number(keys) };
  } catch {
    return { rows: 0, keys: 0 };
  }
}

async function stopAndCheck(p: QiProcess, schema: string) {
  p.child.kill('SIGTERM');
  const done = await p.done;
  expect({ code: done.code, tail: done.code === 0 ? '' : p.stderr().slice(-3000) }).toEqual({
    code: 0,
    tail: '',
  });
  const stop = p.logs().find((l) => l.event === 'pipeline.stop');
  const { rows, keys } = await count(schema);
  expect(Number(stop?.recordsIn)).toBeGreaterThan(0);
  expect({ in: Number(stop?.recordsIn), rows, keys }).toEqual({ in: rows, rows, keys: rows });
  expect(p.stderr()).not.toContain('QI_RETRIES_EXHAUSTED');
}

it(
  `PostgreSQL down for ${OUTAGE_MS / 1000} s mid-run: the run pauses, /healthz says so, then it resumes by itself`,
  async () => {
    const schema = unique('qi_outage_pg').replace(/[^a-z0-9_]/g, '_');
    const p = qiRun(project(schema).dir, ['--metrics-port', '0']);
    running.push(p);
    await until(
      async () => (await count(schema)).rows >= 300,
      p,
      60_000,
      () => '300 rows before the outage',
    );
    await pg.stop();
    const stoppedAt = Date.now();
    const atStop = await count(schema);
    // the breaker opens and stays open past health.breakerOpenMs (20 s): /healthz turns 503 and names the target
    await until(
      async () => (await healthz(p))?.status === 503,
      p,
      OUTAGE_MS,
      () => '/healthz 503 during the outage',
    );
    const h = (await healthz(p))!.body as {
      pipelines: Array<{ problems: string[]; targets: Array<{ breaker: string }> }>;
    };
    expect(h.pipelines[0]!.problems.join('\n')).toContain('target db: circuit breaker');
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    expect(p.exited).toBeUndefined(); // a 3-minute outage did not end the run
    await pg.start();
    await until(
      async () => (await count(schema)).rows > atStop.rows + 1000 && (await healthz(p))?.status === 200,
      p,
      120_000,
      () => `rows after the outage (had ${atStop.rows}) and /healthz 200`,
    );
    expect(p.logs().some((l) => l.event === 'writer.paused')).toBe(true);
    await stopAndCheck(p, schema);
  },
  OUTAGE_MS + 300_000,
);

it('qi run started while PostgreSQL is down waits for it, then delivers everything', async () => {
  const schema = unique('qi_startdown_pg').replace(/[^a-z0-9_]/g, '_');
  await pg.stop();
  const p = qiRun(project(schema).dir);
  running.push(p);
  await until(
    () => p.logs().some((l) => l.event === 'pipeline.start_retry'),
    p,
    30_000,
    () => 'a start retry log line',
  );
  const line = p.logs().find((l) => l.event === 'pipeline.start_retry')!;
  expect(line.msg).toMatch(
    /^pipelines\.ticks\.targets\[0\] \(@qi\/target-timescale\) not ready \(attempt 1\): .*; next try in [\d.]+ s$/,
  );
  await sleep(30_000);
  expect(p.exited).toBeUndefined();
  await pg.start();
  await until(
    async () => (await count(schema)).rows >= 1000,
    p,
    120_000,
    () => '1000 rows after start-up',
  );
  expect(p.logs().filter((l) => l.event === 'pipeline.start_retry').length).toBeGreaterThan(2);
  await stopAndCheck(p, schema);
}, 300_000);
