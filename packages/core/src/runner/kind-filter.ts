import type { RecordKind } from '../dsl/records';
import type { QiMetrics } from '../observability/metrics';

export type KindFilter = (records: readonly unknown[]) => readonly unknown[];

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
  const counter = metrics.recordsFiltered;
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
