import type { z } from 'zod';
import { type FieldSpec, fieldSpec } from './fields';
import { analyticsSchema, level1Schema, ohlcvSchema, priceSchema, type RecordKind } from './records';

/**
 * Everything the generators and targets need about one kind: its schema, the
 * natural key (primary key, message key, upsert target) and the time column.
 */
export interface RecordSpec<K extends string = RecordKind> {
  kind: K;
  /** the schema; extra fields added by extendSpec flow to every artifact */
  schema: z.ZodObject;
  /** default table (SQL) and topic base name */
  name: string;
  /** natural key, in order; the time column is last */
  key: readonly string[];
  time: string;
  /** columns that segment compressed chunks and partition messages */
  segmentBy: readonly string[];
  /** bumped when a field is removed or changes meaning (never for additions) */
  version: number;
  description: string;
}

export const RECORD_KINDS = [
  'price',
  'ohlcv',
  'analytics',
  'level1',
] as const satisfies readonly RecordKind[];

export const RECORD_SPECS: { readonly [K in RecordKind]: RecordSpec<K> } = {
  price: {
    kind: 'price',
    schema: priceSchema,
    name: 'prices',
    version: 1,
    key: ['coin_id', 'exchange', 'vs_currency', 'ts'],
    time: 'ts',
    segmentBy: ['coin_id', 'exchange'],
    description: 'Current price of a coin, with market cap and 24h volume',
  },
  ohlcv: {
    kind: 'ohlcv',
    schema: ohlcvSchema,
    name: 'ohlcv',
    version: 1,
    key: ['coin_id', 'exchange', 'vs_currency', 'interval', 'ts'],
    time: 'ts',
    segmentBy: ['coin_id', 'exchange'],
    description: 'OHLC(V) candle of a coin over an interval',
  },
  analytics: {
    kind: 'analytics',
    schema: analyticsSchema,
    name: 'market_analytics',
    version: 1,
    key: ['source', 'vs_currency', 'ts'],
    time: 'ts',
    segmentBy: ['source'],
    description: 'Global market figures: total market cap, volume, dominance',
  },
  level1: {
    kind: 'level1',
    schema: level1Schema,
    name: 'level1',
    version: 1,
    key: ['exchange', 'base', 'quote', 'ts'],
    time: 'ts',
    segmentBy: ['exchange', 'base'],
    description: 'Top of book: best bid/ask and last trade on one exchange',
  },
};

export type RecordSpecs = { readonly [K in RecordKind]: RecordSpec<K> };

export function fieldsOf(spec: RecordSpec<string>): FieldSpec[] {
  return Object.entries(spec.schema.shape).map(([name, s]) => fieldSpec(name, s as z.ZodType));
}

/** A spec with extra fields: how a new DSL field is tried out (tests, forks) before it lands in core. */
export function extendSpec<K extends RecordKind>(
  spec: RecordSpec<K>,
  shape: Record<string, z.ZodType>,
): RecordSpec<K> {
  return { ...spec, schema: spec.schema.extend(shape) };
}
