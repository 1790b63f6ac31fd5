import { createLogger, type Logger, type PluginContext } from '@qi/core';
import { testContext } from '@qi/core/testkit';
import { pgp, pgTypes } from '../../src/client';
import { createTimescaleWriter, type TimescaleTargetConfigInput } from '../../src/index';

/** scripts/timescaledb.sh's clusters: preloaded with the Community license, and under the "apache" license. */
export const TS_URL = process.env.QI_TEST_TIMESCALE_URL ?? 'postgres://postgres@127.0.0.1:5433/postgres';
export const TS_APACHE_URL =
  process.env.QI_TEST_TIMESCALE_APACHE_URL ?? 'postgres://postgres@127.0.0.1:5434/postgres';

export const adminOf = (url: string) =>
  pgp({ connectionString: url, max: 2, types: pgTypes, application_name: 'qi-ts-test-admin' });

/** Fails (never skips) with the command to run when the cluster is down or not what the tests need. */
export async function requireTimescale(db: ReturnType<typeof adminOf>, url: string, license: string) {
  const fix =
    'start it with scripts/timescaledb.sh start (set QI_TEST_TIMESCALE_URL / QI_TEST_TIMESCALE_APACHE_URL to use another)';
  let row: { preload: string; license: string | null };
  try {
    row = await db.one(
      "SELECT current_setting('shared_preload_libraries') AS preload, current_setting('timescaledb.license', true) AS license",
    );
  } catch (e) {
    throw new Error(`these tests need TimescaleDB at ${url}: ${(e as Error).message}; ${fix}`);
  }
  if (!row.preload.includes('timescaledb') || (row.license ?? 'timescale') !== license)
    throw new Error(
      `${url} is not TimescaleDB preloaded with the "${license}" license (shared_preload_libraries = '${row.preload}', license ${row.license}); ${fix}`,
    );
}

export function capture(): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  warnings: () => Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
  });
  return { logger, lines, warnings: () => lines.filter((l) => (l.level as number) >= 40) };
}

export function tsWriter(
  url: string,
  schema: string,
  config: TimescaleTargetConfigInput = {},
  opts: Parameters<typeof createTimescaleWriter>[2] = {},
  ctx: Partial<PluginContext> = {},
) {
  return createTimescaleWriter(
    { connectionString: url, schema, lingerMs: 1, ...config },
    testContext(ctx),
    opts,
  );
}

/** Hypertable facts as TimescaleDB's own views report them, per table. */
export async function hypertables(db: ReturnType<typeof adminOf>, schema: string) {
  return db.any<{
    table: string;
    chunk: string;
    segmentby: string | null;
    orderby: string | null;
    compress: string | null;
    retention: string | null;
  }>(
    `SELECT h.hypertable_name AS table, d.time_interval::text AS chunk,
       (SELECT string_agg(attname, ', ' ORDER BY segmentby_column_index) FROM timescaledb_information.compression_settings c
         WHERE c.hypertable_schema = h.hypertable_schema AND c.hypertable_name = h.hypertable_name AND segmentby_column_index IS NOT NULL) AS segmentby,
       (SELECT string_agg(attname || CASE WHEN orderby_asc THEN '' ELSE ' DESC' END, ', ' ORDER BY orderby_column_index) FROM timescaledb_information.compression_settings c
         WHERE c.hypertable_schema = h.hypertable_schema AND c.hypertable_name = h.hypertable_name AND orderby_column_index IS NOT NULL) AS orderby,
       (SELECT config->>'compress_after' FROM timescaledb_information.jobs j WHERE j.hypertable_schema = h.hypertable_schema AND j.hypertable_name = h.hypertable_name AND proc_name = 'policy_compression') AS compress,
       (SELECT config->>'drop_after' FROM timescaledb_information.jobs j WHERE j.hypertable_schema = h.hypertable_schema AND j.hypertable_name = h.hypertable_name AND proc_name = 'policy_retention') AS retention
     FROM timescaledb_information.hypertables h
     JOIN timescaledb_information.dimensions d ON d.hypertable_schema = h.hypertable_schema AND d.hypertable_name = h.hypertable_name AND d.dimension_number = 1
     WHERE h.hypertable_schema = $1 ORDER BY 1`,
    [schema],
  );
}
