import type { HealthStatus } from '../contracts/writer';
import type { QiError } from '../errors';
import type { PipelineStats } from '../runner/stats';
import { type Clock, realClock } from '../workflow/clock';
import type { QiMetrics } from './metrics';
import type { PipelineStatus, StatusReport, TargetStatus } from './status';

export interface HealthThresholds {
  /** consecutive failed source reads after which the pipeline is unhealthy */
  sourceFailures: number;
  /** how long a target's breaker may stay open (or half-open) before the pipeline is unhealthy, ms */
  breakerOpenMs: number;
  /** unhealthy when a target's last delivery is older than this, ms; 0: never (a quiet source is fine) */
  maxDeliveryAgeMs: number;
}

export const DEFAULT_HEALTH: HealthThresholds = {
  sourceFailures: 3,
  breakerOpenMs: 60_000,
  maxDeliveryAgeMs: 0,
};

export type PipelineState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';
const STATE_GAUGE: Record<PipelineState, number> = {
  starting: 0,
  running: 1,
  stopping: 1,
  stopped: 2,
  failed: 3,
};

interface Note {
  code: string;
  message: string;
  at: number;
}
const MAX_MESSAGE = 500;
const note = (e: QiError, at: number): Note => ({
  code: e.code,
  message: e.message.slice(0, MAX_MESSAGE),
  at,
});

interface TargetTrack {
  name: string;
  plugin: string;
  required: boolean;
  probe: () => Promise<HealthStatus>;
  lastDeliveryAt?: number;
  lastError?: Note;
}

/** What the runner tells about one pipeline; it keeps the metrics and the health report in step. */
export interface PipelineHealth {
  setState(state: PipelineState, error?: QiError): void;
  addTarget(name: string, plugin: string, required: boolean, probe: () => Promise<HealthStatus>): void;
  sourceRead(): void;
  sourceFailed(error: QiError, retrying: boolean): void;
  delivered(target: string): void;
  targetFailed(target: string, error: QiError): void;
  /** the source's health(): its `details.lag` (a number), when it has one, is the status's source lag */
  setSourceProbe?(probe: () => Promise<HealthStatus>): void;
}

export interface Health {
  pipeline(stats: PipelineStats, source: { name: string; plugin: string }): PipelineHealth;
  /** 200 for /ready: every pipeline has started and none has stopped */
  ready(): boolean;
  /** the whole status, also the body of /healthz and /status */
  status(): Promise<StatusReport>;
}

/** Tracks pipelines, sources and targets for /healthz, /ready, /status and the matching metrics. */
export function createHealth(
  opts: { thresholds?: Partial<HealthThresholds>; metrics?: QiMetrics; clock?: Clock } = {},
): Health {
  const t = { ...DEFAULT_HEALTH, ...opts.thresholds };
  const clock = opts.clock ?? realClock;
  const m = opts.metrics;
  const startedAt = clock.now();
  const all: Array<() => Promise<PipelineStatus>> = [];
  const states: Array<() => PipelineState> = [];
  const safe = (fn: () => void) => {
    try {
      fn();
    } catch {
      // metrics never break a pipeline
    }
  };

  function pipeline(stats: PipelineStats, source: { name: string; plugin: string }): PipelineHealth {
    const p = stats.pipeline;
    let state: PipelineState = 'starting';
    let lastError: Note | undefined;
    const src = { reads: 0, errors: 0, consecutiveFailures: 0 } as {
      reads: number;
      errors: number;
      consecutiveFailures: number;
      lastSuccessAt?: number;
      lastError?: Note;
    };
    const targets = new Map<string, TargetTrack>();
    let sourceProbe: (() => Promise<HealthStatus>) | undefined;
    const sl = { pipeline: p, source: source.plugin };
    safe(() => m?.pipelineState.set({ pipeline: p }, STATE_GAUGE.starting));

    const handle: PipelineHealth = {
      setState(s, error) {
        state = s;
        if (error) lastError = note(error, clock.now());
        safe(() => m?.pipelineState.set({ pipeline: p }, STATE_GAUGE[s]));
      },
      setSourceProbe(probe) {
        sourceProbe = probe;
      },
      addTarget(name, plugin, required, probe) {
        targets.set(name, { name, plugin, required, probe });
      },
      sourceRead() {
        const now = clock.now();
        src.reads++;
        src.consecutiveFailures = 0;
        src.lastSuccessAt = now;
        safe(() => {
          m?.sourceReads.inc(sl);
          m?.sourceLastSuccess.set(sl, now / 1000);
        });
      },
      sourceFailed(error, retrying) {
        src.errors++;
        src.consecutiveFailures++;
        src.lastError = note(error, clock.now());
        safe(() => {
          m?.sourceErrors.inc({ ...sl, code: error.code });
          if (retrying) m?.sourceRetries.inc(sl);
        });
      },
      delivered(target) {
        const tt = targets.get(target);
        const now = clock.now();
        if (tt) tt.lastDeliveryAt = now;
        safe(() => m?.targetLastSuccess.set({ pipeline: p, target }, now / 1000));
      },
      targetFailed(target, error) {
        const tt = targets.get(target);
        if (tt) tt.lastError = note(error, clock.now());
      },
    };

    all.push(async () => {
      const now = clock.now();
      const problems: string[] = [];
      if (state === 'failed') problems.push(`pipeline failed: ${lastError?.message ?? 'unknown error'}`);
      if (src.consecutiveFailures >= t.sourceFailures)
        problems.push(
          `source ${source.plugin} failed ${src.consecutiveFailures} reads in a row (threshold ${t.sourceFailures}): ${src.lastError?.message ?? ''}`,
        );
      const ts: TargetStatus[] = [];
      const counts = await countsOf(m, p);
      for (const tt of targets.values())
        ts.push({ ...(await targetStatus(tt, stats, now, problems, t)), ...counts(tt.name) });
      const lag = await sourceLag(sourceProbe);
      return {
        name: p,
        state,
        ok: problems.length === 0,
        problems,
        ...(lastError ? { lastError: iso(lastError) } : {}),
        batches: stats.batches,
        recordsIn: stats.recordsIn,
        deadLettered: stats.deadLettered,
        inFlight: stats.inFlight ?? 0,
        source: {
          name: source.name,
          plugin: source.plugin,
          reads: src.reads,
          errors: src.errors,
          consecutiveFailures: src.consecutiveFailures,
          ...(lag === undefined ? {} : { lag }),
          ...ageOf('lastSuccess', src.lastSuccessAt, now),
          ...(src.lastError ? { lastError: iso(src.lastError) } : {}),
        },
        targets: ts,
      };
    });
    states.push(() => state);
    return handle;
  }

  return {
    pipeline,
    ready: () => states.length > 0 && states.every((s) => s() === 'running'),
    async status() {
      const pipelines = await Promise.all(all.map((f) => f()));
      return {
        ok: pipelines.every((p) => p.ok),
        ready: states.length > 0 && states.every((s) => s() === 'running'),
        at: new Date(clock.now()).toISOString(),
        uptimeSeconds: Math.round((clock.now() - startedAt) / 1000),
        thresholds: t,
        pipelines,
      };
    },
  };
}

async function targetStatus(
  tt: TargetTrack,
  stats: PipelineStats,
  now: number,
  problems: string[],
  t: HealthThresholds,
): Promise<Omit<TargetStatus, 'retries' | 'deadLettered'>> {
  let probe: HealthStatus;
  try {
    probe = await tt.probe();
  } catch (e) {
    probe = { ok: false, details: { error: (e as Error).message } };
  }
  const breaker = typeof probe.details.breaker === 'string' ? probe.details.breaker : undefined;
  const since =
    typeof probe.details.breakerOpenSince === 'number' ? probe.details.breakerOpenSince : undefined;
  const openMs = since === undefined ? 0 : now - since;
  const before = problems.length;
  if (since !== undefined && openMs > t.breakerOpenMs)
    problems.push(
      `target ${tt.name}: circuit breaker ${breaker} for ${Math.round(openMs / 1000)} s (threshold ${Math.round(t.breakerOpenMs / 1000)} s)`,
    );
  if (
    t.maxDeliveryAgeMs > 0 &&
    tt.lastDeliveryAt !== undefined &&
    now - tt.lastDeliveryAt > t.maxDeliveryAgeMs
  )
    problems.push(`target ${tt.name}: no delivery for ${Math.round((now - tt.lastDeliveryAt) / 1000)} s`);
  const lastError = tt.lastError ?? errorOf(probe.details.lastError);
  return {
    name: tt.name,
    plugin: tt.plugin,
    required: tt.required,
    ok: problems.length === before,
    ...(breaker ? { breaker } : {}),
    ...(since === undefined ? {} : { breakerOpenSeconds: Math.round(openMs / 1000) }),
    written: stats.written[tt.name] ?? 0,
    failed: stats.failed[tt.name] ?? 0,
    inFlight: stats.inFlightByTarget?.[tt.name] ?? 0,
    ...ageOf('lastDelivery', tt.lastDeliveryAt, now),
    ...(lastError ? { lastError: iso(lastError) } : {}),
  };
}

/** Retries and dead letters by target, from the metrics (BaseWriter counts retries only there). */
async function countsOf(
  m: QiMetrics | undefined,
  pipeline: string,
): Promise<(target: string) => { retries: number; deadLettered: number }> {
  const sum = async (c: QiMetrics['retries'] | QiMetrics['recordsDeadLettered'] | undefined) => {
    const by = new Map<string, number>();
    try {
      for (const v of (await c?.get())?.values ?? [])
        if (v.labels.pipeline === pipeline) {
          const k = String(v.labels.target ?? '');
          by.set(k, (by.get(k) ?? 0) + v.value);
        }
    } catch {
      // a metrics failure never breaks the status
    }
    return by;
  };
  const retries = await sum(m?.retries);
  const dead = await sum(m?.recordsDeadLettered);
  return (target) => ({ retries: retries.get(target) ?? 0, deadLettered: dead.get(target) ?? 0 });
}

async function sourceLag(probe: (() => Promise<HealthStatus>) | undefined): Promise<number | undefined> {
  try {
    const lag = (await probe?.())?.details.lag;
    return typeof lag === 'number' && Number.isFinite(lag) ? lag : undefined;
  } catch {
    return undefined;
  }
}

function errorOf(v: unknown): Note | undefined {
  const o = v as Partial<Note> | undefined;
  return o && typeof o.code === 'string' && typeof o.message === 'string' && typeof o.at === 'number'
    ? { code: o.code, message: o.message.slice(0, MAX_MESSAGE), at: o.at }
    : undefined;
}

const iso = (n: Note) => ({ code: n.code, message: n.message, at: new Date(n.at).toISOString() });

function ageOf(prefix: string, at: number | undefined, now: number): Record<string, unknown> {
  if (at === undefined) return {};
  return {
    [`${prefix}At`]: new Date(at).toISOString(),
    [`${prefix}AgeSeconds`]: Math.round((now - at) / 1000),
  };
}
