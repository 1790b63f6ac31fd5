import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type RecordKind } from '@qi/core';
import { describeWriterConformance, expectOk, sampleRecords, testContext } from '@qi/core/testkit';
import {
  createTimescaleWriter,
  type TimescaleTargetConfigInput,
  type TimescaleWriter,
} from '../../src/index';

// Not a fake: the same PGlite, its ESM build. The root jest transform skips `.cjs` files, and
// PGlite's CommonJS build does dynamic import() calls that jest's CJS runtime cannot run.
jest.mock('@electric-sql/pglite', () =>
  jest.requireActual(require.resolve('@electric-sql/pglite').replace(/index\.cjs$/, 'index.js')),
);

// The embedded default: no connection configured → PGlite in a folder, same pg-promise code path.
const baseDir = mkdtempSync(join(tmpdir(), 'qi-ts-embedded-'));
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

const embedded = (config: TimescaleTargetConfigInput = {}, logger = testContext().logger) =>
  createTimescaleWriter({ lingerMs: 1, ...config }, testContext({ baseDir, logger }));

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  return {
    lines,
    logger: createLogger({
      level: 'info',
      destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
    }),
  };
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

describe('embedded PostgreSQL (PGlite)', () => {
  it('starts in .qi/pgdata under the config folder, says so, and a second run reuses the data', async () => {
    const first = capture();
    const w1 = embedded({}, first.logger);
    expect(expectOk(await w1.publishBatch(sampleRecords('price', 10))).written).toBe(10);
    const port = (await w1.db()).$cn as { port: number };
    expect(await portOpen(port.port)).toBe(true);
    expectOk(await w1.close());
    const dataDir = join(baseDir, '.qi', 'pgdata');
    const info = first.lines.filter((l) => l.event === 'timescale.embedded');
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ level: 40, dataDir, created: true });
    expect(String(info[0]!.msg)).toContain(dataDir);
    // close stopped the socket server and released the folder
    expect(await portOpen(port.port)).toBe(false);
    expect(existsSync(join(dataDir, 'qi-embedded.lock'))).toBe(false);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);

    const second = capture();
    const w2 = embedded({}, second.logger);
    expect(await w2.query('SELECT count(*)::int AS n FROM public.prices')).toEqual([{ n: 10 }]);
    expectOk(await w2.close());
    // warned again on every start, not only when the database is new
    expect(second.lines.find((l) => l.event === 'timescale.embedded')).toMatchObject({
      level: 40,
      created: false,
    });
  });

  it('shares one embedded database between two targets of the same process', async () => {
    const a = embedded({ embedded: { dataDir: 'shared' } });
    const b = embedded({ embedded: { dataDir: 'shared' } });
    expectOk(await a.publishBatch(sampleRecords('ohlcv', 5)));
    expectOk(await b.publishBatch(sampleRecords('level1', 7)));
    expectOk(await a.close());
    // b still works after a closed
    expectOk(await b.publishBatch(sampleRecords('level1', 7, 7)));
    expect(
      await b.query('SELECT (SELECT count(*) FROM ohlcv)::int AS o, (SELECT count(*) FROM level1)::int AS l'),
    ).toEqual([{ o: 5, l: 14 }]);
    expectOk(await b.close());
  });

  it('refuses a folder that another live process holds', async () => {
    const dir = join(baseDir, 'locked');
    const w = embedded({ embedded: { dataDir: dir } });
    expectOk(await w.init());
    expectOk(await w.close());
    writeFileSync(join(dir, 'qi-embedded.lock'), String(process.ppid));
    const other = embedded({ embedded: { dataDir: dir } });
    const init = await other.init();
    expect(init.ok).toBe(false);
    if (!init.ok) {
      expect(init.error.code).toBe('QI_TARGET_TIMESCALE_EMBEDDED');
      expect(init.error.message).toContain(String(process.ppid));
    }
    await other.close();
    rmSync(join(dir, 'qi-embedded.lock'));
  });
});

// The conformance suite on PGlite: reads go through the writer's own (single) connection.
let current: TimescaleWriter | undefined;
const conf = { embedded: { dataDir: 'conformance' }, batchSize: 7 };
describeWriterConformance({
  name: '@qi/target-timescale (embedded PGlite)',
  create: () => (current = embedded(conf)),
  reset: async () => {
    const w = embedded(conf);
    expectOk(await w.init());
    await w.query('TRUNCATE prices, ohlcv, market_analytics, level1');
    expectOk(await w.close());
  },
  readBack: (kind: RecordKind) => current!.table(kind).then((t) => current!.query(`SELECT * FROM ${t}`)),
});
