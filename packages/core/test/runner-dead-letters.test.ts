import type { DeadLetter } from '../src/contracts/writer';
import { CoreErrors, qiError } from '../src/errors';
import { createMetrics } from '../src/observability/metrics';
import { err, ok } from '../src/result';
import { createDeadLetterSink, lettersFromInvalid } from '../src/runner/dead-letters';
import { newStats } from '../src/runner/stats';
import { captureLogs } from './helpers/runner-parts';

const letter = (target?: string): DeadLetter => ({
  pipeline: 'p',
  ...(target ? { target } : {}),
  stage: 'write',
  code: 'T_BAD',
  reason: 'bad row',
  record: { kind: 'price' },
  at: '2026-01-01T00:00:00.000Z',
});

describe('runner dead letters', () => {
  it('stores letters, counts them in the stats and by target and stage in the metric, and logs one line', async () => {
    const stored: DeadLetter[] = [];
    const stats = newStats('p');
    const metrics = createMetrics();
    const { lines, log } = captureLogs();
    const sink = createDeadLetterSink({
      pipeline: 'p',
      store: async (l) => {
        stored.push(...l);
        return ok(undefined);
      },
      stats,
      metrics,
      log,
    });
    await sink([]);
    expect(lines).toEqual([]);
    await sink([letter('a'), letter('a'), letter()]);
    expect(stored).toHaveLength(3);
    expect(stats.deadLettered).toBe(3);
    const text = await metrics.registry.metrics();
    expect(text).toContain('qi_records_dead_lettered_total{pipeline="p",target="a",stage="write"} 2');
    expect(text).toContain('qi_records_dead_lettered_total{pipeline="p",target="",stage="write"} 1');
    expect(lines).toEqual([
      expect.objectContaining({
        event: 'pipeline.dead_letter',
        count: 3,
        first: { code: 'T_BAD', reason: 'bad row' },
      }),
    ]);
  });

  it('throws when the destination fails, so the pipeline stops rather than lose a record; nothing is counted', async () => {
    const stats = newStats('p');
    const down = qiError({ code: 'T_DOWN', category: 'unavailable', retryable: true }, 'disk full');
    const sink = createDeadLetterSink({
      pipeline: 'p',
      store: async () => err(down),
      stats,
      metrics: createMetrics(),
      log: captureLogs().log,
    });
    await expect(sink([letter('a')])).rejects.toMatchObject({
      code: 'T_DOWN',
      message: 'dead-letter destination failed, stopping so no record is lost: disk full',
    });
    expect(stats.deadLettered).toBe(0);
  });

  it("turns a batch's invalid records into letters at stage decode or validation, keeping their context", () => {
    const decode = qiError(CoreErrors.DECODE, 'not json');
    const invalid = qiError(CoreErrors.VALIDATION, 'price: expected decimal');
    expect(
      lettersFromInvalid('p', [
        { record: 'x', error: decode, context: { offset: '7' } },
        { record: { kind: 'price' }, error: invalid },
      ]).map((l) => [l.stage, l.code, l.context]),
    ).toEqual([
      ['decode', 'QI_DECODE', { offset: '7' }],
      ['validation', 'QI_VALIDATION', undefined],
    ]);
    expect(lettersFromInvalid('p', undefined)).toEqual([]);
  });
});
