import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type StandIn, startStandIn } from '../../packages/source-coingecko/src/testing/stand-in';
import { REPO } from './helpers';
import { healthz, metricsUrl, type QiProcess, qiRun, until } from './outage';

// `qi run` (the built CLI) with a CoinGecko source whose API fails every poll:
// /ready says started, /healthz turns 503 once the source failed
// health.sourceFailures polls in a row, /metrics counts the source's errors
// and carries the breaker gauge and Node's process metrics; SIGTERM still exits 0.
let s: StandIn;
let dir: string;
let p: QiProcess | undefined;
beforeAll(async () => {
  s = await startStandIn();
  s.inject({ fault: { kind: 'server-error', status: 503 }, times: Number.POSITIVE_INFINITY });
  dir = mkdtempSync(path.join(os.tmpdir(), 'qi-health-e2e-'));
  mkdirSync(path.join(dir, 'node_modules/@qi'), { recursive: true });
  for (const pkg of ['core', 'source-coingecko'])
    symlinkSync(path.join(REPO, 'packages', pkg), path.join(dir, 'node_modules/@qi', pkg), 'dir');
  writeFileSync(
    path.join(dir, 'qi.config.yaml'),
    `health: { sourceFailures: 3 }
pipelines:
  prices:
    source:
      use: "@qi/source-coingecko"
      with:
        baseUrl: "${s.url}"
        coins: [bitcoin]
        intervalMs: 200
        analyticsIntervalMs: 0
        ohlcv: { enabled: false }
        rateLimitPerMinute: 6000
        retry: { maxAttempts: 1 }
    targets:
      - { use: file, name: out, with: { path: out.ndjson } }
`,
  );
});
afterAll(async () => {
  if (p && !p.exited) p.child.kill('SIGKILL');
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a source failing every cycle turns /healthz 503; /ready, /metrics and /status tell the rest', async () => {
  p = qiRun(dir, ['--metrics-port', '0']);
  const run = p;
  await until(
    async () => (await healthz(run))?.status === 503,
    run,
    60_000,
    () => '/healthz 503',
  );
  const h = (await healthz(run))!.body as {
    ok: boolean;
    pipelines: Array<{ state: string; problems: string[]; source: { consecutiveFailures: number } }>;
  };
  expect(h.ok).toBe(false);
  expect(h.pipelines[0]!.state).toBe('running');
  expect(h.pipelines[0]!.problems[0]).toMatch(
    /^source @qi\/source-coingecko failed \d+ reads in a row \(threshold 3\): /,
  );
  expect(h.pipelines[0]!.source.consecutiveFailures).toBeGreaterThanOrEqual(3);
  const url = metricsUrl(run)!;
  expect((await fetch(`${url}/ready`)).status).toBe(200);
  expect((await fetch(`${url}/status`)).status).toBe(200);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  expect(metrics).toMatch(
    /^qi_source_errors_total\{pipeline="prices",source="@qi\/source-coingecko",code="[A-Z_]+"\} \d+$/m,
  );
  expect(metrics).toMatch(
    /^qi_source_retries_total\{pipeline="prices",source="@qi\/source-coingecko"\} \d+$/m,
  );
  expect(metrics).toContain('qi_breaker_state{pipeline="prices",target="out"} 0');
  expect(metrics).toMatch(/^process_cpu_seconds_total \d/m);
  expect(metrics).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  run.child.kill('SIGTERM');
  expect((await run.done).code).toBe(0);
});
