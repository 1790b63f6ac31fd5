import { z } from 'zod';
import { normalizeDecimal } from './decimal';

/**
 * Field builders: each returns a zod schema tagged with the metadata the
 * generators (SQL, topics, JSON Schema, Avro) read, so the zod schema stays the
 * one source for every artifact.
 */
export type FieldType = 'text' | 'decimal' | 'integer' | 'timestamp' | 'kind';

export interface FieldMeta {
  qiType: FieldType;
  description: string;
}

const tag = <S extends z.ZodType>(s: S, qiType: FieldType, description: string): S =>
  s.meta({ qiType, description }) as S;

export const text = (description: string) => tag(z.string().min(1).max(512), 'text', description);

export const decimal = (description: string) =>
  tag(
    z
      .union([z.string(), z.number(), z.bigint()])
      .transform((v, ctx) => {
        const n = normalizeDecimal(v);
        if (n === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `expected a finite decimal number, received ${JSON.stringify(String(v))}`,
          });
          return z.NEVER;
        }
        return n;
      })
      .pipe(z.string().regex(/^-?\d+(\.\d+)?$/)),
    'decimal',
    description,
  );

export const integer = (description: string) => tag(z.number().int().min(0), 'integer', description);

/** Any instant (ISO string with zone, epoch milliseconds or Date), normalised to an ISO-8601 UTC string. */
export const timestamp = (description: string) =>
  tag(
    z
      .union([z.iso.datetime({ offset: true }), z.number(), z.date()])
      .transform((v, ctx) => {
        const d = v instanceof Date ? v : new Date(v);
        if (Number.isNaN(d.getTime())) {
          ctx.addIssue({
            code: 'custom',
            message: `expected a valid timestamp, received ${JSON.stringify(String(v))}`,
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
}

/** Reads a field's generator metadata through optional/nullable/transform wrappers. */
export function fieldSpec(name: string, schema: z.ZodType): FieldSpec {
  let s: z.ZodType = schema;
  let isNullable = false;
  for (let i = 0; i < 10; i++) {
    const meta = s.meta() as FieldMeta | undefined;
    if (meta?.qiType) return { name, type: meta.qiType, nullable: isNullable, description: meta.description };
    const def = (s as unknown as { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } }).def;
    if (def.type === 'optional' || def.type === 'nullable') isNullable = true;
    const next = def.innerType ?? def.in;
    if (!next) break;
    s = next;
  }
  throw new Error(`DSL field "${name}" has no Qi field metadata; build it with the helpers in dsl/fields`);
}
