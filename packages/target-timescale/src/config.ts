import { secret, writerWorkflowShape } from '@qi/core';
import { z } from 'zod';

/** Interval literal as TimescaleDB takes it, e.g. "1 day", "12 hours", "7 days". */
const interval = z
  .string()
  .regex(
    /^\d+\s*(microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|months?|years?)$/i,
    'an interval such as "1 day", "12 hours" or "4 weeks"',
  );

const tableName = z.string().min(1).max(63);

/** Defaults measured on 2 cores (README, Performance): 5000 rows per batch, two batches in flight (~1.6x one). */
export const DEFAULT_BATCH_SIZE = 5000;
export const DEFAULT_CONCURRENCY = 2;

/**
 * What pg accepts (it parses with WHATWG URL): caught by `qi validate` with the path, instead
 * of `Invalid URL` at run time. The value is a secret: the message never quotes it.
 */
function isPostgresUrl(s: string): boolean {
  if (s.startsWith('/')) return true; // "/run/postgresql dbname": a socket directory
  try {
    return ['postgres:', 'postgresql:', 'socket:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}

export const configSchema = z.strictObject({
  connectionString: secret(
    z
      .string()
      .min(1)
      .refine(
        isPostgresUrl,
        'not a valid PostgreSQL URL: expected postgres://user:password@host:5432/database (percent-encode characters such as # @ / in the password; the port is a number up to 65535)',
      ),
  )
    .optional()
    .describe(
      'PostgreSQL URL, e.g. postgres://user:pass@host:5432/db; overrides the discrete fields. With no connection configured, an embedded PostgreSQL (PGlite) is started in embedded.dataDir',
    ),
  host: z.string().min(1).optional().describe('server host (use this or connectionString)'),
  port: z.number().int().min(1).max(65535).default(5432).describe('server port'),
  database: z.string().min(1).optional().describe('database name (default: the user name, as libpq does)'),
  user: z
    .string()
    .min(1)
    .optional()
    .describe('user name (default: the PGUSER environment variable, then postgres)'),
  password: secret(z.string()).optional().describe('password; never logged'),
  ssl: z
    .union([
      z.boolean(),
      z.strictObject({
        rejectUnauthorized: z.boolean().default(true).describe('verify the server certificate'),
        ca: z.string().optional().describe('PEM of the CA that signed the server certificate'),
      }),
    ])
    .default(false)
    .describe('TLS: false, true (verify with the system CAs) or { rejectUnauthorized, ca }'),
  applicationName: z
    .string()
    .min(1)
    .max(63)
    .default('qi-target-timescale')
    .describe('application_name of the connections, shown in pg_stat_activity'),
  schema: z
    .string()
    .min(1)
    .max(63)
    .default('public')
    .describe('PostgreSQL schema of the tables (created when missing)'),
  tables: z
    .strictObject({
      price: tableName.optional().describe('table of price records (default "prices")'),
      ohlcv: tableName.optional().describe('table of OHLCV candles (default "ohlcv")'),
      analytics: tableName.optional().describe('table of market analytics (default "market_analytics")'),
      level1: tableName.optional().describe('table of level1 quotes (default "level1")'),
    })
    .prefault({})
    .describe('table name per record kind'),
  poolMax: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(4)
    .describe('most connections in the pool (the embedded database always uses 1)'),
  ...writerWorkflowShape,
  batchSize: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(DEFAULT_BATCH_SIZE)
    .describe('records per transaction'),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(DEFAULT_CONCURRENCY)
    .describe(
      'batches written at the same time, each on its own connection: 2 overlaps client and server work; 1 keeps strict per-kind write order',
    ),
  writeMode: z
    .enum(['upsert', 'ignore'])
    .default('upsert')
    .describe(
      'on a natural-key conflict: upsert (the newer record replaces the row) or ignore (the stored row stays)',
    ),
  writePath: z
    .enum(['auto', 'copy', 'insert'])
    .default('auto')
    .describe(
      'auto: COPY on PostgreSQL, multi-row INSERT on the embedded database (PGlite has no COPY FROM STDIN over the wire); copy; insert',
    ),
  copyDirect: z
    .boolean()
    .default(true)
    .describe(
      'COPY a batch straight into its table and fall back to a staging table + ON CONFLICT only when it hits an existing key (after a conflict, staging is used for the next batches)',
    ),
  timescale: z
    .strictObject({
      enabled: z
        .union([z.literal('auto'), z.boolean()])
        .default('auto')
        .describe(
          'auto: hypertables when the timescaledb extension is available and preloaded, else plain tables with one warning; true: require it; false: plain tables',
        ),
      chunkInterval: interval
        .default('1 day')
        .describe('time span of one hypertable chunk; a change applies to chunks created after it'),
      compressAfter: interval
        .nullable()
        .default(null)
        .describe(
          'compress chunks older than this (segment by coin/exchange, order by time); null: no compression. Needs the Community license',
        ),
      retention: interval
        .nullable()
        .default(null)
        .describe('drop chunks older than this; null: keep everything. Needs the Community license'),
    })
    .prefault({})
    .describe('TimescaleDB features'),
  embedded: z
    .strictObject({
      dataDir: z
        .string()
        .min(1)
        .default('.qi/pgdata')
        .describe('folder of the embedded database, relative to the config file'),
      port: z
        .number()
        .int()
        .min(0)
        .max(65535)
        .default(0)
        .describe(
          'loopback port the embedded database is served on while the pipeline runs (psql, other clients); 0: a free port, printed at start',
        ),
    })
    .prefault({})
    .describe('embedded PostgreSQL (PGlite), used when no connectionString or host is configured'),
});

export type TimescaleTargetConfig = z.output<typeof configSchema>;
export type TimescaleTargetConfigInput = z.input<typeof configSchema>;
