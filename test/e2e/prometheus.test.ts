import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './helpers';
import { metricsUrl, type QiProcess, qiRun, until } from './outage';
import { RAMP_CONFIG, rampProject } from './top-project';

// Debian's prometheus (scripts/os-tools.sh installs it) scrapes a running `qi run`
// every second on loopback; a Qi metric comes back through its HTTP API, and every
// PromQL expression of the Grafana dashboard in docs/ is valid, answers with data,
// and names only metrics that the run's /metrics has.
const DASHBOARD = path.join(REPO, 'docs/grafana/qi.json');

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}
const exprs = (): Array<{ panel: string; expr: string }> =>
  (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] }).panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
  );
/** Grafana's variables, as the dashboard would expand them with "All" selected */
const expand = (expr: string) =>
  expr.replaceAll('$__rate_interval', '1m').replaceAll('$pipeline', '.*').replaceAll('$job', '.*');
/** the metric names an expression reads (Qi's own and the Node process metrics) */
const metricNames = (expr: string) => [...new Set(expr.match(/\b(?:qi|process|nodejs)_[a-z0-9_]+/g) ?? [])];

/** the metric a name belongs to in the exposition: a histogram's _bucket/_sum/_count are its series */
function exposed(metrics: string, name: string): boolean {
  if (new RegExp(`^# TYPE ${name} `, 'm').test(metrics)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && new RegExp(`^# TYPE ${base} histogram$`, 'm').test(metrics);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

let project: ReturnType<typeof rampProject>;
let run: QiProcess;
let prom: ChildProcess | undefined;
let promLog = '';
let promUrl = '';
let home: string;
beforeAll(async () => {
  project = rampProject(RAMP_CONFIG);
  run = qiRun(project.dir, ['--metrics-port', '0']);
  await until(
    () => metricsUrl(run) !== undefined,
    run,
    60_000,
    () => 'the metrics.listening log line',
  );
  const target = new URL(metricsUrl(run)!).host;
  home = mkdtempSync(path.join(os.tmpdir(), 'qi-prometheus-'));
  writeFileSync(
    path.join(home, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: qi
    static_configs: [{ targets: ["${target}"] }]
`,
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prom = spawn(
    'prometheus',
    [
      `--config.file=${path.join(home, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(home, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prom.on('error', (e) => {
    promLog += `cannot start prometheus (scripts/os-tools.sh installs it): ${e.message}\n`;
  });
  prom.stdout!.on('data', (d) => (promLog += d));
  prom.stderr!.on('data', (d) => (promLog += d));
}, 120_000);
afterAll(async () => {
  if (prom && prom.exitCode === null) {
    const exited = new Promise((r) => prom!.once('exit', r));
    prom.kill('SIGTERM');
    await exited;
  }
  if (run && !run.exited) {
    run.child.kill('SIGTERM');
    await run.done;
  }
  project?.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function query(
  expr: string,
): Promise<{ status: string; data?: { result: unknown[] }; error?: string }> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`).catch(() => undefined);
  if (!res) return { status: 'unreachable' };
  // 503 "Service Unavailable" (plain text) while Prometheus is still starting: ask again
  if (!res.ok && !res.headers.get('content-type')?.includes('json')) return { status: `http ${res.status}` };
  return (await res.json()) as { status: string; data?: { result: unknown[] }; error?: string };
}

type Vector = Array<{ metric: Record<string, string>; value: [number, string] }>;

it('Prometheus scrapes qi run and answers a Qi metric through /api/v1/query', async () => {
  let result: Vector = [];
  await until(
    async () => {
      if (prom?.exitCode !== null) throw new Error(`prometheus exited (${prom?.exitCode}):\n${promLog}`);
      const r = await query('qi_records_out_total{pipeline="ramp",target="out"}');
      result = (r.data?.result ?? []) as Vector;
      return result.length === 1 && Number(result[0]!.value[1]) > 0;
    },
    run,
    90_000,
    () => `qi_records_out_total in Prometheus; its log:\n${promLog.slice(-3000)}`,
  );
  expect(result[0]!.metric).toMatchObject({
    __name__: 'qi_records_out_total',
    job: 'qi',
    pipeline: 'ramp',
    target: 'out',
  });
  expect(Number(result[0]!.value[1])).toBeGreaterThan(0);
  const up = (await query('up{job="qi"}')).data?.result as Vector;
  expect(up.map((u) => u.value[1])).toEqual(['1']);
}, 120_000);

it('every PromQL expression of docs/grafana/qi.json is valid and reads only metrics qi run exposes', async () => {
  const all = exprs();
  expect(all.length).toBeGreaterThanOrEqual(10);
  const metrics = await (await fetch(`${metricsUrl(run)}/metrics`)).text();
  const missing = all.flatMap(({ panel, expr }) =>
    metricNames(expr)
      .filter((n) => !exposed(metrics, n))
      .map((n) => `${panel}: ${n}`),
  );
  expect(missing).toEqual([]);
  const names = all.flatMap((e) => metricNames(e.expr));
  // the panels the dashboard promises: records in, written, dead-lettered, breaker, source errors, last success, memory
  for (const n of [
    'qi_records_in_total',
    'qi_records_out_total',
    'qi_records_dead_lettered_total',
    'qi_breaker_state',
    'qi_source_errors_total',
    'qi_target_last_success_timestamp_seconds',
    'process_resident_memory_bytes',
  ])
    expect(names).toContain(n);
  // Prometheus parses every one of them (a typo in PromQL is an error here, not a blank panel)
  const bad: string[] = [];
  for (const { panel, expr } of all) {
    const r = await query(expand(expr));
    if (r.status !== 'success') bad.push(`${panel}: ${r.error ?? r.status}: ${expand(expr)}`);
  }
  expect(bad).toEqual([]);
  // and the records-written panel gets a rate for the running target (once two scrapes are in)
  const written = all.find((e) => e.expr.includes('qi_records_out_total'))!;
  let series: Vector = [];
  await until(
    async () => {
      series = ((await query(expand(written.expr))).data?.result ?? []) as Vector;
      return series.length > 0;
    },
    run,
    60_000,
    () => `a series of: ${expand(written.expr)}`,
  );
  expect(series.map((s) => s.metric)).toContainEqual({ pipeline: 'ramp', target: 'out' });
  expect(Number(series[0]!.value[1])).toBeGreaterThan(0);
}, 60_000);
