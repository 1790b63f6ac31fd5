import { type FieldSpec, quoteIdent, type RecordSpec, SQL_TYPES } from '@qi/core';

/**
 * The statements the writer runs. Identifiers come from config and the DSL and
 * are always quoted with core's quoteIdent; data never appears here (it travels
 * as COPY data or as bound array parameters).
 */
export type WriteMode = 'upsert' | 'ignore';

export const qualify = (schema: string, table: string): string =>
  `${quoteIdent(schema)}.${quoteIdent(table)}`;

const list = (names: readonly string[], prefix = ''): string =>
  names.map((n) => prefix + quoteIdent(n)).join(', ');

/**
 * ON CONFLICT on the natural key. Upsert only rewrites a row whose values
 * changed, so a replayed batch costs no new row versions (no WAL, no bloat).
 */
export function conflictClause(
  spec: RecordSpec<string>,
  columns: readonly string[],
  mode: WriteMode,
): string {
  const target = `ON CONFLICT (${list(spec.key)})`;
  const rest = columns.filter((c) => !spec.key.includes(c));
  if (mode === 'ignore' || rest.length === 0) return `${target} DO NOTHING`;
  const set = rest.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ');
  return `${target} DO UPDATE SET ${set} WHERE (${list(rest, 'cur.')}) IS DISTINCT FROM (${list(rest, 'EXCLUDED.')})`;
}

export const copyInto = (table: string, columns: readonly string[]): string =>
  `COPY ${table} (${list(columns)}) FROM STDIN`;

/** A per-connection temporary table shaped like the target; emptied at each commit. */
export const stagingDdl = (staging: string, target: string): string =>
  `CREATE TEMP TABLE IF NOT EXISTS ${quoteIdent(staging)} (LIKE ${target} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`;

export function insertFromStaging(
  target: string,
  staging: string,
  columns: readonly string[],
  conflict: string,
): string {
  return `INSERT INTO ${target} AS cur (${list(columns)}) SELECT ${list(columns)} FROM ${quoteIdent(staging)} ${conflict}`;
}

/** One statement per batch, one array parameter per column: data stays out of the SQL text. */
export function insertUnnest(target: string, fields: readonly FieldSpec[], conflict: string): string {
  const arrays = fields.map((f, i) => `$${i + 1}::${SQL_TYPES[f.type]}[]`).join(', ');
  return `INSERT INTO ${target} AS cur (${list(fields.map((f) => f.name))}) SELECT * FROM unnest(${arrays}) ${conflict}`;
}
