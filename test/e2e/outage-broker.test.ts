import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { naturalKey } from '@qi/core';
import { uniqueName as unique } from '@qi/core/testkit';
import { readRecords, streamingFor } from '../support/kafka';
import { REPO } from './helpers';
import { healthz, type QiProcess, qiRun, sleep, tickerProject, until } from './outage';

// The broker goes down for 3 minutes in the middle of a `qi run` whose source
// keeps producing, and in a second run is down when `qi run` starts: the run
// waits, resumes by itself, exits 0 on SIGTERM, and every record read is in
// the topic once. Its OWN broker (scripts/kafka.sh, another home and ports):
// the shared one on 9092 is never stopped.
const PORT = Number(process.env.QI_KAFKA_OUTAGE_PORT ?? 19192);
const OUTAGE_MS = Number(process.env.QI_OUTAGE_MS ?? 180_000);
const BROKERS = [`127.0.0.1:${PORT}`];
const env = {
  ...process.env,
  QI_KAFKA_HOME: path.join(REPO, '.cache/kafka-outage-test'),
  QI_KAFKA_PORT: String(PORT),
  QI_KAFKA_CONTROLLER_PORT: String(PORT + 1),
};
const kafka = (cmd: 'start' | 'stop') =>
  promisify(execFile)(path.join(REPO, 'scripts/kafka.sh'), [cmd], { env, timeout: 120_000 }).catch(
    (e: Error & { stderr?: string }) => {
      throw new Error(`scripts/kafka.sh ${cmd} (port ${PORT}) failed: ${e.stderr ?? e.message}`);
    },
  );
const running: QiProcess[] = [];
const cleanups: Array<() => void> = [];

beforeAll(() => kafka('start'), 150_000);
afterAll(async () => {
  for (const p of running) if (!p.exited) p.child.kill('SIGKILL');
  for (const c of cleanups) c();
  await kafka('stop');
}, 150_000);

function project(prefix: string) {
  const p = tickerProject(`health: { breakerOpenMs: 20000 }
startTimeoutMs: 150000
pipelines:
  ticks:
    source: { use: qi-test-ticker, with: { intervalMs: 200, perTick: 10 } }
    targets:
      - use: "@qi/target-redpanda"
        name: broker
        with:
          brokers: ${JSON.stringify(BROKERS)}
          topicPrefix: "${prefix}"
          deadLetterTopic: "${prefix}dead-letter"
          partitions: 3
          connectionTimeoutMs: 2000
          requestTimeoutMs: 5000
`);
  cleanups.push(p.cleanup);
  return p;
}

/** messages in the topic by its offsets; 0 while it does not exist or the broker is down */
async function count(topic: string): Promise<number> {
  try {
    const s = await streamingFor('kafkajs', BROKERS);
    try {
      const admin = await s.getAdmin();
      if (!admin.ok) return 0;
      const offsets = await admin.value.fetchTopicOffsets(topic);
      if (!offsets.ok) return 0;
      return offsets.value.reduce((n, o) => n + Number(BigInt(o.high) - BigInt(o.low)), 0);
    } finally {
      await s.disconnect();
    }
  } catch {
    return 0;
  }
}

async function stopAndCheck(p: QiProcess, topic: string) {
  p.child.kill('SIGTERM');
  const done = await p.done;
  expect({ code: done.code, tail: done.code === 0 ? '' : p.stderr().slice(-3000) }).toEqual({
    code: 0,
    tail: '',
  });
  const recordsIn = Number(p.logs().find((l) => l.event === 'pipeline.stop')?.recordsIn);
  const s = await streamingFor('kafkajs', BROKERS);
  try {
    const back = await readRecords(s, topic);
    const keys = new Set(back.map((r) => naturalKey(r)));
    expect(recordsIn).toBeGreaterThan(0);
    expect({ in: recordsIn, messages: back.length, keys: keys.size }).toEqual({
      in: recordsIn,
      messages: recordsIn,
      keys: recordsIn,
    });
  } finally {
    await s.disconnect();
  }
  expect(p.stderr()).not.toContain('QI_RETRIES_EXHAUSTED');
}

it(
  `broker down for ${OUTAGE_MS / 1000} s mid-run: the run pauses, /healthz says so, then it resumes by itself`,
  async () => {
    const prefix = `${unique('qi-outage')}.`;
    const topic = `${prefix}prices`;
    const p = qiRun(project(prefix).dir, ['--metrics-port', '0']);
    running.push(p);
    await until(
      async () => (await count(topic)) >= 300,
      p,
      90_000,
      () => '300 messages before the outage',
    );
    await kafka('stop');
    const stoppedAt = Date.now();
    await until(
      async () => (await healthz(p))?.status === 503,
      p,
      OUTAGE_MS,
      () => '/healthz 503 during the outage',
    );
    const h = (await healthz(p))!.body as { pipelines: Array<{ problems: string[] }> };
    expect(h.pipelines[0]!.problems.join('\n')).toContain('target broker: circuit breaker');
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    expect(p.exited).toBeUndefined(); // the outage did not end the run
    await kafka('start');
    const atStart = await count(topic);
    await until(
      async () => (await count(topic)) > atStart + 1000 && (await healthz(p))?.status === 200,
      p,
      150_000,
      () => `messages after the outage (had ${atStart}) and /healthz 200`,
    );
    await stopAndCheck(p, topic);
  },
  OUTAGE_MS + 400_000,
);

it('qi run started while the broker is down waits for it, then delivers everything', async () => {
  const prefix = `${unique('qi-startdown')}.`;
  const topic = `${prefix}prices`;
  await kafka('stop');
  const p = qiRun(project(prefix).dir);
  running.push(p);
  await until(
    () => p.logs().some((l) => l.event === 'pipeline.start_retry'),
    p,
    60_000,
    () => 'a start retry log line',
  );
  expect(p.logs().find((l) => l.event === 'pipeline.start_retry')!.msg).toMatch(
    /^pipelines\.ticks\.targets\[0\] \(@qi\/target-redpanda\) not ready \(attempt 1\): .*; next try in [\d.]+ s$/,
  );
  await sleep(30_000);
  expect(p.exited).toBeUndefined();
  await kafka('start');
  await until(
    async () => (await count(topic)) >= 1000,
    p,
    150_000,
    () => '1000 messages after start-up',
  );
  await stopAndCheck(p, topic);
}, 400_000);
