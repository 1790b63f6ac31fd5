import { manualClock } from '../src/testkit/index';

describe('testkit manualClock', () => {
  it('ends each sleep at its own time, in order, including sleeps begun within the advanced window', async () => {
    const clock = manualClock(1000);
    const ended: Array<[string, number]> = [];
    void clock.sleep(30).then(() => ended.push(['b', clock.now()]));
    void clock.sleep(10).then(async () => {
      ended.push(['a', clock.now()]);
      await clock.sleep(5);
      ended.push(['a2', clock.now()]);
    });
    await clock.advance(9);
    expect(ended).toEqual([]);
    await clock.advance(21);
    expect(ended).toEqual([
      ['a', 1010],
      ['a2', 1015],
      ['b', 1030],
    ]);
    expect(clock.now()).toBe(1030);
    expect(clock.sleeping).toBe(0);
  });

  it('rejects a sleep whose signal aborts, and forgets it; a sleep of 0 ends at once', async () => {
    const clock = manualClock();
    const stop = new AbortController();
    const s = clock.sleep(100, stop.signal);
    stop.abort(new Error('stopped'));
    await expect(s).rejects.toThrow('stopped');
    expect(clock.sleeping).toBe(0);
    await expect(clock.sleep(0)).resolves.toBeUndefined();
    await expect(clock.sleep(1, stop.signal)).rejects.toThrow('stopped');
  });
});
