import { type MarketRecord, naturalKey, RECORD_SPECS, type RecordKind } from '@qi/core';

/** Header names every message carries, so consumers can route and dedupe without parsing the body. */
export const HEADERS = {
  kind: 'Qi-Kind',
  schemaVersion: 'Qi-Schema-Version',
  key: 'Qi-Key',
  contentType: 'Content-Type',
} as const;

/** NATS subject tokens cannot hold ".", "*", ">" or whitespace, and cannot be empty. */
export function subjectToken(value: unknown): string {
  const s = String(value ?? '').replace(/[\s.*>]+/g, '_');
  return s.length > 0 ? s : '_';
}

/**
 * Subject of a record: <prefix>.<table>.<instrument key…>, the instrument key
 * being the natural key without time, e.g. qi.prices.bitcoin.aggregate.usd or
 * qi.level1.binance.BTC.USDT. Consumers filter with wildcards (qi.prices.bitcoin.>).
 */
export function subjectFor(record: MarketRecord, prefix: string): string {
  const spec = RECORD_SPECS[record.kind];
  const r = record as unknown as Record<string, unknown>;
  const tokens = spec.key.filter((k) => k !== spec.time).map((k) => subjectToken(r[k]));
  return [prefix, spec.name, ...tokens].join('.');
}

/** Subject filter of one kind's messages, e.g. qi.prices.> */
export function kindFilter(kind: RecordKind, prefix: string): string {
  return `${prefix}.${RECORD_SPECS[kind].name}.>`;
}

/**
 * The Nats-Msg-Id: the kind and the full natural key (time included), so a
 * replayed record is dropped by the stream's duplicate window.
 */
export function messageId(record: MarketRecord): string {
  return `${record.kind}:${naturalKey(record)}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The body: the DSL record as JSON (decimals are strings, so no digit is lost). */
export function encodeRecord(record: MarketRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

export function decodeRecord(data: Uint8Array): unknown {
  return JSON.parse(decoder.decode(data));
}

export function recordHeaders(record: MarketRecord): Record<string, string> {
  return {
    [HEADERS.kind]: record.kind,
    [HEADERS.schemaVersion]: String(RECORD_SPECS[record.kind].version),
    [HEADERS.key]: naturalKey(record),
    [HEADERS.contentType]: 'application/json',
  };
}
