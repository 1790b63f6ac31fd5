import { type MarketRecord, quoteIdent } from '@qi/core';
import type { Client as PgClient } from 'pg';
import { type Db, pq } from './client';
import { PipelinedCopy } from './copy-protocol';
import { copyEncoder, lastPerKey } from './encoding';
import { classifyPgError, TimescaleErrors } from './errors';
import type { TableTarget } from './schema';
import { conflictClause, copyInto, insertFromStaging, insertUnnest, stagingDdl, type WriteMode } from './sql';

/**
 * The two ways a batch reaches its table, each one transaction:
 * - COPY (PostgreSQL): straight into the table when no row exists yet (the
 *   fast, common case for a stream of new timestamps); on a key conflict the
 *   batch is COPYed into a per-connection temp table and moved with
 *   INSERT … SELECT … ON CONFLICT, which is what makes replays idempotent.
 * - INSERT … SELECT FROM unnest($1::type[], …) ON CONFLICT (PGlite, which has
 *   no COPY FROM STDIN over the wire): one statement, data as array parameters.
 */
export interface PreparedTable extends TableTarget {
  encode: (records: readonly MarketRecord[]) => string;
  copyDirect: string;
  staging: string;
  createStaging: string;
  /** COPY into the staging table, then INSERT … SELECT … ON CONFLICT, as one simple query */
  stagedMove: string;
  insert: string;
  /** adaptive direct COPY: batches left to send through staging after a conflict, and the next penalty */
  skipDirect: number;
  penalty: number;
}

export function prepareTable(t: TableTarget, mode: WriteMode): PreparedTable {
  const names = t.columns.names;
  const conflict = conflictClause(t.spec, names, mode);
  const staging = `qi_stage_${t.kind}`;
  return {
    ...t,
    encode: copyEncoder(t.columns),
    copyDirect: copyInto(t.qualified, names),
    staging,
    createStaging: stagingDdl(staging, t.qualified),
    stagedMove: `${copyInto(quoteIdent(staging), names)}; ${insertFromStaging(t.qualified, staging, names, conflict)}`,
    insert: insertUnnest(t.qualified, t.columns.fields, conflict),
    skipDirect: 0,
    penalty: 1,
  };
}

const UNIQUE_VIOLATION = '23505';
const MAX_PENALTY = 256;

export interface WriteStats {
  direct: number;
  staged: number;
  inserted: number;
  conflicts: number;
}

type Connection = Awaited<ReturnType<Db['connect']>>;

function copy(sco: Connection, text: string, data: Buffer): Promise<number[]> {
  const q = new PipelinedCopy(text, data);
  (sco.client as unknown as PgClient).query(q);
  return q.done;
}

// Temp tables live as long as their connection: remember which ones each pooled connection has.
const stagedOn = new WeakMap<object, Set<string>>();

async function ensureStaging(sco: Connection, t: PreparedTable): Promise<void> {
  let have = stagedOn.get(sco.client);
  if (!have) {
    have = new Set();
    stagedOn.set(sco.client, have);
  }
  if (!have.has(t.createStaging)) {
    await sco.none(t.createStaging);
    have.add(t.createStaging);
  }
}

/** COPY path: direct when possible, staged on conflicts; each is one round trip and one transaction. */
export async function writeCopy(
  db: Db,
  t: PreparedTable,
  records: readonly MarketRecord[],
  mode: WriteMode,
  direct: boolean,
  stats: WriteStats,
): Promise<void> {
  const sco = await db.connect();
  let broken = false;
  try {
    const data = Buffer.from(t.encode(records));
    if (direct && t.skipDirect === 0) {
      try {
        // a single COPY is its own transaction: all rows or none
        await copy(sco, t.copyDirect, data);
        t.penalty = 1;
        stats.direct += records.length;
        return;
      } catch (e) {
        if ((e as { code?: unknown }).code !== UNIQUE_VIOLATION) throw e;
        // some keys exist already (a replay, overlapping polls): stage the next batches for a while
        stats.conflicts++;
        t.skipDirect = t.penalty;
        t.penalty = Math.min(t.penalty * 2, MAX_PENALTY);
      }
    } else if (t.skipDirect > 0) {
      t.skipDirect--;
    }
    await ensureStaging(sco, t);
    const unique = mode === 'upsert' ? lastPerKey(records, t.spec.key) : records;
    // COPY into the temp table and INSERT … ON CONFLICT from it: one implicit transaction; the commit empties the temp table
    await copy(sco, t.stagedMove, unique === records ? data : Buffer.from(t.encode(unique)));
    stats.staged += records.length;
  } catch (e) {
    // an ErrorResponse leaves the connection usable; anything else (socket, shutdown) may not
    const c = classifyPgError(e);
    broken =
      c.context.sqlstate === undefined ||
      c.code === TimescaleErrors.CONNECTION.code ||
      c.code === TimescaleErrors.UNAVAILABLE.code;
    throw e;
  } finally {
    sco.done(broken);
  }
}

/** INSERT … unnest path: one statement, its own transaction. */
export async function writeInsert(
  db: Db,
  t: PreparedTable,
  records: readonly MarketRecord[],
  mode: WriteMode,
  stats: WriteStats,
): Promise<void> {
  const rows = mode === 'upsert' ? lastPerKey(records, t.spec.key) : records;
  const arrays = t.columns.names.map((name) =>
    rows.map((r) => (r as unknown as Record<string, unknown>)[name] ?? null),
  );
  await db.none(pq(t.insert, arrays));
  stats.inserted += records.length;
}
