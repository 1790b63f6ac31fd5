import { rate, renderTop, type Sample } from '../src/cli/top-view';
import type { StatusReport } from '../src/index';

const report = (
  written: number,
  extra: Partial<StatusReport['pipelines'][0]['targets'][0]> = {},
): StatusReport => ({
  ok: true,
  ready: true,
  at: '2026-12-01T00:00:00.000Z',
  uptimeSeconds: 75,
  thresholds: { sourceFailures: 3, breakerOpenMs: 60_000, maxDeliveryAgeMs: 0 },
  pipelines: [
    {
      name: 'prices',
      state: 'running',
      ok: true,
      problems: [],
      batches: 3,
      recordsIn: written,
      deadLettered: 2,
      inFlight: 1,
      source: {
        name: 'source',
        plugin: '@qi/source-coingecko',
        reads: 3,
        errors: 0,
        consecutiveFailures: 0,
        lag: 42,
      },
      targets: [
        {
          name: 'db',
          plugin: '@qi/target-timescale',
          required: true,
          ok: true,
          breaker: 'closed',
          written,
          failed: 0,
          inFlight: 2,
          retries: 4,
          deadLettered: 2,
          lastDeliveryAgeSeconds: 1,
          ...extra,
        },
      ],
    },
  ],
});

describe('qi top screen', () => {
  it('rates come from two samples: records over seconds, none before the second', () => {
    expect(rate(100, undefined, 1000)).toBe('…');
    expect(rate(150, 100, 2000)).toBe('25');
    expect(rate(103, 100, 1000)).toBe('3.0');
    // a restarted run counts from 0: no negative rate
    expect(rate(5, 100, 1000)).toBe('0.0');
  });

  it('one row per pipeline, source and target with rate, in-flight, retries, breaker, dead letters, lag', () => {
    const prev: Sample = { at: 0, report: report(100) };
    const cur: Sample = {
      at: 2000,
      report: report(300, { ok: false, lastError: { code: 'TS_CONN', message: 'refused\nagain', at: 'x' } }),
    };
    const lines = renderTop('http://127.0.0.1:9464', cur, prev, 200);
    const target = lines.find((l) => l.includes('→ db'))!;
    expect(target.trim().split(/\s+/).slice(2, 13)).toEqual([
      'PROBLEM',
      '100',
      '300',
      '2',
      '4',
      'closed',
      '2',
      '0',
      '-',
      '1s',
      'TS_CONN:',
    ]);
    expect(target).toContain('TS_CONN: refused again');
    expect(lines.find((l) => l.startsWith('prices'))).toMatch(/^prices\s+running\s+100\s+300\s+1\s/);
    expect(lines.find((l) => l.includes('← source'))).toMatch(/\s42\s/);
    expect(lines[0]).toContain('up 75s');
  });

  it('cuts every line to the terminal width and shows a notice', () => {
    const lines = renderTop('http://x', { at: 0, report: report(1) }, undefined, 50, 'no answer');
    expect(lines[1]).toBe('no answer');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(50);
  });
});
