import { isAbsolute, resolve } from 'node:path';
import type { Logger } from '@qi/core';
import pgPromise, { type IDatabase } from 'pg-promise';
import type { TimescaleTargetConfig } from './config';
import { type EmbeddedServer, startEmbedded } from './embedded';

/**
 * Connection lifecycle: a pg-promise database (its pool) on the configured
 * server, or on the embedded PGlite server when no connection is configured.
 */
export const pgp = pgPromise({ capSQL: true, noWarnings: true });

export type Db = IDatabase<object>;

/**
 * A query with bound parameters sent as such (pg-promise would otherwise format
 * values into the SQL text on the client): data never becomes SQL.
 */
export const pq = (text: string, values: unknown[]) => new pgp.ParameterizedQuery({ text, values });
type ConnectionParameters = Parameters<typeof pgp>[0] & object;

// int8 as a JS number when exact (counts, BIGINT columns); NUMERIC stays a string: prices keep every digit.
const INT8_OID = 20;
const parseInt8 = (v: string) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
};
// Per-connection overrides: pg's global type registry stays untouched for other libraries.
export const pgTypes = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pgp.pg.types.getTypeParser(oid, format as 'text'),
  setTypeParser: () => {
    throw new Error('@qi/target-timescale: type parsers are fixed');
  },
} as unknown as ConnectionParameters['types'];

export interface PgClient {
  db: Db;
  /** the embedded server, when this client runs on it */
  embedded: EmbeddedServer | undefined;
  /** where it is connected, without secrets, for logs */
  describe: string;
  close(): Promise<void>;
}

/** The configured server, or undefined when the embedded database is to be used. */
export function serverConnection(config: TimescaleTargetConfig): ConnectionParameters | undefined {
  if (!config.connectionString && !config.host) return undefined;
  const base = {
    application_name: config.applicationName,
    max: config.poolMax,
    ssl: config.ssl,
    types: pgTypes,
    // a dead server surfaces as a retryable connection error, not a hang
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  };
  if (config.connectionString) return { ...base, connectionString: config.connectionString };
  return {
    ...base,
    host: config.host,
    port: config.port,
    user: config.user ?? process.env.PGUSER ?? 'postgres',
    database: config.database ?? config.user ?? process.env.PGDATABASE ?? 'postgres',
    ...(config.password === undefined ? {} : { password: config.password }),
  };
}

export function describeServer(cn: ConnectionParameters): string {
  if (cn.connectionString) {
    try {
      const u = new URL(cn.connectionString);
      return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
    } catch {
      return 'postgres (connection string)';
    }
  }
  return `postgres://${cn.user}@${cn.host}:${cn.port}/${cn.database}`;
}

interface Shared {
  refs: number;
  ready: Promise<{ db: Db; server: EmbeddedServer }>;
}
// Targets of one process on the same folder share one PGlite and its single connection.
const embeddedByDir = new Map<string, Shared>();
// a folder being closed is reopened only after PGlite has let go of it
const closingByDir = new Map<string, Promise<void>>();

/** The embedded database's URL while it runs (loopback, no password: PGlite has no auth). */
export const embeddedUrl = (s: EmbeddedServer) => `postgres://postgres@${s.host}:${s.port}/postgres`;

async function openEmbedded(
  dataDir: string,
  config: TimescaleTargetConfig,
): Promise<{ db: Db; server: EmbeddedServer }> {
  const server = await startEmbedded(dataDir, config.embedded.port);
  const db = pgp({
    host: server.host,
    port: server.port,
    user: 'postgres',
    database: 'postgres',
    application_name: config.applicationName,
    types: pgTypes,
    // one connection, never closed while idle: the socket frees its only slot asynchronously
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: 10_000,
  });
  return { db, server };
}

export async function openClient(
  config: TimescaleTargetConfig,
  baseDir: string,
  logger: Logger,
): Promise<PgClient> {
  const cn = serverConnection(config);
  if (cn) {
    const db = pgp(cn);
    return { db, embedded: undefined, describe: describeServer(cn), close: () => db.$pool.end() };
  }
  const dataDir = isAbsolute(config.embedded.dataDir)
    ? config.embedded.dataDir
    : resolve(baseDir, config.embedded.dataDir);
  await closingByDir.get(dataDir);
  let shared = embeddedByDir.get(dataDir);
  if (!shared) {
    const entry: Shared = { refs: 0, ready: openEmbedded(dataDir, config) };
    entry.ready.catch(() => embeddedByDir.delete(dataDir));
    embeddedByDir.set(dataDir, entry);
    shared = entry;
  }
  shared.refs++;
  const entry = shared;
  const { db, server } = await entry.ready.catch((e) => {
    entry.refs--;
    throw e;
  });
  // a warning on every start, so it shows on a terminal too (qi run logs warn and up there):
  // records going to a local folder instead of a server must never pass unnoticed
  logger.warn(
    { event: 'timescale.embedded', dataDir, created: server.created, url: embeddedUrl(server) },
    `no PostgreSQL connection configured: using the embedded PostgreSQL (PGlite) in ${dataDir}${server.created ? ' (new database)' : ''}; set connectionString or host to write to a server. While this runs: psql ${embeddedUrl(server)}`,
  );
  let closed = false;
  return {
    db,
    embedded: server,
    describe: `embedded PGlite (${dataDir})`,
    async close() {
      if (closed) return;
      closed = true;
      if (--entry.refs > 0) return;
      embeddedByDir.delete(dataDir);
      const closing = (async () => {
        await db.$pool.end();
        await server.stop();
      })().finally(() => closingByDir.delete(dataDir));
      closingByDir.set(dataDir, closing);
      await closing;
    },
  };
}
