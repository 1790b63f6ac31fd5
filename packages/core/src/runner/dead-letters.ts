import type { DeadLetter, RejectedRecord } from '../contracts/writer';
import type { QiError } from '../errors';

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
