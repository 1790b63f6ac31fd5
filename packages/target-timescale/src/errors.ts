import {
  type ErrorSpec,
  isProgrammerError,
  isQiError,
  NETWORK_ERRNOS,
  type QiError,
  qiError,
  toQiError,
} from '@qi/core';

/** Stable codes of @qi/target-timescale. */
export const TimescaleErrors = {
  CONNECTION: { code: 'QI_TARGET_TIMESCALE_CONNECTION', category: 'network', retryable: true },
  UNAVAILABLE: { code: 'QI_TARGET_TIMESCALE_UNAVAILABLE', category: 'unavailable', retryable: true },
  CONFLICT: { code: 'QI_TARGET_TIMESCALE_CONFLICT', category: 'unavailable', retryable: true },
  DATA: { code: 'QI_TARGET_TIMESCALE_DATA', category: 'data', retryable: false },
  AUTH: { code: 'QI_TARGET_TIMESCALE_AUTH', category: 'auth', retryable: false },
  CONFIG: { code: 'QI_TARGET_TIMESCALE_CONFIG', category: 'config', retryable: false },
  SCHEMA: { code: 'QI_TARGET_TIMESCALE_SCHEMA', category: 'config', retryable: false },
  TIMESCALE_MISSING: { code: 'QI_TARGET_TIMESCALE_EXTENSION_MISSING', category: 'config', retryable: false },
  TIMESCALE_NOT_PRELOADED: {
    code: 'QI_TARGET_TIMESCALE_EXTENSION_NOT_PRELOADED',
    category: 'config',
    retryable: false,
  },
  /** SQLSTATE 53400: a server limit the batch exceeds, e.g. TimescaleDB's tuple decompression limit; retrying cannot help */
  LIMIT: { code: 'QI_TARGET_TIMESCALE_LIMIT', category: 'config', retryable: false },
  /** SQLSTATE 0A000: the server (its license, version or settings) does not offer what a statement asks for */
  FEATURE_NOT_SUPPORTED: {
    code: 'QI_TARGET_TIMESCALE_FEATURE_NOT_SUPPORTED',
    category: 'config',
    retryable: false,
  },
  EMBEDDED: { code: 'QI_TARGET_TIMESCALE_EMBEDDED', category: 'internal', retryable: false },
  SQL: { code: 'QI_TARGET_TIMESCALE_SQL', category: 'programmer', retryable: false },
  INTERNAL: { code: 'QI_TARGET_TIMESCALE_INTERNAL', category: 'internal', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

/** SQLSTATE (exact or class prefix) → code. Exact entries win over their class. */
const SQLSTATE: Array<[string, ErrorSpec]> = [
  ['57P01', TimescaleErrors.UNAVAILABLE], // admin_shutdown
  ['57P02', TimescaleErrors.UNAVAILABLE], // crash_shutdown
  ['57P03', TimescaleErrors.UNAVAILABLE], // cannot_connect_now (starting up, recovery)
  ['53400', TimescaleErrors.LIMIT], // configuration_limit_exceeded
  ['57014', TimescaleErrors.UNAVAILABLE], // query_canceled (statement_timeout, pg_cancel_backend)
  ['40001', TimescaleErrors.CONFLICT], // serialization_failure
  ['40P01', TimescaleErrors.CONFLICT], // deadlock_detected
  ['55P03', TimescaleErrors.CONFLICT], // lock_not_available
  ['42501', TimescaleErrors.AUTH], // insufficient_privilege
  ['42P01', TimescaleErrors.SCHEMA], // undefined_table: the table went away under the writer
  ['42703', TimescaleErrors.SCHEMA], // undefined_column
  ['3F000', TimescaleErrors.SCHEMA], // invalid_schema_name
  ['3D000', TimescaleErrors.CONFIG], // invalid_catalog_name: no such database
  ['0A000', TimescaleErrors.FEATURE_NOT_SUPPORTED], // feature_not_supported, e.g. compression under the "apache" license
  ['08', TimescaleErrors.CONNECTION],
  ['53', TimescaleErrors.UNAVAILABLE], // insufficient resources, 53300 too_many_connections
  ['58', TimescaleErrors.UNAVAILABLE], // system error (I/O)
  ['28', TimescaleErrors.AUTH],
  ['22', TimescaleErrors.DATA], // data exception: out of range, bad encoding (0x00), …
  ['23', TimescaleErrors.DATA], // integrity constraint: CHECK, NOT NULL, a foreign or other unique key
  ['21', TimescaleErrors.DATA], // cardinality violation
  ['54', TimescaleErrors.DATA], // program limit exceeded: a row or index entry too large
  ['42', TimescaleErrors.SQL], // syntax or access rule: a bug in the SQL this package makes
];

const NETWORK_MESSAGES = [
  /connection terminated/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /connection (was )?(closed|ended)/i,
  /socket hang up/i,
  /unexpected eof/i,
];

interface PgErrorLike {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  hint?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
  schema?: unknown;
  where?: unknown;
}

// a write into compressed chunks decompresses the segments it touches; TimescaleDB caps that per transaction
const DECOMPRESSION_HINT =
  '. The batch touches more compressed rows than timescaledb.max_tuples_decompressed_per_dml_transaction allows: raise it for the writer (ALTER ROLE … SET timescaledb.max_tuples_decompressed_per_dml_transaction = 0, or PGOPTIONS / options=-c … in the connection string; 0 is no limit), lower batchSize, or set compressAfter beyond the span a source replays';

function specForSqlState(code: string): ErrorSpec | undefined {
  for (const [prefix, spec] of SQLSTATE) if (code === prefix) return spec;
  for (const [prefix, spec] of SQLSTATE) if (prefix.length === 2 && code.startsWith(prefix)) return spec;
  return undefined;
}

// EPIPE has the shape of a SQLSTATE too; it is the socket's, not the server's
const isSqlState = (code: unknown): code is string =>
  typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !NETWORK_ERRNOS.has(code);

/**
 * Maps a pg / pg-promise / Node socket error to a QiError; the database's own
 * words stay in the message. `statement` names what was being run, when known.
 */
export function classifyPgError(e: unknown, statement?: string): QiError {
  if (isQiError(e)) return e as QiError;
  if (isProgrammerError(e)) return toQiError(e);
  const pe = (e ?? {}) as PgErrorLike;
  const message = typeof pe.message === 'string' ? pe.message : String(e);
  const context: Record<string, unknown> = {};
  for (const k of ['detail', 'hint', 'constraint', 'table', 'column', 'schema', 'where'] as const) {
    if (typeof pe[k] === 'string' && pe[k]) context[k] = pe[k];
  }
  if (statement) context.statement = statement;
  if (isSqlState(pe.code)) {
    context.sqlstate = pe.code;
    const spec = specForSqlState(pe.code) ?? TimescaleErrors.INTERNAL;
    const detail = typeof pe.detail === 'string' && pe.detail ? ` (${pe.detail})` : '';
    const stmt = statement ? `; statement: ${statement}` : '';
    const hint = /tuple decompression limit/i.test(message) ? DECOMPRESSION_HINT : '';
    return qiError(spec, `${message}${detail} [SQLSTATE ${pe.code}]${stmt}${hint}`, { context, cause: e });
  }
  if (
    (typeof pe.code === 'string' && NETWORK_ERRNOS.has(pe.code)) ||
    NETWORK_MESSAGES.some((re) => re.test(message))
  ) {
    if (typeof pe.code === 'string') context.errno = pe.code;
    return qiError(TimescaleErrors.CONNECTION, `connection to PostgreSQL lost or refused: ${message}`, {
      context,
      cause: e,
    });
  }
  return qiError(TimescaleErrors.INTERNAL, message, { context, cause: e });
}
