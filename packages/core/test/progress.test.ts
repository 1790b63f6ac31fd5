import { createRate, startProgress } from '../src/cli/progress';
import { newStats } from '../src/runner/stats';

describe('progress line rate', () => {
  it('is not 0/s right after a write, nor on the ticks between the bursts of a polling source', () => {
    const rate = createRate(0, 60_000);
    expect(rate(0, 1_000)).toBe(0);
    // 300 records written at 29 s, then nothing until the next poll at 59 s
    expect(rate(300, 29_500)).toBe(10);
    expect(rate(300, 30_000)).toBe(10);
    expect(rate(300, 45_000)).toBe(7);
    expect(rate(600, 59_500)).toBe(10);
  });

  it('forgets bursts older than the window', () => {
    const rate = createRate(0, 10_000);
    for (let t = 1_000; t <= 5_000; t += 1_000) rate(100, t);
    expect(rate(100, 5_000)).toBe(20);
    for (let t = 6_000; t <= 16_000; t += 1_000) rate(100, t);
    expect(rate(100, 17_000)).toBe(0);
  });

  it('the final line after a run shows the rate of the run, not 0/s', () => {
    const stats = newStats('p');
    let t = 0;
    const out: string[] = [];
    const stop = startProgress([stats], { write: (s: string) => out.push(s) } as never, () => t);
    t = 200;
    stats.written.db = 50;
    stop();
    expect(out.join('')).toContain('db 50 (250/s)');
  });
});
