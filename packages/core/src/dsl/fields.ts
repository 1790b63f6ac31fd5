import { z } from 'zod';
import { normalizeDecimal } from './decimal';
import { quoteValue } from './quote';

/**
 * Field builders: each returns a zod schema tagged with the metadata the
 * generators (SQL, topics, JSON Schema, Avro) read, so the zod schema stays the
 * one source for every artifact.
 */
export type FieldType = 'text' | 'decimal' | 'integer' | 'timestamp' | 'kind';

export interface FieldMeta {
  qiType: FieldType;
  description: string;
  /** a decimal that cannot be negative (prices, volumes, market caps, sizes) */
  nonNegative?: boolean;
}

const tag = <S extends z.ZodType>(
  s: S,
  qiType: FieldType,
  description: string,
  extra: Partial<FieldMeta> = {},
): S => s.meta({ qiType, description, ...extra }) as S;

/**
 * Sanity window of timestamps: nothing in crypto market data predates 2009-01-01
 * (the Bitcoin genesis block is 2009-01-03), so an earlier instant is a unit or
 * field mistake (seconds for milliseconds, `-1`, `12345`). The future bound is
 * checked where a clock is known (see `ParseOptions.maxFutureSkewMs`).
 */
export const MIN_TIMESTAMP = '2009-01-01T00:00:00.000Z';
const MIN_TIMESTAMP_MS = Date.parse(MIN_TIMESTAMP);
const MAX_TIMESTAMP_MS = Date.parse('9999-12-31T23:59:59.999Z');

export const text = (description: string) => tag(z.string().min(1).max(512), 'text', description);

export interface DecimalOptions {
  /** reject values below zero: prices, volumes, market caps and sizes */
  nonNegative?: boolean;
}

export const decimal = (description: string, opts: DecimalOptions = {}) =>
  tag(
    z
      .union([z.string(), z.number(), z.bigint()])
      .transform((v, ctx) => {
        const n = normalizeDecimal(v);
        if (n === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `expected a finite decimal number, received ${quoteValue(v)}`,
          });
          return z.NEVER;
        }
        if (opts.nonNegative && n.startsWith('-')) {
          ctx.addIssue({ code: 'custom', message: `must be >= 0, received ${quoteValue(v)}` });
          return z.NEVER;
        }
        return n;
      })
      .pipe(z.string().regex(opts.nonNegative ? /^\d+(\.\d+)?$/ : /^-?\d+(\.\d+)?$/)),
    'decimal',
    description,
    opts.nonNegative ? { nonNegative: true } : {},
  );

/** A price, volume, market cap or size: a decimal >= 0. */
export const amount = (description: string) => decimal(description, { nonNegative: true });

export const integer = (description: string) => tag(z.number().int().min(0), 'integer', description);

/** Any instant (ISO string with zone, epoch milliseconds or Date), normalised to an ISO-8601 UTC string. */
export const timestamp = (description: string) =>
  tag(
    z
      .union([z.iso.datetime({ offset: true }), z.number(), z.date()])
      .transform((v, ctx) => {
        const d = v instanceof Date ? v : new Date(v);
        if (Number.isNaN(d.getTime())) {
          ctx.addIssue({ code: 'custom', message: `expected a valid timestamp, received ${quoteValue(v)}` });
          return z.NEVER;
        }
        if (d.getTime() < MIN_TIMESTAMP_MS) {
          ctx.addIssue({
            code: 'custom',
            message: `must be on or after ${MIN_TIMESTAMP.slice(0, 10)} (epoch milliseconds or ISO-8601), received ${quoteValue(v instanceof Date ? d.toISOString() : v)}`,
          });
          return z.NEVER;
        }
        if (d.getTime() > MAX_TIMESTAMP_MS) {
          ctx.addIssue({
            code: 'custom',
            message: `is after the year 9999 (microseconds or nanoseconds instead of milliseconds?), received ${quoteValue(v)}`,
          });
          return z.NEVER;
        }
        return d.toISOString();
      })
      .pipe(z.iso.datetime()),
    'timestamp',
    description,
  );

export const kindOf = <K extends string>(kind: K) =>
  tag(z.literal(kind), 'kind', `record kind, always "${kind}"`);

/** Optional in input, null when absent: columns are NULL-able, Avro unions with null. */
export const nullable = <S extends z.ZodType>(s: S) =>
  s
    .nullable()
    .optional()
    .transform((v) => v ?? null);

export interface FieldSpec {
  name: string;
  type: FieldType;
  nullable: boolean;
  description: string;
  nonNegative?: boolean;
}

/** Reads a field's generator metadata through optional/nullable/transform wrappers. */
export function fieldSpec(name: string, schema: z.ZodType): FieldSpec {
  let s: z.ZodType = schema;
  let isNullable = false;
  for (let i = 0; i < 10; i++) {
    const meta = s.meta() as FieldMeta | undefined;
    if (meta?.qiType)
      return {
        name,
        type: meta.qiType,
        nullable: isNullable,
        description: meta.description,
        ...(meta.nonNegative ? { nonNegative: true } : {}),
      };
    const def = (s as unknown as { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } }).def;
    if (def.type === 'optional' || def.type === 'nullable') isNullable = true;
    const next = def.innerType ?? def.in;
    if (!next) break;
    s = next;
  }
  throw new Error(`DSL field "${name}" has no Qi field metadata; build it with the helpers in dsl/fields`);
}
