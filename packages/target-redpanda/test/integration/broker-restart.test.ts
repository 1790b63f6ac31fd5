import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { createLogger, naturalKey, parseRecord } from '@qi/core';
import { expectOk, sampleRecords, testContext } from '@qi/core/testkit';
import { CLIENT_NAMES } from '@qi/streaming';
import { configSchema, createRedpandaWriter } from '../../src/index';
import { readRecords, streamingFor, unique } from '../helpers';

/**
 * The broker goes away in the middle of a run and comes back: every record
 * published is in the topic exactly once, and the writer never crashed.
 *
 * This test stops and starts a broker, so it runs its OWN broker (same script,
 * scripts/kafka.sh, with another home and ports) instead of the shared one on
 * 9092: other test files running in parallel are not disturbed. afterAll stops
 * it whatever happened; its data is kept between starts, like the shared one's.
 */
const root = resolve(__dirname, '../../../..');
const PORT = Number(process.env.QI_KAFKA_RESTART_PORT ?? 19092);
const env = {
  ...process.env,
  QI_KAFKA_HOME: resolve(root, '.cache/kafka-restart-test'),
  QI_KAFKA_PORT: String(PORT),
  QI_KAFKA_CONTROLLER_PORT: String(PORT + 1),
};
const run = promisify(execFile);
const kafka = (cmd: 'start' | 'stop') =>
  run(resolve(root, 'scripts/kafka.sh'), [cmd], { env, timeout: 90_000 });
const BROKERS = [`127.0.0.1:${PORT}`];
const BATCH = 50;
const BATCHES = 20;

beforeAll(async () => {
  await kafka('start').catch((e: Error & { stderr?: string }) => {
    throw new Error(
      `could not start the restart-test broker with scripts/kafka.sh (port ${PORT}): ${e.stderr ?? e.message}`,
    );
  });
}, 120_000);

afterAll(async () => {
  await kafka('stop');
}, 120_000);

for (const client of CLIENT_NAMES) {
  it(`${client}: survives the broker stopping mid-run; count in = count out`, async () => {
    // a log sink that tells when the writer started retrying (the outage reached it)
    let sawRetry!: () => void;
    const retrying = new Promise<void>((r) => (sawRetry = r));
    const sink = new Writable({
      write(chunk, _enc, cb) {
        if (String(chunk).includes('"writer.retry"')) sawRetry();
        cb();
      },
    });
    const prefix = `${unique(`qi-restart-${client}`)}.`;
    const writer = createRedpandaWriter(
      configSchema.parse({
        client,
        brokers: BROKERS,
        topicPrefix: prefix,
        deadLetterTopic: `${prefix}dead-letter`,
        partitions: 3,
        batchSize: BATCH,
        lingerMs: 1,
        retries: 2,
        connectionTimeoutMs: 2000,
        requestTimeoutMs: 5000,
        retry: { maxAttempts: 0, initialDelayMs: 100, maxDelayMs: 2000 }, // forever, every 2 s at most
        breaker: { failureThreshold: 5, resetTimeoutMs: 1000 },
      }),
      testContext({ name: 'restart', logger: createLogger({ level: 'warn', destination: sink as never }) }),
    );
    const all = sampleRecords('price', BATCH * BATCHES * 2);
    const chunk = (i: number) => all.slice(i * BATCH, (i + 1) * BATCH);

    for (let i = 0; i < BATCHES; i++)
      expect(expectOk(await writer.publishPrices(chunk(i) as never)).written).toBe(BATCH);
    await kafka('stop');
    const during = Array.from({ length: BATCHES }, (_, i) =>
      writer.publishPrices(chunk(BATCHES + i) as never),
    );
    await retrying;
    expect((await writer.health()).ok).toBe(false);
    await kafka('start');
    for (const r of await Promise.all(during)) expect(expectOk(r)).toEqual({ written: BATCH, rejected: [] });
    expect((await writer.health()).ok).toBe(true);
    expectOk(await writer.close());

    const streaming = await streamingFor(client, BROKERS);
    try {
      const back = await readRecords(streaming, `${prefix}prices`);
      const keys = new Set(back.map((r) => naturalKey(r)));
      expect(back.length).toBe(all.length);
      expect(keys.size).toBe(all.length);
      for (const r of all) expect(keys.has(naturalKey(expectOk(parseRecord(r))))).toBe(true);
      const admin = expectOk(await streaming.getAdmin());
      await admin.deleteTopics([
        `${prefix}prices`,
        `${prefix}ohlcv`,
        `${prefix}market_analytics`,
        `${prefix}level1`,
        `${prefix}dead-letter`,
      ]);
    } finally {
      await streaming.disconnect();
    }
  }, 120_000);
}
