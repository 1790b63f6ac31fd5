import type { MarketRecord } from '../dsl/records';
import { fieldsOf, RECORD_SPECS, type RecordSpecs } from '../dsl/specs';
import { naturalKey, parseRecord } from '../dsl/validate';

/**
 * Normalises what a destination gives back (rows, decoded messages) to DSL
 * records, so tests compare field by field: decimals as canonical strings,
 * timestamps as ISO strings.
 */
export function normalizeRecords(
  rows: readonly unknown[],
  specs: RecordSpecs = RECORD_SPECS,
): MarketRecord[] {
  return rows.map((row, i) => {
    const r = parseRecord(row, specs);
    if (!r.ok)
      throw new Error(`row ${i} read back from the destination is not a valid record: ${r.error.message}`);
    return r.value;
  });
}

/** Indexes records by natural key; duplicates throw (they would mean a non-idempotent write). */
export function byNaturalKey(
  records: readonly MarketRecord[],
  specs: RecordSpecs = RECORD_SPECS,
): Map<string, MarketRecord> {
  const map = new Map<string, MarketRecord>();
  for (const r of records) {
    const k = `${r.kind}|${naturalKey(r, specs)}`;
    if (map.has(k)) throw new Error(`duplicate record for natural key ${k}`);
    map.set(k, r);
  }
  return map;
}

/** Field-by-field differences between what was sent and what came back. */
export function diffRecords(
  sent: MarketRecord,
  got: MarketRecord,
  specs: RecordSpecs = RECORD_SPECS,
): string[] {
  const diffs: string[] = [];
  for (const f of fieldsOf(specs[sent.kind])) {
    const a = (sent as Record<string, unknown>)[f.name] ?? null;
    const b = (got as Record<string, unknown>)[f.name] ?? null;
    if (a !== b) diffs.push(`${f.name}: sent ${JSON.stringify(a)}, got ${JSON.stringify(b)}`);
  }
  return diffs;
}
