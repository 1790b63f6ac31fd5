import { CoreErrors, qiError } from '@qi/core';
import { type Db, pgp, pq } from './client';
import { rowToRecord } from './encoding';

/**
 * Read-only queries over the written tables, shared with the MCP package
 * (query_latest_prices, query_ohlcv). Parameters are bound, the table name is
 * the writer's own quoted identifier, results are capped by `limit`.
 */
export const MAX_QUERY_ROWS = 10_000;
export const DEFAULT_QUERY_ROWS = 100;

export interface LatestPricesQuery {
  /** coin ids, e.g. ["bitcoin"]; all coins when absent */
  coinIds?: string[];
  vsCurrency?: string;
  exchange?: string;
  /** only prices at or after this instant (ISO-8601); bounds the scan on big tables */
  since?: string;
  limit?: number;
}

export interface OhlcvQuery {
  coinId: string;
  interval?: string;
  vsCurrency?: string;
  exchange?: string;
  /** candles with ts >= from (ISO-8601) */
  from?: string;
  /** candles with ts < to (ISO-8601) */
  to?: string;
  limit?: number;
}

function rowLimit(limit: number | undefined): number {
  const n = limit ?? DEFAULT_QUERY_ROWS;
  if (!Number.isInteger(n) || n < 1 || n > MAX_QUERY_ROWS) {
    throw qiError(
      CoreErrors.VALIDATION,
      `limit: expected an integer from 1 to ${MAX_QUERY_ROWS}, received ${JSON.stringify(limit)}`,
    );
  }
  return n;
}

const readOnly = new pgp.txMode.TransactionMode({ readOnly: true });

async function readRows(db: Db, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  const rows = await db.tx({ mode: readOnly }, (t) => t.any<Record<string, unknown>>(pq(text, values)));
  return rows.map(rowToRecord);
}

/** The newest price of each (coin, exchange, currency), newest first. `table` is a quoted, qualified name. */
export async function queryLatestPrices(
  db: Db,
  table: string,
  q: LatestPricesQuery = {},
): Promise<Record<string, unknown>[]> {
  const limit = rowLimit(q.limit);
  const text = `SELECT * FROM (
  SELECT DISTINCT ON (coin_id, exchange, vs_currency) * FROM ${table}
  WHERE ($1::text[] IS NULL OR coin_id = ANY($1::text[])) AND ($2::text IS NULL OR vs_currency = $2) AND ($3::text IS NULL OR exchange = $3)
    AND ($4::timestamptz IS NULL OR ts >= $4)
  ORDER BY coin_id, exchange, vs_currency, ts DESC
) latest ORDER BY ts DESC, coin_id LIMIT $5`;
  return readRows(db, text, [
    q.coinIds ?? null,
    q.vsCurrency ?? null,
    q.exchange ?? null,
    q.since ?? null,
    limit,
  ]);
}

/** The latest `limit` candles of a coin in the window, oldest first (chart order). */
export async function queryOhlcv(db: Db, table: string, q: OhlcvQuery): Promise<Record<string, unknown>[]> {
  const limit = rowLimit(q.limit);
  const text = `SELECT * FROM ${table}
WHERE coin_id = $1 AND ($2::text IS NULL OR "interval" = $2) AND ($3::text IS NULL OR vs_currency = $3) AND ($4::text IS NULL OR exchange = $4)
  AND ($5::timestamptz IS NULL OR ts >= $5) AND ($6::timestamptz IS NULL OR ts < $6)
ORDER BY ts DESC LIMIT $7`;
  const rows = await readRows(db, text, [
    q.coinId,
    q.interval ?? null,
    q.vsCurrency ?? null,
    q.exchange ?? null,
    q.from ?? null,
    q.to ?? null,
    limit,
  ]);
  return rows.reverse();
}
