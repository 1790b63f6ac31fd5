import { createHealth, createMetrics, newStats } from '../src/index';

// The fields qi top reads: in-flight batches (pipeline and target), retries and
// dead letters by target (from the metrics), the source's lag when it reports one.
it('status carries in-flight batches, retries, dead letters by target and the source lag', async () => {
  const metrics = createMetrics();
  const health = createHealth({ metrics });
  const stats = { ...newStats('p'), inFlight: 3, inFlightByTarget: { db: 2, kafka: 0 } };
  const h = health.pipeline(stats, { name: 'source', plugin: 'src' });
  h.setSourceProbe?.(async () => ({ ok: true, details: { lag: 7 } }));
  for (const t of ['db', 'kafka'])
    h.addTarget(t, `plugin-${t}`, true, async () => ({ ok: true, details: { breaker: 'closed' } }));
  metrics.retries.inc({ pipeline: 'p', target: 'db' }, 2);
  metrics.retries.inc({ pipeline: 'other', target: 'db' }, 5);
  metrics.recordsDeadLettered.inc({ pipeline: 'p', target: 'db', stage: 'write' }, 3);
  metrics.recordsDeadLettered.inc({ pipeline: 'p', target: 'db', stage: 'validation' }, 1);
  const s = (await health.status()).pipelines[0]!;
  expect(s.inFlight).toBe(3);
  expect(s.source.lag).toBe(7);
  expect(s.targets.map((t) => [t.name, t.inFlight, t.retries, t.deadLettered])).toEqual([
    ['db', 2, 2, 4],
    ['kafka', 0, 0, 0],
  ]);
});

it('no lag field when the source does not know it (or its health fails)', async () => {
  const health = createHealth({ metrics: createMetrics() });
  const h = health.pipeline(newStats('p'), { name: 'source', plugin: 'src' });
  h.setSourceProbe?.(async () => {
    throw new Error('down');
  });
  const s = (await health.status()).pipelines[0]!;
  expect(s.source).not.toHaveProperty('lag');
  expect(s.inFlight).toBe(0);
});
