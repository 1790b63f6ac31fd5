import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseJsonLossless } from '../../packages/core/src/index';
import { type StandIn, startStandIn } from '../../packages/source-coingecko/src/testing/stand-in';
import { PG_URL, psql, REPO, start, tempDir, waitFor } from './helpers';

// The whole chain as a user runs it: `qi run` as a child process, CoinGecko
// (the stand-in for the internet) → the machine's PostgreSQL and the local
// Kafka broker, stopped by SIGTERM.
const PLUGINS = ['core', 'source-coingecko', 'target-timescale', 'target-redpanda'];

/** Every message value in the topics matching a regex, read with Kafka's own console consumer (not Qi's code). */
function consumeTopics(regex: string): Array<Record<string, unknown>> {
  const out = execFileSync(
    path.join(REPO, 'scripts/kafka.sh'),
    [
      'tool',
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      '--bootstrap-server',
      '127.0.0.1:9092',
      '--include',
      regex,
      '--from-beginning',
      '--timeout-ms',
      '5000',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => parseJsonLossless(l) as Record<string, unknown>);
}

describe('qi run: CoinGecko → PostgreSQL + Kafka', () => {
  const work = tempDir('qi-e2e-');
  const schema = `qi_e2e_${process.pid}`;
  const prefix = `e2e${process.pid}.`;
  let standIn: StandIn;

  beforeAll(async () => {
    standIn = await startStandIn({ port: 0, priceUpdateMs: 1000 });
    mkdirSync(path.join(work.dir, 'node_modules/@qi'), { recursive: true });
    for (const p of PLUGINS)
      symlinkSync(path.join(REPO, 'packages', p), path.join(work.dir, 'node_modules/@qi', p), 'dir');
    writeFileSync(
      path.join(work.dir, 'qi.config.yaml'),
      `pipelines:
  market:
    source:
      use: "@qi/source-coingecko"
      with:
        coins: [bitcoin, ethereum, solana, dogecoin]
        intervalMs: 700
        rateLimitPerMinute: 600
        analyticsIntervalMs: 1500
        ohlcv: { enabled: true, days: "1", intervalMs: 2000 }
    targets:
      - use: "@qi/target-timescale"
        with: { connectionString: "\${DATABASE_URL}", schema: ${schema} }
      - use: "@qi/target-redpanda"
        with: { brokers: ["127.0.0.1:9092"], topicPrefix: "${prefix}", partitions: 3 }
`,
    );
  });
  afterAll(async () => {
    await standIn?.close();
    psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    work.cleanup();
  });

  it('delivers every record to both targets, exactly once in PostgreSQL, and stops cleanly on SIGTERM', async () => {
    const run = start(
      process.execPath,
      [path.join(REPO, 'packages/core/bin/qi.cjs'), 'run', '--no-progress'],
      {
        cwd: work.dir,
        env: { COINGECKO_BASE_URL: standIn.url, DATABASE_URL: PG_URL },
      },
    );
    let exited = false;
    void run.done.then(() => {
      exited = true;
    });
    // several poll cycles: at least 3 distinct price updates per coin
    await waitFor(
      () => {
        if (exited) throw new Error(`qi run exited early:\n${run.output().stderr}`);
        try {
          return (
            Number(
              psql(
                `SELECT coalesce(min(n), 0) FROM (SELECT count(*) n FROM "${schema}".prices GROUP BY coin_id) x`,
              ),
            ) >= 3
          );
        } catch {
          return false; // the schema does not exist yet
        }
      },
      60_000,
      () => `not enough cycles yet; stderr:\n${run.output().stderr.slice(-2000)}`,
    );
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect({ code: r.code, errors: r.stderr.split('\n').filter((l) => l.includes('"level":50')) }).toEqual({
      code: 0,
      errors: [],
    });

    const messages = consumeTopics(`${prefix.replace('.', '\\.')}.*`);
    for (const [table, kind, key] of [
      ['prices', 'price', ['coin_id', 'vs_currency', 'ts']],
      ['ohlcv', 'ohlcv', ['coin_id', 'interval', 'ts']],
      ['market_analytics', 'analytics', ['vs_currency', 'ts']],
    ] as const) {
      const rows = psql(`SELECT json_agg(t) FROM "${schema}"."${table}" t`);
      const inDb = (parseJsonLossless(rows || '[]', { numbersAsText: true }) ?? []) as Array<
        Record<string, unknown>
      >;
      const inTopic = messages.filter((m) => m.kind === kind);
      const k = (r: Record<string, unknown>) =>
        key.map((f) => (f === 'ts' ? new Date(String(r[f])).toISOString() : String(r[f]))).join('|');
      const dbKeys = inDb.map(k);
      expect(inDb.length).toBeGreaterThan(0);
      // exactly once in PostgreSQL, and the same set of records as in the topic
      expect(new Set(dbKeys).size).toBe(dbKeys.length);
      expect(new Set(inTopic.map(k))).toEqual(new Set(dbKeys));
      if (table === 'prices') {
        // every digit made it through both paths
        const byKey = new Map(inTopic.map((m) => [k(m), m]));
        for (const row of inDb) expect(String(row.price)).toBe(byKey.get(k(row))!.price);
      }
    }
  });
});
