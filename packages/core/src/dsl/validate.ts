import type { z } from 'zod';
import { CoreErrors, type QiError, qiError } from '../errors';
import { err, ok, type Result } from '../result';
import { fastParser } from './fast-path';
import { quoteValue } from './quote';
import type { MarketRecord, RecordKind } from './records';
import { RECORD_KINDS, RECORD_SPECS, type RecordSpecs } from './specs';
import { futureTimestampError } from './time-window';

const VALIDATED = new WeakMap<object, object>();

function remember(record: MarketRecord, schema: object): MarketRecord {
  VALIDATED.set(record, schema);
  return record;
}

/** "price: field `price`: expected a finite decimal number, received \"abc\"" */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string {
  return issues
    .map((i) => {
      const path = i.path.length
        ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.')
        : '(record)';
      return `${prefix}${path}: ${i.message}`;
    })
    .join('; ');
}

/**
 * Validates and normalises one record of any kind (the `kind` field decides).
 * Errors name the kind, the field and what was expected.
 */
export function parseRecord(
  input: unknown,
  specs: RecordSpecs = RECORD_SPECS,
  opts: ParseOptions = {},
): Result<MarketRecord> {
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !(RECORD_KINDS as readonly string[]).includes(kind)) {
    return err(
      qiError(
        CoreErrors.VALIDATION,
        `kind: expected one of ${RECORD_KINDS.join(', ')}, received ${quoteValue(kind)}`,
        {
          context: { field: 'kind' },
        },
      ),
    );
  }
  return parseRecordOfKind(kind as RecordKind, input, specs, opts);
}

export interface ParseOptions {
  /**
   * Mark the result as validated, so parsing it again for the same schema is free.
   * Worth it where one record fans out (sources); it costs a WeakMap entry.
   */
  remember?: boolean;
  /** how far into the future a timestamp may be, ms (default 5 minutes: clock skew between machines) */
  maxFutureSkewMs?: number;
  /** the current time, epoch ms (default Date.now) */
  now?: () => number;
}

export function parseRecordOfKind(
  kind: RecordKind,
  input: unknown,
  specs: RecordSpecs = RECORD_SPECS,
  opts: ParseOptions = {},
): Result<MarketRecord> {
  const spec = specs[kind];
  // a record this core already produced for the same schema is not checked again
  // (fan-out targets, reader → writer): records are treated as immutable once validated
  if (typeof input === 'object' && input !== null && VALIDATED.get(input) === spec.schema)
    return ok(input as MarketRecord);
  const fast = fastParser(spec)(input);
  if (fast && (input as { kind?: unknown }).kind === kind) {
    const future = futureTimestampError(spec, fast, opts);
    if (future) return err(future);
    return ok(opts.remember ? remember(fast, spec.schema) : fast);
  }
  const candidate =
    input !== null && typeof input === 'object' && !('kind' in input) ? { ...input, kind } : input;
  const parsed = spec.schema.safeParse(candidate);
  if (parsed.success) {
    if ((parsed.data as { kind: string }).kind !== kind) {
      return err(
        qiError(
          CoreErrors.VALIDATION,
          `kind: expected "${kind}", received ${quoteValue((input as { kind?: unknown }).kind)}`,
        ),
      );
    }
    const future = futureTimestampError(spec, parsed.data as MarketRecord, opts);
    if (future) return err(future);
    return ok(
      opts.remember ? remember(parsed.data as MarketRecord, spec.schema) : (parsed.data as MarketRecord),
    );
  }
  return err(validationError(kind, parsed.error.issues));
}

export function validationError(kind: string, issues: readonly z.core.$ZodIssue[]): QiError {
  return qiError(CoreErrors.VALIDATION, `invalid ${kind} record: ${formatIssues(issues)}`, {
    context: { kind, issues: issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

/** The natural key as a string, e.g. for message keys: "bitcoin|aggregate|usd". Time is left out so one instrument maps to one partition. */
export function instrumentKey(record: MarketRecord, specs: RecordSpecs = RECORD_SPECS): string {
  const spec = specs[record.kind];
  const r = record as unknown as Record<string, unknown>;
  return spec.key
    .filter((k) => k !== spec.time)
    .map((k) => String(r[k] ?? ''))
    .join('|');
}

/** The full natural key including time: identical records give identical keys (dedup, idempotent writes). */
export function naturalKey(record: MarketRecord, specs: RecordSpecs = RECORD_SPECS): string {
  const spec = specs[record.kind];
  const r = record as unknown as Record<string, unknown>;
  return spec.key.map((k) => String(r[k] ?? '')).join('|');
}
