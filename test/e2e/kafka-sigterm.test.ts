import { TEST_KAFKA_BROKERS as BROKERS, requireBroker, uniqueName as unique } from '@qi/core/testkit';
import { CLIENT_NAMES } from '@qi/streaming';
import { deleteTopics } from '../support/kafka';
import { PG_URL, priceRows, psql } from './helpers';
import {
  kafkaProject,
  lastAssignment,
  naturalKeyOf,
  produceRange,
  type QiProcess,
  qiRun,
  until,
} from './kafka-project';

// Two `qi run` processes in one consumer group read a 6-partition topic that
// already holds a backlog (so every partition is paused at the queue bound and
// the connector's held-message limit is reached). SIGTERM of either one, while
// the backlog is still being read: it exits 0, the survivor takes its partitions
// over and finishes, then exits 0 on SIGTERM too; every record is in PostgreSQL once.
// The bounds are liveness bounds (a process that spins never gets there), not speeds.
const TOTAL = 120_000;
const EXIT_BOUND_MS = 30_000;

const exitWithin = async (p: QiProcess, ms: number) => {
  const timer = new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms).unref());
  const done = await Promise.race([p.done, timer]);
  return done === 'still running' ? done : { code: done.code, stderr: done.code === 0 ? '' : p.stderr() };
};

describe.each(CLIENT_NAMES.flatMap((client) => [[client, 'first'] as const, [client, 'second'] as const]))(
  'SIGTERM in a two-process group (%s, the %s process stopped)',
  (client, which) => {
    const id = unique(`qi-e2e-term-${client}`);
    const prefix = `${id}.`;
    const topic = `${prefix}prices`;
    const schema = id.replace(/[^a-z0-9]/g, '_');
    let project: ReturnType<typeof kafkaProject>;
    const procs: QiProcess[] = [];

    beforeAll(async () => {
      await requireBroker();
      project = kafkaProject(`pipelines:
  prices:
    source:
      use: "@qi/source-redpanda"
      with:
        client: ${client}
        brokers: ${JSON.stringify(BROKERS)}
        topics: [${topic}]
        groupId: ${id}
        partitions: 6
        sessionTimeoutMs: 6000
        heartbeatIntervalMs: 500
        maxBatchRecords: 1000
    targets:
      - use: "@qi/target-timescale"
        with: { connectionString: "${PG_URL}", schema: ${schema}, batchSize: 1000, timescale: { enabled: false } }
`);
      await produceRange(prefix, 0, TOTAL, 'e2e-term', 10_000);
    });
    afterAll(async () => {
      for (const p of procs) if (!p.exited) p.child.kill('SIGKILL');
      await deleteTopics([prefix]);
      psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      project?.cleanup();
    });

    const rows = () => priceRows(schema);
    const owned = (p: QiProcess) => lastAssignment(p)?.length ?? 0;

    it('both exit 0 and every record lands once', async () => {
      const a = qiRun(project.dir);
      procs.push(a);
      const b = qiRun(project.dir);
      procs.push(b);
      await until(
        () => owned(a) > 0 && owned(b) > 0 && owned(a) + owned(b) === 6,
        [a, b],
        60_000,
        () => `a split of the partitions (A ${lastAssignment(a)}, B ${lastAssignment(b)})`,
      );
      await until(
        () => rows() > 0,
        [a, b],
        60_000,
        () => 'the first rows',
      );
      const [stopped, survivor] = which === 'first' ? [a, b] : [b, a];
      stopped.child.kill('SIGTERM');
      expect(await exitWithin(stopped, EXIT_BOUND_MS)).toEqual({ code: 0, stderr: '' });
      await until(
        () => rows() === TOTAL,
        [survivor],
        120_000,
        () => `${TOTAL} rows (have ${rows()}, survivor owns ${lastAssignment(survivor)})`,
      );
      survivor.child.kill('SIGTERM');
      expect(await exitWithin(survivor, EXIT_BOUND_MS)).toEqual({ code: 0, stderr: '' });

      // the natural keys of records 0..TOTAL-1 are the 60 coins x TOTAL/60 seconds: all rows inside that box, TOTAL of them
      const [n, coins, first, last] = psql(
        `SELECT count(*), count(DISTINCT coin_id), min(extract(epoch from ts) * 1000)::bigint, max(extract(epoch from ts) * 1000)::bigint FROM "${schema}".prices`,
      ).split('|');
      expect({ n: Number(n), coins: Number(coins), first, last }).toEqual({
        n: TOTAL,
        coins: 60,
        first: naturalKeyOf(0).split('|')[1],
        last: naturalKeyOf(TOTAL - 1).split('|')[1],
      });
    }, 300_000);
  },
);
