import type { Logger } from 'pino';
import type { Reader, SourceBatch, SourceReport } from '../contracts/reader';
import type { DeadLetter, PublishReport, Writer } from '../contracts/writer';
import { CoreErrors, type QiError, qiError, toQiError } from '../errors';
import type { PluginUse, PreparedPipeline } from '../host/host';
import { deadLetterUse, instantiate } from '../host/instantiate';
import { createHealth, type PipelineHealth } from '../observability/health';
import type { QiMetrics } from '../observability/metrics';
import { err, ok, type Result, unwrap } from '../result';
import type { Clock } from '../workflow/clock';
import { letterFromError, lettersFromRejected } from './dead-letters';
import { createKindFilter, type KindFilter } from './kind-filter';
import { newStats, type PipelineStats } from './stats';

export interface RunOptions {
  signal: AbortSignal;
  once?: boolean;
  logger: Logger;
  metrics: QiMetrics;
  baseDir: string;
  dataDir: string;
  /** live counters, read by the progress line */
  stats?: PipelineStats;
  /** where the pipeline reports its state for /healthz, /ready and metrics (default: metrics only) */
  health?: (stats: PipelineStats, source: { name: string; plugin: string }) => PipelineHealth;
  /** how long plugins may take to start (connect, create topics or tables), ms; 0: no limit */
  startTimeoutMs?: number;
  clock?: Clock;
}

type Instance<T> = { use: PluginUse; instance: T };

/**
 * Batches an optional (required: false) target may have outstanding. Nothing
 * waits for such a target, so while it is down its backlog would grow without
 * bound; past this many, batches go to its onError policy instead.
 */
const optionalBacklog = (maxInFlight: number) => Math.max(16, 4 * maxInFlight);

/**
 * Runs one pipeline: one source, targets in parallel, at-least-once. A batch
 * is acknowledged to the source (in order) only once every required target
 * took it; invalid and refused records go to the dead-letter destination with
 * their reason; at most `maxInFlight` batches are being delivered at once.
 */
export async function runPipeline(p: PreparedPipeline, opts: RunOptions): Promise<Result<PipelineStats>> {
  const log = opts.logger.child({ pipeline: p.name });
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const stats = opts.stats ?? newStats(p.name);
  const source = { name: p.source.name, plugin: p.source.resolved.packageName };
  const health =
    opts.health?.(stats, source) ?? createHealth({ metrics: opts.metrics }).pipeline(stats, source);
  let fatal: QiError | undefined;
  const fail = (e: QiError) => {
    fatal ??= e;
    stop.abort(e);
  };

  let reader: Reader | undefined;
  const writers: Array<
    Instance<Writer> & { required: boolean; onError: string; behind: number; only: KindFilter }
  > = [];
  let dlq: Writer | undefined;
  try {
    const start = { ...opts, pipeline: p.name, signal: stop.signal };
    reader = unwrap(await instantiate<Reader>(p.source, start)).instance;
    const r = reader;
    health.setSourceProbe?.(() => r.health());
    for (const t of p.targets) {
      const { instance } = unwrap(await instantiate<Writer>(t, start));
      const only = createKindFilter(p.name, t.name, t.kinds, opts.metrics);
      writers.push({ use: t, instance, required: t.required, onError: t.onError, behind: 0, only });
      health.addTarget(t.name, t.resolved.packageName, t.required, () => instance.health());
    }
    const dlqUse = deadLetterUse(p, opts.dataDir);
    dlq = unwrap(await instantiate<Writer>(dlqUse, start)).instance;
    if (!dlq.publishDeadLetters)
      throw qiError(
        CoreErrors.CONFIG,
        `${dlqUse.where}: ${dlqUse.resolved.packageName} cannot be a dead-letter destination`,
      );
    log.info(
      {
        event: 'pipeline.start',
        source: p.source.resolved.packageName,
        targets: p.targets.map((t) => t.name),
        deadLetter: p.deadLetter?.resolved.packageName ?? (dlqUse.config as { path: string }).path,
      },
      `pipeline ${p.name} started`,
    );
    health.setState('running');
  } catch (e) {
    await closeAll(reader, writers, dlq, log);
    opts.signal.removeEventListener('abort', onAbort);
    // stopped while waiting for a plugin to start: nothing was read, so nothing is lost
    if (stop.signal.aborted && !fatal) {
      health.setState('stopped');
      log.info({ event: 'pipeline.stop', batches: 0 }, `pipeline ${p.name} stopped before it started`);
      return ok(stats);
    }
    health.setState('failed', toQiError(e));
    return err(toQiError(e));
  }

  const deadLetter = async (letters: DeadLetter[]) => {
    if (letters.length === 0) return;
    const r = await dlq!.publishDeadLetters!(letters);
    if (!r.ok)
      throw qiError(
        r.error,
        `dead-letter destination failed, stopping so no record is lost: ${r.error.message}`,
        { cause: r.error },
      );
    stats.deadLettered += letters.length;
    for (const l of letters)
      opts.metrics.recordsDeadLettered.inc({ pipeline: p.name, target: l.target ?? '', stage: l.stage });
    log.warn(
      {
        event: 'pipeline.dead_letter',
        count: letters.length,
        first: { code: letters[0]!.code, reason: letters[0]!.reason },
      },
      `${letters.length} record(s) dead-lettered`,
    );
  };

  const optional = new Set<Promise<void>>();
  const deliver = async (batch: SourceBatch): Promise<boolean> => {
    try {
      stats.recordsIn += batch.records.length + (batch.invalid?.length ?? 0);
      opts.metrics.recordsIn.inc({ pipeline: p.name }, batch.records.length + (batch.invalid?.length ?? 0));
      await deadLetter(
        (batch.invalid ?? []).map((i) =>
          letterFromError(
            p.name,
            i.record,
            i.error,
            i.error.code === CoreErrors.DECODE.code ? 'decode' : 'validation',
            undefined,
            i.context,
          ),
        ),
      );
      if (batch.records.length === 0) return true;
      const required: Promise<void>[] = [];
      const backlog = optionalBacklog(p.config.maxInFlight);
      for (const w of writers) {
        const publish = async (records: readonly unknown[]): Promise<Result<PublishReport>> => {
          if (w.required) return w.instance.publishBatch(records);
          if (w.behind >= backlog)
            return err(
              qiError(
                CoreErrors.TARGET_BEHIND,
                `optional target ${w.use.name} has ${w.behind} batches outstanding (down or too slow); not waiting for it`,
              ),
            );
          w.behind++;
          try {
            return await w.instance.publishBatch(records);
          } finally {
            w.behind--;
          }
        };
        const done = (async () => {
          const records = w.only(batch.records);
          if (records.length === 0) return;
          stats.inFlightByTarget ??= {};
          const busy = stats.inFlightByTarget;
          busy[w.use.name] = (busy[w.use.name] ?? 0) + 1;
          const r = await publish(records).finally(() => {
            busy[w.use.name]! -= 1;
          });
          if (r.ok) {
            health.delivered(w.use.name);
            stats.written[w.use.name] = (stats.written[w.use.name] ?? 0) + r.value.written;
            await deadLetter(lettersFromRejected(p.name, w.use.name, r.value.rejected));
            return;
          }
          stats.failed[w.use.name] = (stats.failed[w.use.name] ?? 0) + records.length;
          health.targetFailed(w.use.name, r.error);
          if (w.onError === 'dead-letter') {
            await deadLetter(
              records.map((rec) => letterFromError(p.name, rec, r.error, 'write', w.use.name)),
            );
          } else if (w.onError === 'skip-target') {
            log.error(
              {
                event: 'pipeline.target_skipped',
                target: w.use.name,
                code: r.error.code,
                err: r.error.message,
              },
              `target ${w.use.name} dropped a batch of ${records.length} (onError: skip-target)`,
            );
          } else {
            throw qiError(r.error, `target ${w.use.name} failed: ${r.error.message}`, {
              cause: r.error,
              context: r.error.context,
            });
          }
        })();
        if (w.required) required.push(done);
        else {
          // not awaited for the ack, but drained before closing: its outcome must not be lost
          const tracked = done.catch((e) => fail(toQiError(e))).finally(() => optional.delete(tracked));
          optional.add(tracked);
        }
      }
      await Promise.all(required);
      return true;
    } catch (e) {
      fail(toQiError(e));
      return false;
    }
  };

  // on stop, buffered records are written now rather than after their linger time
  stop.signal.addEventListener(
    'abort',
    () => {
      for (const w of writers) void w.instance.flush();
    },
    { once: true },
  );
  stop.signal.addEventListener('abort', () => health.setState('stopping'), { once: true });
  // a source that reports its reads is counted by its reports, any other by its batches
  let reporting = false;
  const report: SourceReport = {
    read: () => {
      reporting = true;
      health.sourceRead();
    },
    failed: (error, { retrying }) => {
      reporting = true;
      health.sourceFailed(error, retrying);
    },
  };
  const inflight = new Set<Promise<unknown>>();
  let ackChain: Promise<boolean> = Promise.resolve(true);
  try {
    for await (const batch of reader.stream({ signal: stop.signal, once: opts.once, report })) {
      if (!reporting) health.sourceRead();
      stats.batches++;
      const delivered = deliver(batch);
      // acks run strictly in source order, and stop at the first batch not delivered
      ackChain = ackChain.then(async (prevOk) => {
        if (!prevOk || !(await delivered)) return false;
        try {
          await batch.ack?.();
          return true;
        } catch (e) {
          fail(
            qiError(toQiError(e), `source could not commit its position: ${(e as Error).message}`, {
              cause: e,
            }),
          );
          return false;
        }
      });
      const tracked = ackChain.finally(() => {
        inflight.delete(tracked);
        stats.inFlight = inflight.size;
      });
      inflight.add(tracked);
      stats.inFlight = inflight.size;
      while (inflight.size >= p.config.maxInFlight && !fatal) await Promise.race(inflight);
      if (fatal) break;
    }
  } catch (e) {
    if (!stop.signal.aborted || !fatal) fail(toQiError(e));
  }
  await ackChain;
  await Promise.allSettled(inflight);
  // the source is done: from here on a target that is down is not waited for without bound
  if (!stop.signal.aborted) stop.abort(qiError(CoreErrors.CLOSED, `pipeline ${p.name} is stopping`));
  await Promise.allSettled(optional);
  const closeErr = await closeAll(reader, writers, dlq, log);
  opts.signal.removeEventListener('abort', onAbort);
  log.info(
    {
      event: 'pipeline.stop',
      batches: stats.batches,
      recordsIn: stats.recordsIn,
      deadLettered: stats.deadLettered,
      written: stats.written,
      failed: stats.failed,
      error: fatal?.message,
    },
    `pipeline ${p.name} stopped`,
  );
  health.setState(fatal || closeErr ? 'failed' : 'stopped', fatal ?? closeErr);
  if (fatal) return err(fatal);
  if (closeErr) return err(closeErr);
  return ok(stats);
}

/** Drain and close: writers flush, then everything closes once. */
async function closeAll(
  reader: Reader | undefined,
  writers: Array<Instance<Writer>>,
  dlq: Writer | undefined,
  log: Logger,
): Promise<QiError | undefined> {
  let first: QiError | undefined;
  const note = (what: string, r: Result<void>) => {
    if (!r.ok) {
      log.error(
        { event: 'pipeline.close_failed', what, code: r.error.code, err: r.error.message },
        `${what} failed to close cleanly`,
      );
      first ??= r.error;
    }
  };
  await Promise.all(writers.map(async (w) => note(`target ${w.use.name}`, await w.instance.close())));
  if (dlq) note('dead-letter destination', await dlq.close());
  if (reader) note('source', await reader.close());
  return first;
}
