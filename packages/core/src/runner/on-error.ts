import type { Logger } from 'pino';
import { CoreErrors, type QiError, qiError } from '../errors';
import type { TargetConfig } from '../host/config-schema';
import { type DeadLetterSink, letterFromError } from './dead-letters';

/** What happens to a batch a target could not write after its retries (`targets[].onError`). */
export type OnError = TargetConfig['onError'];

export interface FailedBatch {
  pipeline: string;
  target: string;
  records: readonly unknown[];
  error: QiError;
}

/**
 * Applies a target's `onError` to a batch it could not write. `fail` throws, so the
 * pipeline stops and nothing from this batch on is acknowledged; `dead-letter` stores
 * every record with the error; `skip-target` logs and drops the batch for this target only.
 */
export async function applyOnError(
  policy: OnError,
  failed: FailedBatch,
  o: { deadLetter: DeadLetterSink; log: Logger },
): Promise<void> {
  const { pipeline, target, records, error } = failed;
  switch (policy) {
    case 'fail':
      throw qiError(error, `target ${target} failed: ${error.message}`, {
        cause: error,
        context: error.context,
      });
    case 'dead-letter':
      await o.deadLetter(records.map((rec) => letterFromError(pipeline, rec, error, 'write', target)));
      return;
    case 'skip-target':
      o.log.error(
        { event: 'pipeline.target_skipped', target, code: error.code, err: error.message },
        `target ${target} dropped a batch of ${records.length} (onError: skip-target)`,
      );
      return;
    default: {
      // the config schema allows only the cases above; a hand-built pipeline could still pass another
      const unknown: never = policy;
      throw qiError(
        CoreErrors.CONFIG,
        `target ${target}: unknown onError ${JSON.stringify(unknown)} (expected fail, dead-letter or skip-target)`,
        { cause: error },
      );
    }
  }
}
