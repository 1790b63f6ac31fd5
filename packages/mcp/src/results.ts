import { naturalKey, type PublishReport, parseRecord, parseRecordOfKind, type RecordKind } from '@qi/core';
import type { PublishOutput, RecordResult } from './schemas';

/**
 * Per-record results of one publish call. A writer reports rejections by
 * record, not by position: validation rejections carry the very input object
 * (matched by identity), write rejections the normalised record (matched by
 * natural key, so the inputs are normalised only when that happens).
 */
export function perRecordResults(
  kind: RecordKind | 'batch',
  inputs: readonly unknown[],
  report: PublishReport,
  scrub: (s: string) => string = (s) => s,
  only: 'all' | 'rejected' = 'all',
): PublishOutput {
  const results: RecordResult[] = inputs.map((_, index) => ({ index, status: 'written' }));
  let byIdentity: Map<unknown, number> | undefined;
  let byKey: Map<string, number[]> | undefined;
  for (const r of report.rejected) {
    byIdentity ??= new Map(inputs.map((input, i) => [input, i]));
    let index = byIdentity.get(r.record);
    if (index === undefined) {
      byKey ??= keyIndex(kind, inputs);
      const rec = r.record as Parameters<typeof naturalKey>[0];
      index = byKey.get(`${rec.kind}|${naturalKey(rec)}`)?.shift();
    }
    if (index === undefined) continue;
    results[index] = {
      index,
      status: 'rejected',
      code: r.error.code,
      reason: scrub(r.error.message),
      category: r.error.category,
      stage: r.stage,
    };
  }
  // counts are the writer's own; results only place them
  return {
    kind,
    written: report.written,
    rejected: report.rejected.length,
    results: only === 'all' ? results : results.filter((r) => r.status === 'rejected'),
  };
}

function keyIndex(kind: RecordKind | 'batch', inputs: readonly unknown[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  inputs.forEach((input, i) => {
    const p = kind === 'batch' ? parseRecord(input) : parseRecordOfKind(kind, input);
    if (!p.ok) return;
    const key = `${p.value.kind}|${naturalKey(p.value)}`;
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
  });
  return map;
}

/** One line for the AI client, plus each rejection. */
export function summarizePublish(out: PublishOutput): string {
  const head = `${out.kind}: ${out.written + out.rejected} record(s), ${out.written} written, ${out.rejected} rejected`;
  const lines = out.results
    .filter((r) => r.status === 'rejected')
    .slice(0, 50)
    .map((r) => `  [${r.index}] ${r.code}: ${r.reason}`);
  if (out.rejected > 50) lines.push(`  … and ${out.rejected - 50} more (see structuredContent.results)`);
  return [head, ...lines].join('\n');
}
