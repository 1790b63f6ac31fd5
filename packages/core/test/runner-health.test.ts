import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BaseReader,
  BaseWriter,
  type Clock,
  createHealth,
  createHost,
  createLogger,
  createMetrics,
  definePlugin,
  type PreparedConfig,
  qiError,
  runPipeline,
  type SourceBatch,
  startMetricsServer,
  z,
} from '../src/index';
import { createMemoryHandler, sampleRecords } from '../src/testkit/index';

const down = qiError(
  { code: 'T_DOWN', category: 'network', retryable: true },
  'connect ECONNREFUSED 127.0.0.1:1',
);
const denied = qiError(
  { code: 'T_AUTH', category: 'auth', retryable: false },
  'password authentication failed',
);

/** Sleeps complete at once and move time on: start-up backoff without real waiting. */
function instantClock(): Clock & { at: number } {
  const c = {
    at: 0,
    now: () => c.at,
    sleep: async (ms: number) => {
      c.at += ms;
    },
  };
  return c;
}

/** Logs as parsed objects. */
function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (l: string) => void lines.push(JSON.parse(l)) },
  });
  return { lines, logger };
}

interface Knobs {
  /** init failures before the target connects */
  initFailures: number;
  initError: typeof down;
  /** source reads that fail (reported, not thrown) before it yields its batch */
  sourceFailures: number;
  /** batches of 2 records the source yields (default: one batch of 5) */
  batches?: number;
  /** called when the source has reported all its failures; the source then waits for the stop */
  onSourceFailed?: () => void;
  mem: ReturnType<typeof createMemoryHandler>;
  initCalls: number;
}

function plugins(k: Knobs) {
  const source = definePlugin({
    name: 'test-source',
    kind: 'source',
    apiVersion: '^1.0.0',
    configSchema: z.object({}),
    create: () =>
      new BaseReader({
        name: 'test-source',
        handler: {
          async *stream(o): AsyncGenerator<SourceBatch> {
            for (let i = 0; i < k.sourceFailures; i++) o.report?.failed(down, { retrying: true });
            if (k.sourceFailures > 0) {
              k.onSourceFailed?.();
              await new Promise((r) => o.signal.addEventListener('abort', r, { once: true }));
              return;
            }
            o.report?.read();
            if (k.batches === undefined) yield { records: sampleRecords('price', 5) };
            else for (let i = 0; i < k.batches; i++) yield { records: sampleRecords('price', 2, 2 * i) };
          },
          classifyError: (e) => e as never,
          close: async () => {},
        },
      }),
  });
  const target = definePlugin({
    name: 'test-target',
    kind: 'target',
    apiVersion: '^1.0.0',
    configSchema: z.object({ down: z.boolean().default(false) }),
    create: (c, ctx) =>
      new BaseWriter({
        name: ctx.name,
        pipeline: ctx.pipeline,
        metrics: ctx.metrics,
        signal: ctx.signal,
        batch: { lingerMs: 0 },
        ...(c.down ? { clock: instantClock(), breaker: { failureThreshold: 1 } } : {}),
        handler: {
          ...(c.down ? createMemoryHandler({ failTimes: Number.POSITIVE_INFINITY }).handler : k.mem.handler),
          async init() {
            k.initCalls++;
            if (k.initCalls <= k.initFailures) throw k.initError;
          },
        },
      }),
  });
  return [source, target];
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'qi-runner-health-'));
  writeFileSync(
    path.join(dir, 'qi.config.json'),
    JSON.stringify({
      pipelines: { p: { source: { use: 'test-source' }, targets: [{ use: 'test-target', name: 'db' }] } },
      health: { sourceFailures: 3 },
    }),
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function prepare(k: Knobs): Promise<PreparedConfig> {
  const r = await createHost({ plugins: plugins(k) as never }).prepare({
    configPath: path.join(dir, 'qi.config.json'),
  });
  if (!r.ok) throw r.error;
  return r.value;
}

const knobs = (over: Partial<Knobs> = {}): Knobs => ({
  initFailures: 0,
  initError: down,
  sourceFailures: 0,
  mem: createMemoryHandler(),
  initCalls: 0,
  ...over,
});

function run(prepared: PreparedConfig, extra: Partial<Parameters<typeof runPipeline>[1]> = {}) {
  const { lines, logger } = captureLogs();
  const metrics = createMetrics();
  const done = runPipeline(prepared.pipelines[0]!, {
    signal: new AbortController().signal,
    once: true,
    logger,
    metrics,
    baseDir: dir,
    dataDir: path.join(dir, '.qi'),
    clock: instantClock(),
    ...extra,
  });
  return { done, lines, metrics };
}

describe('start-up', () => {
  it('retries a target that is down at start, one log line per attempt naming what and when, then delivers', async () => {
    const k = knobs({ initFailures: 3 });
    const { done, lines } = run(await prepare(k));
    const r = await done;
    expect(r).toMatchObject({ ok: true, value: { recordsIn: 5, written: { db: 5 } } });
    expect(k.initCalls).toBe(4);
    const retries = lines.filter((l) => l.event === 'pipeline.start_retry');
    expect(retries.map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(retries[0]!.msg).toMatch(
      /^pipelines\.p\.targets\[0\] \(test-target\) not ready \(attempt 1\): connect ECONNREFUSED 127\.0\.0\.1:1; next try in [\d.]+ s$/,
    );
  });
  it('gives up after the start timeout with an error that says so', async () => {
    const k = knobs({ initFailures: Number.POSITIVE_INFINITY });
    const r = await run(await prepare(k), { startTimeoutMs: 60_000 }).done;
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'QI_START_TIMEOUT',
        message: expect.stringContaining(
          'pipelines.p.targets[0] (test-target) did not start within the start timeout of 60 s',
        ),
      },
    });
    expect(k.initCalls).toBeGreaterThan(3);
  });
  it('does not retry an error a retry cannot fix', async () => {
    const k = knobs({ initFailures: 1, initError: denied });
    const r = await run(await prepare(k)).done;
    expect(r).toMatchObject({ ok: false, error: { code: 'T_AUTH' } });
    expect(k.initCalls).toBe(1);
  });
});

describe('optional targets', () => {
  it('an optional target that is down is not waited for: past its backlog bound, batches go to its onError', async () => {
    writeFileSync(
      path.join(dir, 'qi.config.json'),
      JSON.stringify({
        pipelines: {
          p: {
            source: { use: 'test-source' },
            targets: [
              { use: 'test-target', name: 'db' },
              {
                use: 'test-target',
                name: 'opt',
                required: false,
                onError: 'skip-target',
                with: { down: true },
              },
            ],
          },
        },
      }),
    );
    const k = knobs({ batches: 30 });
    const { done, lines } = run(await prepare(k));
    const r = await done;
    expect(r).toMatchObject({ ok: true, value: { recordsIn: 60, written: { db: 60 } } });
    expect(k.mem.rows.size).toBe(60);
    const skipped = lines.filter((l) => l.event === 'pipeline.target_skipped');
    expect(skipped).toHaveLength(30);
    // 16 batches waited for the target (the bound with maxInFlight 4), the 14 after them were not queued
    expect(skipped.filter((l) => l.code === 'QI_TARGET_BEHIND')).toHaveLength(14);
  });
});

describe('health', () => {
  it('a source failing every read turns /healthz 503 at the threshold; /ready and the source metrics say the rest', async () => {
    let failed!: () => void;
    const sourceFailed = new Promise<void>((r) => {
      failed = r;
    });
    const k = knobs({ sourceFailures: 3, onSourceFailed: () => failed() });
    const prepared = await prepare(k);
    const metrics = createMetrics();
    const health = createHealth({ thresholds: prepared.config.health, metrics });
    const stop = new AbortController();
    const server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      metrics,
      health: () => health.status(),
      ready: () => health.ready(),
    });
    const get = async (p: string) => {
      const res = await fetch(`${server.url}${p}`);
      return { status: res.status, body: await res.text() };
    };
    try {
      expect((await get('/ready')).status).toBe(503); // nothing started yet
      const done = runPipeline(prepared.pipelines[0]!, {
        signal: stop.signal,
        logger: captureLogs().logger,
        metrics,
        baseDir: dir,
        dataDir: path.join(dir, '.qi'),
        health: health.pipeline,
      });
      await sourceFailed;
      expect((await get('/ready')).status).toBe(200);
      const healthz = await get('/healthz');
      expect(healthz.status).toBe(503);
      const body = JSON.parse(healthz.body);
      expect(body).toMatchObject({
        ok: false,
        ready: true,
        pipelines: [
          {
            name: 'p',
            state: 'running',
            ok: false,
            problems: [expect.stringContaining('source test-source failed 3 reads in a row (threshold 3)')],
            source: { consecutiveFailures: 3, errors: 3, lastError: { code: 'T_DOWN' } },
            targets: [{ name: 'db', plugin: 'test-target', ok: true, breaker: 'closed' }],
          },
        ],
      });
      expect((await get('/status')).status).toBe(200);
      const text = (await get('/metrics')).body;
      expect(text).toContain('qi_source_errors_total{pipeline="p",source="test-source",code="T_DOWN"} 3');
      expect(text).toContain('qi_source_retries_total{pipeline="p",source="test-source"} 3');
      expect(text).toContain('qi_breaker_state{pipeline="p",target="db"} 0');
      expect(text).toContain('qi_pipeline_state{pipeline="p"} 1');
      stop.abort();
      expect((await done).ok).toBe(true);
      expect((await get('/ready')).status).toBe(503);
    } finally {
      await server.close();
    }
  });
  it('a target whose breaker stays open longer than the threshold makes the pipeline unhealthy', async () => {
    let now = 0;
    const hang: Clock = { now: () => now, sleep: () => new Promise(() => {}) };
    const mem = createMemoryHandler({ failTimes: 1_000_000 });
    const w = new BaseWriter({
      name: 'db',
      handler: mem.handler,
      clock: hang,
      breaker: { failureThreshold: 1 },
      batch: { lingerMs: 0 },
    });
    const health = createHealth({
      thresholds: { breakerOpenMs: 60_000 },
      clock: { now: () => now, sleep: hang.sleep },
    });
    const p = health.pipeline(
      { pipeline: 'p', batches: 0, recordsIn: 0, deadLettered: 0, written: {}, failed: {} },
      { name: 's', plugin: 's' },
    );
    p.addTarget('db', 'test-target', true, () => w.health());
    p.setState('running');
    void w.publishPrices(sampleRecords('price', 1) as never); // fails once: the circuit opens, the write waits
    while (mem.calls.length === 0) await new Promise((r) => setImmediate(r));
    now = 60_000;
    expect((await health.status()).ok).toBe(true);
    now = 61_000;
    const s = await health.status();
    expect(s.ok).toBe(false);
    expect(s.pipelines[0]!.targets[0]).toMatchObject({
      name: 'db',
      ok: false,
      breaker: 'half-open',
      breakerOpenSeconds: 61,
      lastError: { code: 'MEM_OUTAGE' },
    });
    expect(s.pipelines[0]!.problems).toEqual([
      expect.stringContaining('target db: circuit breaker half-open for 61 s (threshold 60 s)'),
    ]);
  });
  it('scrubs secrets from the status JSON, whatever error message carried them', async () => {
    const health = createHealth();
    const p = health.pipeline(
      { pipeline: 'p', batches: 0, recordsIn: 0, deadLettered: 0, written: {}, failed: {} },
      { name: 's', plugin: 's' },
    );
    p.setState('running');
    p.sourceFailed(
      qiError({ code: 'T_AUTH', category: 'auth', retryable: false }, 'login as qi:hunter2 refused'),
      false,
    );
    const server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      metrics: createMetrics(),
      health: () => health.status(),
      scrub: (t) => t.replaceAll('hunter2', '[redacted]'),
    });
    try {
      const body = await (await fetch(`${server.url}/status`)).text();
      expect(body).toContain('login as qi:[redacted] refused');
      expect(body).not.toContain('hunter2');
    } finally {
      await server.close();
    }
  });
});
