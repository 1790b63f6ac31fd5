import { manualClock } from '@qi/core/testkit';
import { byTopic, Ownership } from '../src/ownership';
import { settled } from './fake-consumer';

describe('Ownership', () => {
  it('reports gained, lost and kept partitions and keeps the epoch of a kept one', () => {
    const o = new Ownership();
    expect(o.assign([{ topic: 'a', partitions: [0, 1] }])).toEqual({
      gained: [
        { topic: 'a', partition: 0 },
        { topic: 'a', partition: 1 },
      ],
      lost: [],
      kept: [],
    });
    const e0 = o.epochOf('a:0');
    const change = o.assign([
      { topic: 'a', partitions: [0] },
      { topic: 'b', partitions: [2] },
    ]);
    expect(change).toEqual({
      gained: [{ topic: 'b', partition: 2 }],
      lost: [{ topic: 'a', partition: 1 }],
      kept: [{ topic: 'a', partition: 0 }],
    });
    expect(o.epochOf('a:0')).toBe(e0);
    expect(o.owns('a:1')).toBe(false);
  });

  it('gives a partition that comes back a new epoch', () => {
    const o = new Ownership();
    o.assign([{ topic: 'a', partitions: [0] }]);
    const e = o.epochOf('a:0')!;
    o.assign([]);
    o.assign([{ topic: 'a', partitions: [0] }]);
    expect(o.owns('a:0', e)).toBe(false);
    expect(o.owns('a:0')).toBe(true);
  });

  it('waits for the next assignment after a revoke, or gives up after the timeout', async () => {
    const clock = manualClock();
    const o = new Ownership(clock);
    o.assign([{ topic: 'a', partitions: [0] }]);
    o.revoking();
    const w = o.waitStable(10_000);
    o.assign([{ topic: 'a', partitions: [0] }]);
    await expect(w).resolves.toBe(true);
    expect(clock.sleeping).toBe(0); // its timer ended with it
    o.revoking();
    const gaveUp = o.waitStable(10);
    await clock.advance(9);
    expect(await settled(gaveUp)).toBe('pending');
    await clock.advance(1);
    await expect(gaveUp).resolves.toBe(false);
  });

  it('groups partitions per topic for pause and resume', () => {
    expect(
      byTopic([
        { topic: 'a', partition: 0 },
        { topic: 'b', partition: 1 },
        { topic: 'a', partition: 2 },
      ]),
    ).toEqual([
      { topic: 'a', partitions: [0, 2] },
      { topic: 'b', partitions: [1] },
    ]);
  });
});
