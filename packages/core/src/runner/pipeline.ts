import type { Logger } from 'pino';
import type { Reader, SourceBatch, SourceReport } from '../contracts/reader';
import type { DeadLetter, Writer } from '../contracts/writer';
import { CoreErrors, type QiError, qiError, toQiError } from '../errors';
import type { PreparedPipeline } from '../host/host';
import { deadLetterUse, instantiate } from '../host/instantiate';
import { createHealth, type PipelineHealth } from '../observability/health';
import { err, ok, type Result, unwrap } from '../result';
import { createAckChain } from './ack-chain';
import { closeAll } from './close';
import { createDeadLetterSink, lettersFromInvalid } from './dead-letters';
import { createFanOut, type DeliveryTarget } from './fan-out';
import { createKindFilter } from './kind-filter';
import type { RunOptions } from './run-options';
import { newStats, type PipelineStats } from './stats';

type DeadLetterStore = (letters: readonly DeadLetter[]) => Promise<Result<void>>;

/** What a pipeline opened so far: on a failed start, exactly this is closed again. */
interface Opened {
  reader?: Reader;
  targets: DeliveryTarget[];
  dlq?: Writer;
}

/** Creates and starts the source, every target and the dead-letter destination, in that order. */
async function open(
  p: PreparedPipeline,
  opts: RunOptions,
  signal: AbortSignal,
  health: PipelineHealth,
  opened: Opened,
): Promise<{ reader: Reader; dlq: Writer; store: DeadLetterStore }> {
  const start = { ...opts, pipeline: p.name, signal };
  const reader = unwrap(await instantiate<Reader>(p.source, start)).instance;
  opened.reader = reader;
  health.setSourceProbe?.(() => reader.health());
  for (const t of p.targets) {
    const writer = unwrap(await instantiate<Writer>(t, start)).instance;
    const only = createKindFilter(p.name, t.name, t.kinds, opts.metrics);
    opened.targets.push({ name: t.name, writer, required: t.required, onError: t.onError, only });
    health.addTarget(t.name, t.resolved.packageName, t.required, () => writer.health());
  }
  const dlqUse = deadLetterUse(p, opts.dataDir);
  const dlq = unwrap(await instantiate<Writer>(dlqUse, start)).instance;
  opened.dlq = dlq;
  const store = dlq.publishDeadLetters?.bind(dlq);
  if (!store)
    throw qiError(
      CoreErrors.CONFIG,
      `${dlqUse.where}: ${dlqUse.resolved.packageName} cannot be a dead-letter destination`,
    );
  opts.logger.child({ pipeline: p.name }).info(
    {
      event: 'pipeline.start',
      source: p.source.resolved.packageName,
      targets: p.targets.map((t) => t.name),
      deadLetter: p.deadLetter?.resolved.packageName ?? (dlqUse.config as { path: string }).path,
    },
    `pipeline ${p.name} started`,
  );
  return { reader, dlq, store };
}

/** A source that reports its reads is counted by its reports, any other by its batches. */
function sourceReads(health: PipelineHealth): { report: SourceReport; batch(): void } {
  let reporting = false;
  return {
    report: {
      read: () => {
        reporting = true;
        health.sourceRead();
      },
      failed: (error, { retrying }) => {
        reporting = true;
        health.sourceFailed(error, retrying);
      },
    },
    batch: () => {
      if (!reporting) health.sourceRead();
    },
  };
}

/**
 * Runs one pipeline: one source, targets in parallel, at-least-once. A batch
 * is acknowledged to the source (in order) only once every required target
 * took it; invalid and refused records go to the dead-letter destination with
 * their reason; at most `maxInFlight` batches are being delivered at once.
 */
export async function runPipeline(p: PreparedPipeline, opts: RunOptions): Promise<Result<PipelineStats>> {
  const log: Logger = opts.logger.child({ pipeline: p.name });
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

  const opened: Opened = { targets: [] };
  let started: Awaited<ReturnType<typeof open>>;
  try {
    started = await open(p, opts, stop.signal, health, opened);
    health.setState('running');
  } catch (e) {
    await closeAll(opened.reader, opened.targets, opened.dlq, log);
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
  const { reader, dlq, store } = started;
  const targets = opened.targets;

  const deadLetter = createDeadLetterSink({
    pipeline: p.name,
    store,
    stats,
    metrics: opts.metrics,
    log,
  });
  const fanOut = createFanOut({
    pipeline: p.name,
    targets,
    maxInFlight: p.config.maxInFlight,
    stats,
    health,
    deadLetter,
    log,
    fail,
  });
  const deliver = async (batch: SourceBatch): Promise<boolean> => {
    try {
      const n = batch.records.length + (batch.invalid?.length ?? 0);
      stats.recordsIn += n;
      opts.metrics.recordsIn.inc({ pipeline: p.name }, n);
      await deadLetter(lettersFromInvalid(p.name, batch.invalid));
      if (batch.records.length > 0) await fanOut.deliver(batch.records);
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
      for (const t of targets) void t.writer.flush();
    },
    { once: true },
  );
  stop.signal.addEventListener('abort', () => health.setState('stopping'), { once: true });
  const reads = sourceReads(health);
  const acks = createAckChain({
    maxInFlight: p.config.maxInFlight,
    fail,
    onSize: (n) => {
      stats.inFlight = n;
    },
  });
  try {
    for await (const batch of reader.stream({ signal: stop.signal, once: opts.once, report: reads.report })) {
      reads.batch();
      stats.batches++;
      acks.add(deliver(batch), batch);
      await acks.room(() => fatal !== undefined);
      if (fatal) break;
    }
  } catch (e) {
    if (!stop.signal.aborted || !fatal) fail(toQiError(e));
  }
  await acks.drain();
  // the source is done: from here on a target that is down is not waited for without bound
  if (!stop.signal.aborted) stop.abort(qiError(CoreErrors.CLOSED, `pipeline ${p.name} is stopping`));
  await fanOut.drain();
  const closeErr = await closeAll(reader, targets, dlq, log);
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
