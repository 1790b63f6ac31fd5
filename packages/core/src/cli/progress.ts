import type { PipelineStats } from '../runner/stats';

/** The rate window: a polling source writes in bursts, so a one-second rate reads 0/s between (and right after) them. */
export const RATE_WINDOW_MS = 60_000;

/**
 * Records/s of a counter over the last `windowMs`: the oldest sample kept is at most
 * one tick older than the window, so a burst counts until it leaves the window.
 */
export function createRate(startedAt: number, windowMs = RATE_WINDOW_MS) {
  const samples: Array<{ at: number; n: number }> = [{ at: startedAt, n: 0 }];
  return (n: number, at: number): number => {
    samples.push({ at, n });
    while (samples.length > 2 && samples[1]!.at <= at - windowMs) samples.shift();
    const base = samples[0]!;
    return at > base.at ? Math.round(((n - base.n) * 1000) / (at - base.at)) : 0;
  };
}

/** One live line on a TTY: records/s per target and errors. */
export function startProgress(
  all: PipelineStats[],
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
): () => void {
  const started = now();
  const rates = new Map<string, ReturnType<typeof createRate>>();
  const render = () => {
    const at = now();
    const parts = all.map((s) => {
      const targets = Object.entries(s.written).map(([t, n]) => {
        const key = `${s.pipeline}/${t}`;
        if (!rates.has(key)) rates.set(key, createRate(started));
        return `${t} ${n} (${rates.get(key)!(n, at)}/s)`;
      });
      const failed = Object.values(s.failed).reduce((a, b) => a + b, 0);
      return `${s.pipeline}: in ${s.recordsIn} → ${targets.join(', ') || 'waiting'}${s.deadLettered ? `, dead-lettered ${s.deadLettered}` : ''}${failed ? `, failed ${failed}` : ''}`;
    });
    stream.write(`\r\x1b[2K${parts.join(' | ')}`);
  };
  const timer = setInterval(render, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    render();
    stream.write('\n');
  };
}
