import type { SourceBatch } from '@qi/core';
import { manualClock } from '@qi/core/testkit';
import { configSchema } from '../src/config';
import { FakeConsumer, session, settled } from './fake-consumer';

// maxBatchWaitMs: a full batch leaves at once, a partial one once its first message waited that long.
// The session's clock only moves when the test moves it.
describe('ConsumerSession latency-aware batching', () => {
  async function started(maxBatchWaitMs: number, maxBatchRecords = 10) {
    const consumer = new FakeConsumer();
    const clock = manualClock();
    const s = session(consumer, { maxBatchWaitMs, maxBatchRecords, maxQueued: 100, clock });
    await s.start();
    consumer.assign('t', [0, 1]);
    const it = s.batches(new AbortController().signal) as AsyncGenerator<SourceBatch, void>;
    return { consumer, it, clock };
  }
  const size = (r: IteratorResult<SourceBatch, void> | 'pending') =>
    r === 'pending' ? r : (r.value as SourceBatch).records.length;

  it('holds a partial batch until maxBatchWaitMs after its first message, gathering what arrives meanwhile', async () => {
    const { consumer, it, clock } = await started(20);
    await consumer.deliver('t', 0, [0, 1, 2]);
    const next = it.next();
    expect(await settled(next)).toBe('pending');
    await clock.advance(10);
    await consumer.deliver('t', 1, [0, 1]);
    expect(await settled(next)).toBe('pending');
    await clock.advance(10);
    expect(size(await settled(next))).toBe(5);
  });

  it('hands a full batch on at once, without waiting', async () => {
    const { consumer, it, clock } = await started(1000);
    await consumer.deliver('t', 0, [0, 1, 2, 3, 4, 5, 6]);
    const next = it.next();
    expect(await settled(next)).toBe('pending');
    await consumer.deliver('t', 1, [0, 1, 2, 3, 4]);
    expect(size(await settled(next))).toBe(10);
    // what is left over has waited only since that take
    const rest = it.next();
    expect(await settled(rest)).toBe('pending');
    await clock.advance(1000);
    expect(size(await settled(rest))).toBe(2);
  });

  it('with maxBatchWaitMs 0 hands on whatever is queued at once', async () => {
    const { consumer, it } = await started(0);
    await consumer.deliver('t', 0, [0]);
    expect(size(await settled(it.next()))).toBe(1);
  });

  it('defaults to 0 with every client; a configured value wins', () => {
    for (const client of ['kafkajs', 'platformatic', 'rdkafka'] as const)
      expect(configSchema.parse({ client }).maxBatchWaitMs).toBe(0);
    expect(configSchema.parse({}).maxBatchWaitMs).toBe(0);
    expect(configSchema.parse({ client: 'kafkajs', maxBatchWaitMs: 5 }).maxBatchWaitMs).toBe(5);
  });
});
