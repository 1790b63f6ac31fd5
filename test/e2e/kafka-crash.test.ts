import { TEST_KAFKA_BROKERS as BROKERS, requireBroker, uniqueName as unique } from '@qi/core/testkit';
import { deleteTopics } from '../support/kafka';
import { PG_URL, priceRows, psql } from './helpers';
import {
  kafkaProject,
  keysSql,
  naturalKeyOf,
  pipelineStop,
  produceRange,
  type QiProcess,
  qiRun,
  until,
} from './kafka-project';

// `qi run` (Kafka -> PostgreSQL) is killed with SIGKILL while records are still
// being produced, then started again with --once: every produced record is in
// PostgreSQL exactly once (the target upserts on the natural key), none missing.
const TOTAL = 30_000;

describe('qi run kafka -> PostgreSQL survives SIGKILL', () => {
  const id = unique('qi-e2e-crash');
  const prefix = `${id}.`;
  const topic = `${prefix}prices`;
  const schema = id.replace(/[^a-z0-9]/g, '_');
  let project: ReturnType<typeof kafkaProject>;
  const running: QiProcess[] = [];

  beforeAll(async () => {
    await requireBroker();
    project = kafkaProject(`pipelines:
  prices:
    maxInFlight: 2
    source:
      use: "@qi/source-redpanda"
      with:
        brokers: ${JSON.stringify(BROKERS)}
        topics: [${topic}]
        groupId: ${id}
        sessionTimeoutMs: 6000
        heartbeatIntervalMs: 500
        maxBatchRecords: 500
        onceIdleMs: 1500
    targets:
      - use: "@qi/target-timescale"
        with: { connectionString: "${PG_URL}", schema: ${schema}, batchSize: 500 }
`);
  });
  afterAll(async () => {
    for (const p of running) p.child.kill('SIGKILL');
    await deleteTopics([prefix]);
    psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    project?.cleanup();
  });

  const rows = () => priceRows(schema);

  it('delivers every record exactly once across a SIGKILL and a restart', async () => {
    await produceRange(prefix, 0, 5000, 'e2e-crash');
    const first = qiRun(project.dir);
    running.push(first);
    // keep producing while the first run consumes, so the kill lands mid-stream
    const producing = produceRange(prefix, 5000, TOTAL, 'e2e-crash', 500);
    await until(
      () => rows() >= 2000,
      [first],
      60_000,
      () => `2000 rows (have ${rows()})`,
    );
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const atKill = rows();
    await producing;
    expect(atKill).toBeLessThan(TOTAL);

    const second = qiRun(project.dir, ['--once']);
    running.push(second);
    const done = await second.done;
    expect({ code: done.code, stderr: done.code === 0 ? '' : second.stderr() }).toEqual({
      code: 0,
      stderr: '',
    });
    expect(Number(pipelineStop(second)?.recordsIn)).toBeGreaterThan(0);

    const keys = psql(keysSql(schema)).split('\n');
    expect(keys).toHaveLength(TOTAL);
    const want = new Set(Array.from({ length: TOTAL }, (_, i) => naturalKeyOf(i)));
    expect(keys.filter((k) => !want.has(k))).toEqual([]);
    expect(new Set(keys).size).toBe(TOTAL);
  });
});
