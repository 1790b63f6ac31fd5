import type { QiError } from './errors';

/** Public async APIs return a Result; exceptions stay inside the implementation. */
export type Result<T, E = QiError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E = QiError>(error: E): Result<never, E> => ({ ok: false, error });
export const isOk = <T, E>(r: Result<T, E>): r is { ok: true; value: T } => r.ok;

/** Unwraps a Result, throwing its error: for tests and top-level glue only. */
export function unwrap<T>(r: Result<T, unknown>): T {
  if (r.ok) return r.value;
  throw r.error;
}
