import { qiError, quoteLiteral, type TableDdl } from '@qi/core';
import { TimescaleErrors } from './errors';

/**
 * TimescaleDB decisions, kept pure so they are unit-tested without the
 * extension (this machine's PostgreSQL has none): whether hypertables are on,
 * and which of core's generated statements still need to run on a table.
 */
export interface ExtensionState {
  /** version installed in this database, if any (pg_extension) */
  installed: string | null;
  /** version the server could install (pg_available_extensions) */
  available: string | null;
}

export type TimescaleSetting = 'auto' | boolean;

export interface TimescaleDecision {
  use: boolean;
  /** run CREATE EXTENSION first */
  createExtension: boolean;
  /** the one log line that says what happened */
  log: { level: 'info' | 'warn'; message: string };
}

export function decideTimescale(
  setting: TimescaleSetting,
  ext: ExtensionState,
  embedded = false,
): TimescaleDecision {
  if (setting === false) {
    return {
      use: false,
      createExtension: false,
      log: {
        level: 'info',
        message:
          'TimescaleDB disabled by config (timescale.enabled: false): plain tables, no hypertables, compression or retention',
      },
    };
  }
  if (ext.installed) {
    return {
      use: true,
      createExtension: false,
      log: { level: 'info', message: `TimescaleDB ${ext.installed}: tables are hypertables` },
    };
  }
  if (ext.available) {
    return {
      use: true,
      createExtension: true,
      log: {
        level: 'info',
        message: `TimescaleDB ${ext.available} available: creating the extension; tables are hypertables`,
      },
    };
  }
  if (setting === true) {
    throw qiError(
      TimescaleErrors.TIMESCALE_MISSING,
      embedded
        ? 'timescale.enabled is true but the embedded database (PGlite) has no TimescaleDB; configure a connection to a TimescaleDB server or set timescale.enabled to "auto" or false'
        : 'timescale.enabled is true but the timescaledb extension is not available on this server (pg_available_extensions); install TimescaleDB or set timescale.enabled to "auto" or false',
    );
  }
  if (embedded) {
    // expected on the embedded database: not worth a warning on every quickstart run
    return {
      use: false,
      createExtension: false,
      log: {
        level: 'info',
        message:
          'the embedded PGlite has no TimescaleDB: hypertable features are off (plain tables with time indexes)',
      },
    };
  }
  return {
    use: false,
    createExtension: false,
    log: {
      level: 'warn',
      message:
        'TimescaleDB extension not available on this server: hypertable features are off (plain tables with time indexes; no chunking, compression or retention)',
    },
  };
}

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
}

export const NO_HYPERTABLE: HypertableState = {
  isHypertable: false,
  compressionEnabled: false,
  compressAfter: null,
  retention: null,
  compressAfterSame: false,
  retentionSame: false,
};

export interface TimescalePlanOptions {
  compressAfter: string | null;
  retention: string | null;
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
  if (state.compressAfter !== null && (opts.compressAfter === null || !state.compressAfterSame)) {
    out.push(`SELECT remove_compression_policy(${rel}, if_exists => TRUE);`);
  }
  if (state.retention !== null && (opts.retention === null || !state.retentionSame)) {
    out.push(`SELECT remove_retention_policy(${rel}, if_exists => TRUE);`);
  }
  for (const stmt of ddl.timescale) {
    switch (kindOf(stmt)) {
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

/** A table's hypertable state; $3/$4 are the configured compressAfter/retention, compared as intervals by the server. */
export const HYPERTABLE_STATE_SQL = `
WITH j AS (
  SELECT proc_name, config FROM timescaledb_information.jobs
  WHERE hypertable_schema = $1 AND hypertable_name = $2 AND proc_name IN ('policy_compression', 'policy_retention')
)
SELECT h.compression_enabled AS "compressionEnabled",
  (SELECT config->>'compress_after' FROM j WHERE proc_name = 'policy_compression' LIMIT 1) AS "compressAfter",
  (SELECT config->>'drop_after' FROM j WHERE proc_name = 'policy_retention' LIMIT 1) AS "retention",
  COALESCE((SELECT (config->>'compress_after')::interval = $3::interval FROM j WHERE proc_name = 'policy_compression' LIMIT 1), FALSE) AS "compressAfterSame",
  COALESCE((SELECT (config->>'drop_after')::interval = $4::interval FROM j WHERE proc_name = 'policy_retention' LIMIT 1), FALSE) AS "retentionSame"
FROM timescaledb_information.hypertables h
WHERE h.hypertable_schema = $1 AND h.hypertable_name = $2`;

export const EXTENSION_STATE_SQL = `
SELECT (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS installed,
  (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb') AS available`;
