import { quoteLiteral, type TableDdl } from '@qi/core';

// Which of core's generated TimescaleDB statements still need to run on a
// table, kept pure so the decisions are unit-tested; the integration tests run
// them against a real TimescaleDB (scripts/timescaledb.sh).

/** What the database says about one table's hypertable setup. */
export interface HypertableState {
  isHypertable: boolean;
  compressionEnabled: boolean;
  /** current policy intervals as text, null when there is none */
  compressAfter: string | null;
  retention: string | null;
  /** true when the current policy interval equals the configured one (compared by the server as intervals) */
  compressAfterSame: boolean;
  retentionSame: boolean;
  /** the time dimension's chunk interval as text, and whether it equals the configured one */
  chunkInterval?: string | null;
  chunkIntervalSame?: boolean;
}

export const NO_HYPERTABLE: HypertableState = {
  isHypertable: false,
  compressionEnabled: false,
  compressAfter: null,
  retention: null,
  compressAfterSame: false,
  retentionSame: false,
  chunkInterval: null,
  chunkIntervalSame: false,
};

export interface TimescalePlanOptions {
  chunkInterval?: string;
  compressAfter: string | null;
  retention: string | null;
  /** false under the "apache" license: compression and policies are neither added nor removed */
  tsl?: boolean;
}

const kindOf = (
  stmt: string,
): 'hypertable' | 'compress' | 'compression-policy' | 'retention-policy' | 'other' => {
  if (stmt.includes('create_hypertable(')) return 'hypertable';
  if (stmt.includes('timescaledb.compress')) return 'compress';
  if (stmt.includes('add_compression_policy(')) return 'compression-policy';
  if (stmt.includes('add_retention_policy(')) return 'retention-policy';
  return 'other';
};

/**
 * Core's `tableDdl(...).timescale` statements minus what is already in place,
 * plus policy removals when the config changed or dropped a policy: applying
 * the plan on every start converges the table to the config.
 */
export function planTimescale(
  ddl: Pick<TableDdl, 'timescale'>,
  relation: string,
  state: HypertableState,
  opts: TimescalePlanOptions,
): string[] {
  const rel = quoteLiteral(relation);
  const out: string[] = [];
  // applies to chunks created from now on; existing chunks keep their span
  if (state.isHypertable && opts.chunkInterval && state.chunkIntervalSame === false)
    out.push(`SELECT set_chunk_time_interval(${rel}, INTERVAL ${quoteLiteral(opts.chunkInterval)});`);
  const tsl = opts.tsl !== false;
  if (tsl && state.compressAfter !== null && (opts.compressAfter === null || !state.compressAfterSame)) {
    out.push(`SELECT remove_compression_policy(${rel}, if_exists => TRUE);`);
  }
  if (tsl && state.retention !== null && (opts.retention === null || !state.retentionSame)) {
    out.push(`SELECT remove_retention_policy(${rel}, if_exists => TRUE);`);
  }
  for (const stmt of ddl.timescale) {
    const kind = kindOf(stmt);
    if (!tsl && kind !== 'hypertable' && kind !== 'other') continue;
    switch (kind) {
      case 'hypertable':
        if (!state.isHypertable) out.push(stmt);
        break;
      // compression settings cannot change once chunks are compressed: set them once
      case 'compress':
        if (!state.compressionEnabled) out.push(stmt);
        break;
      case 'compression-policy':
        if (state.compressAfter === null || !state.compressAfterSame) out.push(stmt);
        break;
      case 'retention-policy':
        if (state.retention === null || !state.retentionSame) out.push(stmt);
        break;
      default:
        out.push(stmt);
    }
  }
  return out;
}

/** A table's hypertable state; $3/$4/$5 are the configured compressAfter/retention/chunkInterval, compared as intervals by the server. */
export const HYPERTABLE_STATE_SQL = `
WITH j AS (
  SELECT proc_name, config FROM timescaledb_information.jobs
  WHERE hypertable_schema = $1 AND hypertable_name = $2 AND proc_name IN ('policy_compression', 'policy_retention')
)
SELECT h.compression_enabled AS "compressionEnabled",
  (SELECT config->>'compress_after' FROM j WHERE proc_name = 'policy_compression' LIMIT 1) AS "compressAfter",
  (SELECT config->>'drop_after' FROM j WHERE proc_name = 'policy_retention' LIMIT 1) AS "retention",
  COALESCE((SELECT (config->>'compress_after')::interval = $3::interval FROM j WHERE proc_name = 'policy_compression' LIMIT 1), FALSE) AS "compressAfterSame",
  COALESCE((SELECT (config->>'drop_after')::interval = $4::interval FROM j WHERE proc_name = 'policy_retention' LIMIT 1), FALSE) AS "retentionSame",
  d.time_interval::text AS "chunkInterval",
  COALESCE(d.time_interval = $5::interval, FALSE) AS "chunkIntervalSame"
FROM timescaledb_information.hypertables h
LEFT JOIN timescaledb_information.dimensions d
  ON d.hypertable_schema = h.hypertable_schema AND d.hypertable_name = h.hypertable_name AND d.dimension_number = 1
WHERE h.hypertable_schema = $1 AND h.hypertable_name = $2`;
