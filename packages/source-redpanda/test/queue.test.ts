import { manualClock } from '@qi/core/testkit';
import { MessageQueue, messageBytes } from '../src/queue';
import { message, settled } from './fake-consumer';

const chunk = (partition: number, offsets: number[]) => ({
  key: `t:${partition}`,
  topic: 't',
  partition,
  messages: offsets.map((o) => message('t', partition, o)),
  start: 0,
});
const offsets = (q: MessageQueue, max: number) =>
  q.take(max).map((c) => [c.key, c.messages.map((m) => Number(m.offset))]);

describe('MessageQueue', () => {
  it('takes in push order, splitting a chunk at the batch limit', () => {
    const q = new MessageQueue();
    q.push(chunk(0, [0, 1, 2]));
    q.push(chunk(1, [5, 6]));
    expect(q.size).toBe(5);
    expect(offsets(q, 2)).toEqual([['t:0', [0, 1]]]);
    expect(offsets(q, 2)).toEqual([
      ['t:0', [2]],
      ['t:1', [5]],
    ]);
    expect(offsets(q, 9)).toEqual([['t:1', [6]]]);
    expect(q.size).toBe(0);
    expect(q.peak).toBe(5);
  });

  it('drops the chunks of some partitions, even a partly taken one', () => {
    const q = new MessageQueue();
    q.push(chunk(0, [0, 1, 2]));
    q.push(chunk(1, [0]));
    q.push(chunk(0, [3]));
    q.take(1);
    expect(q.drop((k) => k === 't:0')).toBe(3);
    expect(offsets(q, 9)).toEqual([['t:1', [0]]]);
  });

  it('wakes a waiter on push and on abort', async () => {
    const q = new MessageQueue();
    const c = new AbortController();
    const w = q.wait(c.signal);
    q.push(chunk(0, [0]));
    await w;
    q.take(1);
    const w2 = q.wait(c.signal);
    c.abort();
    await w2;
    expect(q.size).toBe(0);
  });

  it("ends a wait after its timeout on the queue's clock, and a push ends it sooner and its timer with it", async () => {
    const clock = manualClock();
    const q = new MessageQueue(clock);
    const c = new AbortController();
    const timedOut = q.wait(c.signal, 50);
    await clock.advance(49);
    expect(await settled(timedOut)).toBe('pending');
    await clock.advance(1);
    await expect(timedOut).resolves.toBeUndefined();
    const more = q.waitForMore(c.signal, 50);
    q.push(chunk(0, [0]));
    await more;
    expect(clock.sleeping).toBe(0);
  });

  it('counts the bytes it holds through pushes, partial takes and drops', () => {
    const q = new MessageQueue();
    const a = chunk(0, [0, 1, 2]);
    const b = chunk(1, [5, 6]);
    const sum = (ms: typeof a.messages) => ms.reduce((n, m) => n + messageBytes(m), 0);
    q.push(a);
    q.push(b);
    expect(q.bytes).toBe(sum(a.messages) + sum(b.messages));
    q.take(2);
    expect(q.bytes).toBe(sum(a.messages.slice(2)) + sum(b.messages));
    q.drop((k) => k === 't:1');
    expect(q.bytes).toBe(sum(a.messages.slice(2)));
    q.clear();
    expect(q.bytes).toBe(0);
  });
});
