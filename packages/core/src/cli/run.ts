import path from 'node:path';
import { collectDefaultMetrics } from 'prom-client';
import { BUILTIN_PLUGINS } from '../builtins/index';
import { dataDirOf } from '../host/host';
import { createHealth } from '../observability/health';
import { createLogger, type LogLevel } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { startMetricsServer } from '../observability/server';
import { boundHeap } from '../runner/heap';
import { runPipeline } from '../runner/pipeline';
import { newStats } from '../runner/stats';
import { EXIT, type GlobalOpts, prepareOrReport, printError } from './context';
import { startProgress } from './progress';
import { ttyLogDestination } from './tty-logs';

export interface RunOpts extends GlobalOpts {
  once?: boolean;
  metricsPort?: string;
  progress?: boolean;
}

/** qi run: every pipeline (or the named ones) until SIGINT/SIGTERM, or one cycle with --once. */
export async function runCommand(names: string[], opts: RunOpts): Promise<number> {
  void BUILTIN_PLUGINS;
  const prepared = await prepareOrReport(opts, names);
  if (!prepared) return EXIT.USAGE;
  // commander sets progress to true unless --no-progress is given: a pipe, a log collector or CI
  // never gets the live line (nor its ANSI codes, nor the quieter TTY log level)
  const tty = opts.progress !== false && Boolean(process.stderr.isTTY);
  const level = (opts.logLevel ?? (tty ? 'warn' : prepared.config.logLevel)) as LogLevel;
  const destination = tty ? await ttyLogDestination() : undefined;
  const logger = createLogger({
    level,
    scrub: (line) => prepared.secrets.scrub(line),
    ...(destination ? { destination } : {}),
  });
  const heap = boundHeap();
  const metrics = createMetrics();
  collectDefaultMetrics({ register: metrics.registry });
  const health = createHealth({ thresholds: prepared.config.health, metrics });
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.error({ event: 'run.forced_exit', signal: sig }, 'second signal: exiting without draining');
      process.exit(EXIT.RUNTIME);
    }
    logger.info({ event: 'run.stopping', signal: sig }, `${sig}: stop reading, drain, flush, close`);
    controller.abort(new Error(`received ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const stats = prepared.pipelines.map((p) => newStats(p.name));
  const failures: string[] = [];
  const port =
    opts.metricsPort ?? (prepared.config.metrics ? String(prepared.config.metrics.port) : undefined);
  const server =
    port === undefined
      ? undefined
      : await startMetricsServer({
          port: Number(port),
          host: prepared.config.metrics?.host ?? '127.0.0.1',
          metrics,
          health: () => health.status(),
          ready: () => health.ready(),
          scrub: (text) => prepared.secrets.scrub(text),
        }).catch((e) => {
          printError(`qi: cannot serve metrics on port ${port}: ${(e as Error).message}`);
          return undefined;
        });
  if (server)
    logger.info(
      { event: 'metrics.listening', url: server.url },
      `metrics on ${server.url}/metrics, health on ${server.url}/healthz and /ready, status on /status`,
    );
  logger.debug(
    { event: 'run.heap', heap },
    heap === 'bounded'
      ? "V8's heap growth bounded (QI_NODE_HEAP=node for Node's defaults)"
      : `V8's heap growth: ${heap}`,
  );
  const stopProgress = tty ? startProgress(stats) : () => {};
  const dataDir = dataDirOf(prepared);
  const results = await Promise.all(
    prepared.pipelines.map(async (p, i) => {
      const r = await runPipeline(p, {
        signal: controller.signal,
        once: opts.once,
        logger,
        metrics,
        baseDir: prepared.file.baseDir,
        dataDir,
        stats: stats[i],
        health: health.pipeline,
        startTimeoutMs: prepared.config.startTimeoutMs,
      });
      if (!r.ok) {
        failures.push(`pipeline ${p.name}: ${r.error.code}: ${r.error.message}`);
        // one failed pipeline stops the others: a supervisor restarts the whole process
        controller.abort(r.error);
      }
      return r;
    }),
  );
  stopProgress();
  await server?.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (failures.length) {
    printError(`qi run failed:\n  ${failures.join('\n  ')}`, prepared.secrets);
    return EXIT.RUNTIME;
  }
  const total = results.reduce((n, r) => n + (r.ok ? r.value.recordsIn : 0), 0);
  logger.info(
    { event: 'run.done', records: total, config: path.relative(process.cwd(), prepared.file.filepath) },
    'all pipelines stopped cleanly',
  );
  return EXIT.OK;
}
