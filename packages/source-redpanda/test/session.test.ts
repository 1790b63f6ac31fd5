import { err, type QiError, qiError, type Result, type SourceBatch } from '@qi/core';
import { manualClock } from '@qi/core/testkit';
import { FakeConsumer, rebalanceError, session, settled } from './fake-consumer';

async function started(o: Parameters<typeof session>[1] = {}) {
  const consumer = new FakeConsumer();
  const clock = manualClock();
  const s = session(consumer, { clock, ...o });
  await s.start();
  const controller = new AbortController();
  const it = s.batches(controller.signal, (o as { once?: boolean }).once) as AsyncGenerator<
    SourceBatch,
    void
  >;
  return { consumer, s, controller, it, clock };
}

const unavailable = (): Result<void> =>
  err(
    qiError(
      { code: 'QI_STREAMING_BROKER', category: 'unavailable', retryable: true },
      'coordinator not available',
    ),
  );

describe('ConsumerSession', () => {
  it('yields batches in fetch order and commits offset+1 per partition only when acked', async () => {
    const { consumer, it } = await started();
    consumer.assign('t', [0, 1]);
    await consumer.deliver('t', 0, [0, 1, 2]);
    await consumer.deliver('t', 1, [7, 8]);
    const b = (await it.next()).value as SourceBatch;
    expect(b.records.map((r) => (r as { price: string }).price)).toHaveLength(5);
    expect(b.position).toEqual({ 't:0': '3', 't:1': '9' });
    expect(consumer.commits).toEqual([]);
    await b.ack!();
    expect(consumer.commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '3' },
        { topic: 't', partition: 1, offset: '9' },
      ],
    ]);
  });

  it('splits the queue into batches of maxBatchRecords, keeping per-partition order', async () => {
    const { consumer, it } = await started({ maxBatchRecords: 2 });
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0, 1, 2, 3, 4]);
    const positions = [];
    for (let i = 0; i < 3; i++) positions.push(((await it.next()).value as SourceBatch).position);
    expect(positions).toEqual([{ 't:0': '2' }, { 't:0': '4' }, { 't:0': '5' }]);
  });

  it('sets undecodable and invalid messages aside with topic, partition and offset, and commits past them', async () => {
    const { consumer, it } = await started();
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0, 1, 2], (o) =>
      o === 1
        ? Buffer.from('not json')
        : o === 2
          ? Buffer.from('{"kind":"price","coin_id":1}')
          : (undefined as never),
    );
    const b = (await it.next()).value as SourceBatch;
    expect(b.records).toHaveLength(1);
    expect(b.invalid!.map((i) => [i.error.code, i.context])).toEqual([
      ['QI_DECODE', { topic: 't', partition: 0, offset: '1' }],
      ['QI_VALIDATION', { topic: 't', partition: 0, offset: '2' }],
    ]);
    expect(b.invalid![0]!.record).toMatchObject({ value: 'not json' });
    await b.ack!();
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 0, offset: '3' }]]);
  });

  it('pauses every owned partition when the queue is full and resumes once it is half empty', async () => {
    const { consumer, s, it } = await started({ maxQueued: 10, maxBatchRecords: 6 });
    consumer.assign('t', [0, 1]);
    await consumer.deliver('t', 0, [0, 1, 2, 3, 4, 5]);
    expect(consumer.paused.size).toBe(0);
    await consumer.deliver('t', 1, [0, 1, 2, 3, 4, 5]);
    expect([...consumer.paused].sort()).toEqual(['t:0', 't:1']);
    await it.next(); // 12 -> 6 queued: still above half
    expect(consumer.paused.size).toBe(2);
    await it.next(); // 6 -> 0
    expect(consumer.paused.size).toBe(0);
    expect(s.queue.peak).toBe(12);
  });

  it('pauses when the queued bytes reach maxQueuedBytes, and resumes once half of them are left', async () => {
    const { consumer, s, it } = await started({ maxQueued: 1000, maxBatchRecords: 3, maxQueuedBytes: 1 });
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0, 1, 2, 3, 4, 5]);
    expect(consumer.paused.has('t:0')).toBe(true);
    const bytes = s.queue.bytes;
    expect(bytes).toBeGreaterThan(0);
    await it.next(); // 6 -> 3 queued: half of the bytes is still above a bound of 1 byte
    expect(consumer.paused.has('t:0')).toBe(true);
    await it.next(); // 3 -> 0
    expect(consumer.paused.has('t:0')).toBe(false);
  });

  it('drops queued batches of lost partitions, holds batches while rebalancing, and seeks kept partitions past what it holds', async () => {
    const { consumer, s, it } = await started({ maxBatchRecords: 3 });
    consumer.assign('t', [0, 1]);
    await consumer.deliver('t', 0, [0, 1, 2]);
    await consumer.deliver('t', 1, [0, 1, 2]);
    await consumer.deliver('t', 0, [3, 4]);
    const first = (await it.next()).value as SourceBatch; // t:0 0..2
    consumer.revoke();
    const held = it.next();
    expect(await settled(held)).toBe('pending');
    consumer.assign('t', [0]);
    const next = (await held).value as SourceBatch;
    expect(next.position).toEqual({ 't:0': '5' }); // t:1 was dropped, not yielded
    expect(s.stats.dropped).toBe(3);
    expect(consumer.seeks).toEqual([{ topic: 't', partition: 0, offset: '5' }]);
    await first.ack!();
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 0, offset: '3' }]]);
  });

  it('resumes when a rebalance empties a paused queue (it used to wait for a take that never came: a stalled member)', async () => {
    const { consumer, it } = await started({ maxQueued: 4, maxBatchRecords: 10 });
    consumer.assign('t', [0, 1]);
    await consumer.deliver('t', 1, [0, 1, 2, 3, 4]); // full: every partition paused
    expect(consumer.paused.size).toBe(2);
    consumer.revoke();
    const next = it.next();
    consumer.assign('t', [0]); // t:1 moved away: its queued messages go, the queue is empty
    expect(await settled(next)).toBe('pending');
    expect(consumer.paused.has('t:0')).toBe(false);
    await consumer.deliver('t', 0, [0]);
    expect(((await next).value as SourceBatch).position).toEqual({ 't:0': '1' });
  });

  it('never commits a partition that moved away after its batch was yielded, even if it came back since', async () => {
    const { consumer, it } = await started();
    consumer.assign('t', [0, 1]);
    await consumer.deliver('t', 0, [0]);
    await consumer.deliver('t', 1, [0]);
    const b = (await it.next()).value as SourceBatch;
    consumer.assign('t', [0]);
    consumer.assign('t', [0, 1]);
    await b.ack!();
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 0, offset: '1' }]]);
  });

  it('an ack during a rebalance waits for the new assignment, then commits what is still owned', async () => {
    const { consumer, it } = await started();
    consumer.assign('t', [0, 1]);
    await consumer.deliver('t', 0, [0]);
    await consumer.deliver('t', 1, [0]);
    const b = (await it.next()).value as SourceBatch;
    consumer.revoke();
    const ack = b.ack!();
    expect(await settled(ack)).toBe('pending');
    expect(consumer.commits).toEqual([]);
    consumer.assign('t', [1]);
    await ack;
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 1, offset: '1' }]]);
  });

  it('a commit refused by a rebalance is retried after the next assignment', async () => {
    const { consumer, it } = await started();
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0, 1]);
    const b = (await it.next()).value as SourceBatch;
    consumer.commitResults.push(rebalanceError());
    const ack = b.ack!();
    expect(await settled(ack)).toBe('pending');
    consumer.assign('t', [0]);
    await ack;
    expect(consumer.commits).toHaveLength(2);
    expect(consumer.commits[1]).toEqual([{ topic: 't', partition: 0, offset: '2' }]);
  });

  it('gives up the commit (never fails the pipeline) when rebalances keep refusing it', async () => {
    const { consumer, s, it, clock } = await started({ rebalanceWaitMs: 1000 });
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0]);
    const b = (await it.next()).value as SourceBatch;
    for (let i = 0; i < 4; i++) consumer.commitResults.push(rebalanceError());
    const ack = b.ack!();
    // each refusal waits for the new assignment, here for rebalanceWaitMs as none comes
    expect(await settled(ack)).toBe('pending');
    expect(consumer.commits).toHaveLength(1);
    await clock.advance(999);
    expect(consumer.commits).toHaveLength(1);
    await clock.advance(3 * 1000);
    await expect(ack).resolves.toBeUndefined();
    expect(consumer.commits).toHaveLength(4);
    expect(s.stats.abandoned).toBe(1);
  });

  it('retries a commit that failed for a retryable reason after 200, 400 and 800 ms, then fails the ack saying how often it tried', async () => {
    const { consumer, it, clock } = await started();
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0]);
    const b = (await it.next()).value as SourceBatch;
    for (let i = 0; i < 4; i++) consumer.commitResults.push(unavailable());
    const ack = b.ack!().catch((e: QiError) => e);
    const commitsAt: number[] = [];
    for (const ms of [199, 1, 399, 1, 799, 1]) {
      await clock.advance(ms);
      commitsAt.push(consumer.commits.length);
    }
    expect(commitsAt).toEqual([1, 2, 2, 3, 3, 4]);
    expect(await ack).toMatchObject({
      code: 'QI_SOURCE_REDPANDA_COMMIT',
      message: 'cannot commit consumer offsets: gave up after 4 attempts: coordinator not available',
    });
  });

  it('a commit that fails for a retryable reason and then succeeds resolves the ack', async () => {
    const { consumer, it, clock } = await started();
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0, 1]);
    const b = (await it.next()).value as SourceBatch;
    consumer.commitResults.push(unavailable());
    const ack = b.ack!();
    expect(await settled(ack)).toBe('pending');
    await clock.advance(200);
    await expect(ack).resolves.toBeUndefined();
    expect(consumer.commits).toEqual([
      [{ topic: 't', partition: 0, offset: '2' }],
      [{ topic: 't', partition: 0, offset: '2' }],
    ]);
  });

  it('fails the ack on a commit error that is not retryable', async () => {
    const { consumer, it } = await started();
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0]);
    const b = (await it.next()).value as SourceBatch;
    consumer.commitResults.push({
      ok: false,
      error: {
        code: 'QI_STREAMING_AUTHORIZATION',
        message: 'denied',
        category: 'auth',
        retryable: false,
        context: {},
      } as never,
    });
    await expect(b.ack!()).rejects.toMatchObject({ code: 'QI_SOURCE_REDPANDA_COMMIT' });
  });

  it('skips messages the connector delivers again after going back to the committed offset', async () => {
    const { consumer, it } = await started();
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0, 1, 2]);
    (await it.next()).value as SourceBatch;
    consumer.assign('t', [0]); // rejoin: the connector restarts from the committed offset
    await consumer.deliver('t', 0, [0, 1, 2, 3]);
    expect(((await it.next()).value as SourceBatch).position).toEqual({ 't:0': '4' });
  });

  it('drops fetched batches of partitions it does not own', async () => {
    const { consumer, s } = await started();
    consumer.assign('t', [0]);
    await consumer.deliver('t', 1, [0, 1]);
    expect(s.queue.size).toBe(0);
  });

  it('with once, ends when every owned partition reached its end offset at start', async () => {
    const consumer = new FakeConsumer();
    const s = session(consumer, {
      endOffsets: async () => [
        { partition: 0, low: '0', high: '3' },
        { partition: 1, low: '5', high: '5' },
      ],
    });
    await s.start();
    consumer.assign('t', [0, 1]);
    await consumer.deliver('t', 0, [0, 1]);
    await consumer.deliver('t', 0, [2, 3, 4]);
    const got = [];
    for await (const b of s.batches(new AbortController().signal, true)) got.push(b.position);
    expect(got).toEqual([{ 't:0': '5' }]);
  });

  it('with once, ends after onceIdleMs without messages when a partition cannot be confirmed at its end', async () => {
    const consumer = new FakeConsumer();
    const clock = manualClock();
    const s = session(consumer, {
      clock,
      onceIdleMs: 100,
      endOffsets: async () => [{ partition: 0, low: '0', high: '10' }],
    });
    await s.start();
    consumer.assign('t', [0]); // committed offset already at 10: nothing arrives
    const got: SourceBatch[] = [];
    let ended = false;
    const reading = (async () => {
      for await (const b of s.batches(new AbortController().signal, true)) got.push(b);
      ended = true;
    })();
    await clock.advance(99);
    expect(ended).toBe(false);
    await clock.advance(1);
    await reading;
    expect(got).toEqual([]);
  });

  it('with once, counts idleness from the last resume, not from the last message before a pause', async () => {
    const consumer = new FakeConsumer();
    const clock = manualClock();
    const s = session(consumer, {
      clock,
      onceIdleMs: 200,
      maxQueued: 2,
      maxBatchRecords: 1,
      endOffsets: async () => [{ partition: 0, low: '0', high: '3' }],
    });
    await s.start();
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0, 1]); // full: paused
    await clock.advance(300); // the pipeline was busy longer than onceIdleMs
    const it = s.batches(new AbortController().signal, true) as AsyncGenerator<SourceBatch, void>;
    expect(((await it.next()).value as SourceBatch).position).toEqual({ 't:0': '1' }); // resumes
    expect(((await it.next()).value as SourceBatch).position).toEqual({ 't:0': '2' });
    const third = it.next();
    await consumer.deliver('t', 0, [2]); // arrives after the resume
    expect(((await third).value as SourceBatch).position).toEqual({ 't:0': '3' });
    expect((await it.next()).done).toBe(true); // caught up with the end offset
  });

  it('ends when the signal aborts, drops what was queued and pauses everything', async () => {
    const { consumer, s, controller, it } = await started();
    consumer.assign('t', [0]);
    const pending = it.next();
    controller.abort();
    expect((await pending).done).toBe(true);
    await consumer.deliver('t', 0, [0, 1]);
    expect(s.queue.size).toBe(0);
    expect(consumer.paused.has('t:0')).toBe(true);
  });

  it('records what was yielded for point queries', async () => {
    const seen: unknown[] = [];
    const { consumer, it } = await started({ onRecords: (r) => seen.push(...r) });
    consumer.assign('t', [0]);
    await consumer.deliver('t', 0, [0, 1]);
    await it.next();
    expect(seen).toHaveLength(2);
  });

  it('reports its lag: the end offsets the client fetched minus what it yielded, over owned partitions', async () => {
    const { consumer, s, it } = await started({ maxBatchRecords: 2 });
    consumer.assign('t', [0, 1]);
    expect(s.health()).not.toHaveProperty('lag'); // no end offset known yet
    await consumer.deliver('t', 0, [10, 11, 12], undefined, 20);
    await consumer.deliver('t', 1, [0], undefined, 5);
    expect(s.health().lag).toBe(10 + 5);
    await it.next(); // t:0 up to 12 yielded
    expect(s.health().lag).toBe(8 + 5);
    consumer.assign('t', [0]); // t:1 moved to another member: not ours to count
    expect(s.health().lag).toBe(8);
  });
});
