import {
  type Logger,
  type MarketRecord,
  RECORD_SPECS,
  type RecordKind,
  type RecordSpecs,
  type WriterHandler,
} from '@qi/core';
import { openClient, type PgClient } from './client';
import type { TimescaleTargetConfig } from './config';
import { classifyPgError } from './errors';
import { ensureSchema, type SchemaState } from './schema';
import { type PreparedTable, prepareTable, type WriteStats, writeCopy, writeInsert } from './write-paths';

export interface HandlerOptions {
  logger: Logger;
  /** relative embedded.dataDir resolves from here (the config file's folder) */
  baseDir: string;
  /** DSL specs (default core's); tests add a field with extendSpec */
  specs?: RecordSpecs;
}

/** The live connection and schema, once init has run. */
export interface Connected {
  client: PgClient;
  schema: SchemaState;
  tables: Record<RecordKind, PreparedTable>;
  copy: boolean;
}

export interface TimescaleHandler extends WriterHandler {
  /** the connection and tables (after init), for queries and tests */
  connected(): Connected | undefined;
  stats: WriteStats;
}

export function createTimescaleHandler(
  config: TimescaleTargetConfig,
  opts: HandlerOptions,
): TimescaleHandler {
  const specs = opts.specs ?? RECORD_SPECS;
  const logger = opts.logger;
  const stats: WriteStats = { direct: 0, staged: 0, inserted: 0, conflicts: 0 };
  let conn: Connected | undefined;

  const handler: TimescaleHandler = {
    stats,
    connected: () => conn,

    async init() {
      const client = await openClient(config, opts.baseDir, logger);
      try {
        const version = await client.db.one<{ v: string }>('SELECT version() AS v');
        const pglite = /PGlite/i.test(version.v);
        const schema = await ensureSchema(client.db, {
          schema: config.schema,
          tables: config.tables,
          timescale: config.timescale,
          specs,
          logger,
          embedded: client.embedded !== undefined,
        });
        const tables = Object.fromEntries(
          Object.entries(schema.tables).map(([k, t]) => [k, prepareTable(t, config.writeMode)]),
        ) as Record<RecordKind, PreparedTable>;
        // PGlite cannot take COPY FROM STDIN over the socket (the connection breaks)
        const copy = config.writePath === 'copy' || (config.writePath === 'auto' && !pglite);
        if (copy && pglite)
          logger.warn(
            { event: 'timescale.write-path' },
            'writePath "copy" on the embedded PGlite will fail: it has no COPY FROM STDIN; use "auto" or "insert"',
          );
        conn = { client, schema, tables, copy };
        logger.info(
          {
            event: 'timescale.connected',
            server: client.describe,
            schema: config.schema,
            writePath: copy ? 'copy' : 'insert',
            writeMode: config.writeMode,
            timescale: schema.timescale,
          },
          `writing to ${client.describe}, schema ${config.schema}, ${copy ? 'COPY' : 'INSERT'} path, ${config.writeMode} on the natural key`,
        );
      } catch (e) {
        await client.close().catch(() => {});
        throw e;
      }
    },

    async writeBatch<K extends RecordKind>(kind: K, records: readonly MarketRecord[]) {
      if (!conn) throw new Error('writeBatch before init');
      const table = conn.tables[kind];
      try {
        if (conn.copy)
          await writeCopy(conn.client.db, table, records, config.writeMode, config.copyDirect, stats);
        else await writeInsert(conn.client.db, table, records, config.writeMode, stats);
      } catch (e) {
        // e.g. an upsert into a compressed chunk under the "apache" license: say which write it was
        if ((e as { code?: unknown }).code === '0A000')
          throw classifyPgError(
            e,
            `${conn.copy ? 'COPY' : 'INSERT'} of a ${kind} batch into ${table.qualified}`,
          );
        throw e;
      }
    },

    classifyError: (e) => classifyPgError(e),

    async close() {
      const c = conn;
      conn = undefined;
      await c?.client.close();
    },

    async health() {
      // not started yet is not unhealthy: the first publish (or the host) connects
      if (!conn) return { connected: false };
      await conn.client.db.one('SELECT 1 AS ok');
      return { ok: true, server: conn.client.describe, timescale: conn.schema.timescale, ...stats };
    },
  };
  return handler;
}
