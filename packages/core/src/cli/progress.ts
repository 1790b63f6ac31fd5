import type { PipelineStats } from '../runner/pipeline';

/** One live line on a TTY: records/s per target and errors. */
export function startProgress(all: PipelineStats[], stream: NodeJS.WriteStream = process.stderr): () => void {
  const started = Date.now();
  let last = new Map<string, number>();
  let lastAt = started;
  const render = () => {
    const now = Date.now();
    const dt = Math.max(1, now - lastAt) / 1000;
    const next = new Map<string, number>();
    const parts = all.map((s) => {
      const targets = Object.entries(s.written).map(([t, n]) => {
        const key = `${s.pipeline}/${t}`;
        next.set(key, n);
        const rate = Math.round((n - (last.get(key) ?? 0)) / dt);
        return `${t} ${n} (${rate}/s)`;
      });
      const failed = Object.values(s.failed).reduce((a, b) => a + b, 0);
      return `${s.pipeline}: in ${s.recordsIn} → ${targets.join(', ') || 'waiting'}${s.deadLettered ? `, dead-lettered ${s.deadLettered}` : ''}${failed ? `, failed ${failed}` : ''}`;
    });
    last = next;
    lastAt = now;
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
