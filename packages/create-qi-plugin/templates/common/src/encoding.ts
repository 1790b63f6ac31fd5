import { type MarketRecord, naturalKey, type RecordKind } from '@qi/core';

/** The record kinds this plugin handles. */
export const KINDS = [
  /* qi:kinds */ 'price',
  'ohlcv',
  'analytics',
  'level1',
] as const satisfies readonly RecordKind[];

export function handles(kind: string): kind is (typeof KINDS)[number] {
  return (KINDS as readonly string[]).includes(kind);
}

/**
 * DSL record <-> wire format. The skeleton stores one JSON line per record:
 * decimals stay strings, so no digit is lost.
 * TODO: map records to your technology's rows or messages (field names are
 * already snake_case: use them as column names / JSON keys as they are).
 */
export function encodeRecord(record: MarketRecord): string {
  return JSON.stringify(record);
}

export function decodeRecord(line: string): unknown {
  return JSON.parse(line);
}

/** Idempotency key: a record written twice must be stored once (upsert / dedupe on it). */
export function recordKey(record: MarketRecord): string {
  return `${record.kind}|${naturalKey(record)}`;
}
