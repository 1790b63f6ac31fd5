import type { ErrorStatus, StatusReport } from '../observability/status';

/** One reading of /status and when it was taken (ms, the reader's clock). */
export interface Sample {
  at: number;
  report: StatusReport;
}

const COLUMNS: Array<[string, number]> = [
  ['PIPELINE / TARGET', 34],
  ['STATE', 9],
  ['RATE/s', 9],
  ['TOTAL', 10],
  ['IN-FLIGHT', 10],
  ['RETRIES', 8],
  ['BREAKER', 10],
  ['DEAD', 7],
  ['FAILED', 7],
  ['LAG', 7],
  ['LAST OK', 8],
  ['LAST ERROR', 0],
];

type Cells = Array<string | number | undefined>;

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, Math.max(0, n - 1))}…` : s);

function row(cells: Cells): string {
  return COLUMNS.map(([, w], i) => {
    const v = cells[i] === undefined ? '-' : String(cells[i]);
    if (w === 0) return v;
    // names left, numbers right, one space between columns
    return i < 2 || i === 6 ? cut(v, w - 1).padEnd(w) : `${cut(v, w - 1).padStart(w - 1)} `;
  }).join('');
}

const age = (s: number | undefined) =>
  s === undefined
    ? undefined
    : s < 120
      ? `${s}s`
      : s < 7200
        ? `${Math.round(s / 60)}m`
        : `${Math.round(s / 3600)}h`;
const error = (e: ErrorStatus | undefined) => (e ? `${e.code}: ${e.message.replace(/\s+/g, ' ')}` : '');

/** A per-second rate between two samples, '…' until there are two. */
export function rate(now: number, before: number | undefined, dtMs: number): string {
  if (before === undefined || dtMs <= 0) return '…';
  const r = Math.max(0, now - before) / (dtMs / 1000);
  return r < 10 ? r.toFixed(1) : String(Math.round(r));
}

/** The screen of `qi top` for the latest sample (rates against the previous one), cut to `width`. */
export function renderTop(
  url: string,
  cur: Sample,
  prev: Sample | undefined,
  width: number,
  notice?: string,
): string[] {
  const r = cur.report;
  const dt = prev ? cur.at - prev.at : 0;
  const before = (pipeline: string) => prev?.report.pipelines.find((p) => p.name === pipeline);
  const lines = [
    `qi top  ${url}  up ${age(r.uptimeSeconds)}  ${r.ok ? 'ok' : 'PROBLEM'}  ${r.ready ? 'ready' : 'not ready'}  ${new Date(cur.at).toISOString().slice(11, 19)}  (q quits)`,
    notice ?? '',
    row(COLUMNS.map(([h]) => h)),
  ];
  const problems: string[] = [];
  for (const p of r.pipelines) {
    const b = before(p.name);
    lines.push(
      row([
        p.name,
        p.state,
        rate(p.recordsIn, b?.recordsIn, dt),
        p.recordsIn,
        p.inFlight,
        undefined,
        undefined,
        p.deadLettered,
        undefined,
        undefined,
        undefined,
        error(p.lastError),
      ]),
    );
    const s = p.source;
    lines.push(
      row([
        `  ← ${s.name} ${s.plugin}`,
        s.consecutiveFailures ? 'failing' : 'reading',
        rate(s.reads, b?.source.reads, dt),
        s.reads,
        undefined,
        undefined,
        undefined,
        undefined,
        s.errors,
        s.lag,
        age(s.lastSuccessAgeSeconds),
        error(s.lastError),
      ]),
    );
    for (const t of p.targets) {
      const bt = b?.targets.find((x) => x.name === t.name);
      lines.push(
        row([
          `  → ${t.name}${t.required ? '' : ' (optional)'}`,
          t.ok ? 'ok' : 'PROBLEM',
          rate(t.written, bt?.written, dt),
          t.written,
          t.inFlight,
          t.retries,
          t.breaker,
          t.deadLettered,
          t.failed,
          undefined,
          age(t.lastDeliveryAgeSeconds),
          error(t.lastError),
        ]),
      );
    }
    for (const pr of p.problems) problems.push(`${p.name}: ${pr}`);
  }
  if (r.pipelines.length === 0) lines.push('(no pipelines)');
  lines.push('', 'RATE/s: records in (pipeline), reads (source), records written (target) per second');
  if (problems.length) lines.push('', 'problems:', ...problems.map((x) => `  ${x}`));
  return lines.map((l) => cut(l, width));
}
