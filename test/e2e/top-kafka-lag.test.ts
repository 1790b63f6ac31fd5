import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TEST_KAFKA_BROKERS as BROKERS, requireBroker, uniqueName as unique } from '@qi/core/testkit';
import { deleteTopics } from '../support/kafka';
import { REPO } from './helpers';
import { kafkaProject, produceRange, type QiProcess, qiRun } from './kafka-project';
import { metricsUrl, until } from './outage';

// The Kafka source knows its lag (end offsets minus what it handed over): `qi run`
// reading a topic with a backlog reports `source.lag` in /status, down to 0 once
// every record is written, and `qi top` shows it in the LAG column.
const TOTAL = 5000;
const id = unique('qi-e2e-lag');
const prefix = `${id}.`;
let project: ReturnType<typeof kafkaProject>;
let run: QiProcess | undefined;

interface Status {
  pipelines: Array<{ source: { lag?: number }; targets: Array<{ written: number }> }>;
}

beforeAll(async () => {
  await requireBroker();
  await produceRange(prefix, 0, TOTAL, 'e2e-lag', 1000);
  project = kafkaProject(`pipelines:
  prices:
    source:
      use: "@qi/source-redpanda"
      with:
        client: kafkajs
        brokers: ${JSON.stringify(BROKERS)}
        topics: [${prefix}prices]
        groupId: ${id}
        partitions: 6
        maxBatchRecords: 500
    targets:
      - { use: file, name: out, with: { path: out.ndjson } }
`);
}, 120_000);
afterAll(async () => {
  if (run && !run.exited) {
    run.child.kill('SIGTERM');
    await run.done;
  }
  project?.cleanup();
  await deleteTopics([prefix]);
});

it('reports the source lag in /status, 0 once the backlog is written, and qi top shows it', async () => {
  run = qiRun(project.dir, ['--metrics-port', '0']);
  const r = run;
  await until(
    () => metricsUrl(r) !== undefined,
    r,
    60_000,
    () => 'the metrics.listening log line',
  );
  const url = metricsUrl(r)!;
  let s: Status['pipelines'][0] | undefined;
  const seen = new Set<number>();
  await until(
    async () => {
      s = ((await (await fetch(`${url}/status`)).json()) as Status).pipelines[0];
      if (typeof s?.source.lag === 'number') seen.add(s.source.lag);
      return s?.targets[0]?.written === TOTAL && s.source.lag === 0;
    },
    r,
    90_000,
    () => `all ${TOTAL} written and lag 0; last status: ${JSON.stringify(s)}`,
  );
  expect(s!.source.lag).toBe(0);
  expect([...seen].every((n) => Number.isInteger(n) && n >= 0 && n <= TOTAL)).toBe(true);
  const screen = execFileSync(
    process.execPath,
    [path.join(REPO, 'packages/core/bin/qi.cjs'), 'top', '--once', '--interval', '200', '--url', url],
    { encoding: 'utf8' },
  );
  // the source row: STATE, RATE/s, TOTAL, then "-" for in-flight, retries, breaker, dead, FAILED 0, LAG 0
  expect(screen).toMatch(/← source @qi\/source-redpanda\s+reading\s+\S+\s+\d+\s+-\s+-\s+-\s+-\s+0\s+0\s/);
  expect(screen).toMatch(new RegExp(`→ out\\s+ok\\s+\\S+\\s+${TOTAL}\\s`));
}, 180_000);
