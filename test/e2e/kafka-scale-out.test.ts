import { TEST_KAFKA_BROKERS as BROKERS, requireBroker, uniqueName as unique } from '@qi/core/testkit';
import { CLIENT_NAMES } from '@qi/streaming';
import { deleteTopics } from '../support/kafka';
import { PG_URL, priceRows, psql } from './helpers';
import {
  kafkaProject,
  keysSql,
  lastAssignment,
  naturalKeyOf,
  pipelineStop,
  produceRange,
  type QiProcess,
  qiRun,
  until,
} from './kafka-project';

// Two `qi run` processes with the same group id share a 6-partition topic:
// together they deliver every record; stopping one (SIGTERM) while records are
// still arriving moves its partitions to the other, without loss.
const FIRST = 12_000;
const TOTAL = 30_000;

describe.each(CLIENT_NAMES)('scale-out (%s): two qi run processes in one consumer group', (client) => {
  const id = unique('qi-e2e-scale');
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
        maxBatchRecords: 500
    targets:
      - use: "@qi/target-timescale"
        with: { connectionString: "${PG_URL}", schema: ${schema}, batchSize: 500 }
`);
  });
  afterAll(async () => {
    for (const p of procs) if (!p.exited) p.child.kill('SIGKILL');
    await deleteTopics([prefix]);
    psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    project?.cleanup();
  });

  const rows = () => priceRows(schema);
  const owned = (p: QiProcess) => lastAssignment(p)?.length ?? 0;

  it('shares the partitions, and hands them over on SIGTERM without losing a record', async () => {
    const a = qiRun(project.dir);
    procs.push(a);
    await until(
      () => owned(a) === 6,
      [a],
      60_000,
      () => 'process A to own the 6 partitions',
    );

    const b = qiRun(project.dir);
    procs.push(b);
    await until(
      () => owned(b) > 0 && owned(a) > 0 && owned(a) + owned(b) === 6,
      [a, b],
      60_000,
      () => `a split of the partitions (A ${lastAssignment(a)}, B ${lastAssignment(b)})`,
    );
    expect(new Set([...lastAssignment(a)!, ...lastAssignment(b)!]).size).toBe(6);

    await produceRange(prefix, 0, FIRST, 'e2e-scale');
    await until(
      () => rows() === FIRST,
      [a, b],
      60_000,
      () => `${FIRST} rows (have ${rows()})`,
    );

    // stop B while the rest is being produced: its partitions move to A
    const producing = produceRange(prefix, FIRST, TOTAL, 'e2e-scale', 500);
    await until(
      () => rows() > FIRST,
      [a, b],
      60_000,
      () => 'the second wave to start arriving',
    );
    b.child.kill('SIGTERM');
    const bDone = await b.done;
    expect({ code: bDone.code, stderr: bDone.code === 0 ? '' : b.stderr() }).toEqual({
      code: 0,
      stderr: '',
    });
    await producing;
    await until(
      () => owned(a) === 6,
      [a],
      60_000,
      () => `A to take over B's partitions (A ${lastAssignment(a)})`,
    );
    await until(
      () => rows() === TOTAL,
      [a],
      60_000,
      () => `${TOTAL} rows (have ${rows()})`,
    );

    a.child.kill('SIGTERM');
    const aDone = await a.done;
    expect({ code: aDone.code, stderr: aDone.code === 0 ? '' : a.stderr() }).toEqual({
      code: 0,
      stderr: '',
    });
    // both delivered part of the stream
    expect(Number(pipelineStop(a)?.recordsIn)).toBeGreaterThan(0);
    expect(Number(pipelineStop(b)?.recordsIn)).toBeGreaterThan(0);

    const keys = psql(keysSql(schema)).split('\n');
    expect(keys).toHaveLength(TOTAL);
    const want = new Set(Array.from({ length: TOTAL }, (_, i) => naturalKeyOf(i)));
    expect(keys.filter((k) => !want.has(k))).toEqual([]);
  });
});
