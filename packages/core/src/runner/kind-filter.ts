import { Counter } from 'prom-client';
import type { RecordKind } from '../dsl/records';
import type { QiMetrics } from '../observability/metrics';

const NAME = 'qi_records_filtered_total';

export type KindFilter = (records: readonly unknown[]) => readonly unknown[];

function filteredCounter(metrics: QiMetrics): Counter<'pipeline' | 'target' | 'kind'> {
  // one counter per registry, made on first use so targets without `kinds` add no series
  return (
    (metrics.registry.getSingleMetric(NAME) as Counter<'pipeline' | 'target' | 'kind'> | undefined) ??
    new Counter({
      name: NAME,
      help: "records not sent to a target because their kind is not in the target's `kinds`",
      labelNames: ['pipeline', 'target', 'kind'],
      registers: [metrics.registry],
    })
  );
}

const kindOf = (r: unknown) =>
  r && typeof r === 'object' ? String((r as { kind?: unknown }).kind) : 'unknown';

/**
 * A target's `kinds`: what of a batch it is given. Records of other kinds are not an
 * error (the target never asked for them): they are counted, not dead-lettered.
 */
export function createKindFilter(
  pipeline: string,
  target: string,
  kinds: readonly RecordKind[] | undefined,
  metrics: QiMetrics,
): KindFilter {
  if (!kinds) return (records) => records;
  const wanted = new Set<string>(kinds);
  const counter = filteredCounter(metrics);
  return (records) => {
    const kept: unknown[] = [];
    const dropped = new Map<string, number>();
    for (const r of records) {
      const k = kindOf(r);
      if (wanted.has(k)) kept.push(r);
      else dropped.set(k, (dropped.get(k) ?? 0) + 1);
    }
    for (const [kind, n] of dropped) counter.inc({ pipeline, target, kind }, n);
    return kept;
  };
}
