import type { PublishReport, RecordKind } from '@qi/core';
import type { PublishOutput, RecordResult } from './schemas';

/**
 * Per-record results of one publish call, placed by each rejection's `index`
 * (its position in the call's input, as the Writer contract reports it).
 */
export function perRecordResults(
  kind: RecordKind | 'batch',
  inputs: readonly unknown[],
  report: PublishReport,
  scrub: (s: string) => string = (s) => s,
  only: 'all' | 'rejected' = 'all',
): PublishOutput {
  const results: RecordResult[] = inputs.map((_, index) => ({ index, status: 'written' }));
  for (const r of report.rejected) {
    // a writer outside the contract could report a position the call did not have: the counts below still hold
    if (!results[r.index]) continue;
    results[r.index] = {
      index: r.index,
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
