import { randomBytes } from 'node:crypto';
import { type PluginContext, quoteIdent, RECORD_SPECS, type RecordKind } from '@qi/core';
import { requirePostgres as requirePostgresAt, TEST_PG_URL, testContext } from '@qi/core/testkit';
import { pgp, pgTypes } from '../../src/client';
import { createTimescaleWriter, type TimescaleTargetConfigInput } from '../../src/index';

/** The machine's PostgreSQL, database `test` (override with QI_TEST_PG_URL). */
export const PG_URL = TEST_PG_URL;

export const admin = pgp({
  connectionString: PG_URL,
  max: 2,
  types: pgTypes,
  application_name: 'qi-ts-test-admin',
});

/** Fails (never skips) with a clear message when PostgreSQL is not reachable. */
export const requirePostgres = () => requirePostgresAt(() => admin.one('SELECT 1 AS ok'), PG_URL);

export const unique = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

export async function dropSchema(schema: string): Promise<void> {
  await admin.none(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
}

export const tableOf = (schema: string, kind: RecordKind, tables: Partial<Record<RecordKind, string>> = {}) =>
  `${quoteIdent(schema)}.${quoteIdent(tables[kind] ?? RECORD_SPECS[kind].name)}`;

export async function readTable(schema: string, kind: RecordKind): Promise<Record<string, unknown>[]> {
  return admin.any(`SELECT * FROM ${tableOf(schema, kind)}`);
}

export async function countRows(schema: string, kind: RecordKind): Promise<number> {
  return (await admin.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${tableOf(schema, kind)}`)).n;
}

export async function truncateAll(schema: string): Promise<void> {
  const tables = await admin.any<{ t: string }>(
    new pgp.ParameterizedQuery({
      text: 'SELECT tablename AS t FROM pg_tables WHERE schemaname = $1',
      values: [schema],
    }),
  );
  if (tables.length)
    await admin.none(`TRUNCATE ${tables.map((r) => `${quoteIdent(schema)}.${quoteIdent(r.t)}`).join(', ')}`);
}

export function writer(
  schema: string,
  config: TimescaleTargetConfigInput = {},
  opts: Parameters<typeof createTimescaleWriter>[2] = {},
  ctx: Partial<PluginContext> = {},
) {
  return createTimescaleWriter(
    { connectionString: PG_URL, schema, lingerMs: 1, ...config },
    testContext(ctx),
    opts,
  );
}
