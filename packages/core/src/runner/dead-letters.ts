import type { Logger } from 'pino';
import type { SourceBatch } from '../contracts/reader';
import type { DeadLetter, RejectedRecord } from '../contracts/writer';
import { CoreErrors, type QiError, qiError } from '../errors';
import type { QiMetrics } from '../observability/metrics';
import type { Result } from '../result';
import type { PipelineStats } from './stats';

export function letterFromError(
  pipeline: string,
  record: unknown,
  error: QiError,
  stage: DeadLetter['stage'],
  target?: string,
  context?: Record<string, unknown>,
): DeadLetter {
  const ctx = { ...error.context, ...context };
  delete (ctx as Record<string, unknown>).written;
  return {
    pipeline,
    ...(target ? { target } : {}),
    stage,
    code: error.code,
    reason: error.message,
    record,
    at: new Date().toISOString(),
    ...(Object.keys(ctx).length ? { context: ctx } : {}),
  };
}

export function lettersFromRejected(
  pipeline: string,
  target: string,
  rejected: readonly RejectedRecord[],
): DeadLetter[] {
  return rejected.map((r) => letterFromError(pipeline, r.record, r.error, r.stage, target));
}

/** A batch's records the source could not decode (stage `decode`) or the DSL refused (`validation`). */
export function lettersFromInvalid(pipeline: string, invalid: SourceBatch['invalid']): DeadLetter[] {
  return (invalid ?? []).map((i) =>
    letterFromError(
      pipeline,
      i.record,
      i.error,
      i.error.code === CoreErrors.DECODE.code ? 'decode' : 'validation',
      undefined,
      i.context,
    ),
  );
}

/** Sends dead letters to the pipeline's destination; resolves once they are stored. */
export type DeadLetterSink = (letters: DeadLetter[]) => Promise<void>;

/**
 * The pipeline's dead-letter destination, counted and logged. When the destination
 * fails, the sink throws: the pipeline stops rather than lose a record.
 */
export function createDeadLetterSink(o: {
  pipeline: string;
  /** the destination's `publishDeadLetters` */
  store: (letters: readonly DeadLetter[]) => Promise<Result<void>>;
  stats: PipelineStats;
  metrics: QiMetrics;
  log: Logger;
}): DeadLetterSink {
  return async (letters) => {
    if (letters.length === 0) return;
    const r = await o.store(letters);
    if (!r.ok)
      throw qiError(
        r.error,
        `dead-letter destination failed, stopping so no record is lost: ${r.error.message}`,
        { cause: r.error },
      );
    o.stats.deadLettered += letters.length;
    for (const l of letters)
      o.metrics.recordsDeadLettered.inc({ pipeline: o.pipeline, target: l.target ?? '', stage: l.stage });
    o.log.warn(
      {
        event: 'pipeline.dead_letter',
        count: letters.length,
        first: { code: letters[0]!.code, reason: letters[0]!.reason },
      },
      `${letters.length} record(s) dead-lettered`,
    );
  };
}
