import {
  type Logger,
  quoteIdent,
  RECORD_KINDS,
  type RecordKind,
  type RecordSpec,
  type RecordSpecs,
  tableDdl,
} from '@qi/core';
import { type Db, pq } from './client';
import type { TimescaleTargetConfig } from './config';
import { type Columns, columnsOf } from './encoding';
import { classifyPgError } from './errors';
import { setUpTimescale } from './extension-setup';
import { qualify } from './sql';
import { HYPERTABLE_STATE_SQL, type HypertableState, NO_HYPERTABLE, planTimescale } from './timescale';

/**
 * Idempotent schema management from core's DSL generators: runs on every
 * start, creates what is missing, adds columns for new DSL fields, never drops.
 */
export interface TableTarget {
  kind: RecordKind;
  spec: RecordSpec<string>;
  table: string;
  /** schema-qualified, quoted */
  qualified: string;
  columns: Columns;
}

export interface SchemaState {
  tables: Record<RecordKind, TableTarget>;
  timescale: boolean;
}

export interface SchemaOptions {
  schema: string;
  tables: TimescaleTargetConfig['tables'];
  timescale: TimescaleTargetConfig['timescale'];
  specs: RecordSpecs;
  logger: Logger;
  /** on the embedded PGlite (no TimescaleDB there, by design) */
  embedded: boolean;
}

const ADD_COLUMN = / ADD COLUMN IF NOT EXISTS ("(?:[^"]|"")+") /;

function logChunkInterval(
  opts: SchemaOptions,
  table: string,
  state: HypertableState,
  ts: { chunkInterval: string },
): void {
  const name = `${opts.schema}.${table}`;
  if (state.isHypertable && state.chunkIntervalSame === false)
    opts.logger.info(
      { event: 'timescale.schema.chunk-interval', table, from: state.chunkInterval, to: ts.chunkInterval },
      `chunk interval of ${name} changed from ${state.chunkInterval} to ${ts.chunkInterval} (set_chunk_time_interval): applies to chunks created from now on; existing chunks keep theirs`,
    );
}

export async function ensureSchema(db: Db, opts: SchemaOptions): Promise<SchemaState> {
  const setup = await setUpTimescale(db, opts.timescale, opts);
  const useTimescale = setup.use;
  const ts = useTimescale
    ? {
        chunkInterval: opts.timescale.chunkInterval,
        compressAfter: opts.timescale.compressAfter,
        retention: opts.timescale.retention,
        tsl: setup.tsl,
      }
    : false;
  const tables = {} as Record<RecordKind, TableTarget>;
  const compressed: string[] = [];
  await db.tx('qi-schema', async (t) => {
    // two writers starting together must not race on CREATE TABLE
    await t.one(pq('SELECT pg_advisory_xact_lock(hashtext($1))', [`qi-target-timescale:${opts.schema}`]));
    const hasSchema = await t.oneOrNone(pq('SELECT 1 FROM pg_namespace WHERE nspname = $1', [opts.schema]));
    if (!hasSchema) await t.none(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(opts.schema)}`);
    for (const kind of RECORD_KINDS) {
      const spec = opts.specs[kind] as RecordSpec<string>;
      const ddl = tableDdl(spec, {
        schema: opts.schema,
        tables: opts.tables,
        timescale: ts,
        specs: opts.specs,
      });
      const existing = new Set(
        (
          await t.any<{ name: string }>(
            pq(
              'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
              [opts.schema, ddl.table],
            ),
          )
        ).map((r) => r.name),
      );
      for (const stmt of ddl.statements) {
        const added = ADD_COLUMN.exec(stmt)?.[1];
        if (added !== undefined) {
          const name = added.slice(1, -1).replace(/""/g, '"');
          // ALTER TABLE locks the table even when the column exists: only run it for a new field
          if (existing.size === 0 || existing.has(name)) continue;
          opts.logger.info(
            { event: 'timescale.schema.column', table: ddl.table, column: name },
            `added column ${name} to ${opts.schema}.${ddl.table} (new DSL field)`,
          );
        }
        await t.none(stmt);
      }
      if (existing.size === 0)
        opts.logger.info(
          { event: 'timescale.schema.table', table: ddl.table },
          `created table ${opts.schema}.${ddl.table}`,
        );
      if (ts) {
        const relation = `${quoteIdent(opts.schema)}.${quoteIdent(ddl.table)}`;
        const row = await t.oneOrNone<Omit<HypertableState, 'isHypertable'>>(
          pq(HYPERTABLE_STATE_SQL, [
            opts.schema,
            ddl.table,
            ts.compressAfter,
            ts.retention,
            ts.chunkInterval,
          ]),
        );
        const state: HypertableState = row ? { ...row, isHypertable: true } : NO_HYPERTABLE;
        logChunkInterval(opts, ddl.table, state, ts);
        if (!ts.tsl && state.compressionEnabled) compressed.push(`${opts.schema}.${ddl.table}`);
        for (const stmt of planTimescale(ddl, relation, state, ts)) {
          try {
            await t.any(stmt);
          } catch (e) {
            throw classifyPgError(e, stmt);
          }
        }
      }
      tables[kind] = {
        kind,
        spec,
        table: ddl.table,
        qualified: qualify(opts.schema, ddl.table),
        columns: columnsOf(spec),
      };
    }
  });
  if (setup.warning) {
    // under the "apache" license: what is off, and which tables cannot take writes into old chunks
    const also = compressed.length
      ? ` ${compressed.join(', ')} had compression enabled earlier: writes into (and reads of) their compressed chunks (replays, late upserts) fail with QI_TARGET_TIMESCALE_FEATURE_NOT_SUPPORTED, rows in uncompressed chunks are written; decompress_chunk() them under the Community license to write there again`
      : '';
    opts.logger.warn(
      {
        event: 'timescale.schema.timescale',
        timescale: true,
        license: setup.license,
        compression: false,
        compressed,
      },
      `${setup.warning}.${also}`,
    );
  }
  return { tables, timescale: useTimescale };
}
