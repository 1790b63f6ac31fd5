import { CoreErrors, err, ok, qiError, type Writer } from '@qi/core';
import { defineMcpTool, type McpTool } from '@qi/mcp';
import {
  classifyPgError,
  DEFAULT_QUERY_ROWS,
  MAX_QUERY_ROWS,
  type TimescaleWriter,
} from '@qi/target-timescale';
import { z } from 'zod';

const instant = (what: string) =>
  z.iso
    .datetime({ offset: true })
    .optional()
    .describe(`${what} (ISO-8601 with a zone, e.g. "2025-01-31T00:00:00Z")`);
const limit = z
  .number()
  .int()
  .min(1)
  .max(MAX_QUERY_ROWS)
  .default(DEFAULT_QUERY_ROWS)
  .describe(`most rows to return (1 to ${MAX_QUERY_ROWS}, default ${DEFAULT_QUERY_ROWS})`);
// row values as the writer encodes them: decimals and instants as strings, counts as numbers
const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const asRows = (rows: Array<Record<string, unknown>>) => rows as Array<Record<string, z.infer<typeof cell>>>;
const rowsOutput = (what: string) => ({
  count: z.number().int().describe('rows returned'),
  limited: z.boolean().describe('true when the row limit was reached: narrow the query or raise limit'),
  rows: z
    .array(z.record(z.string(), cell))
    .describe(`${what}: DSL fields (snake_case), decimals as exact strings, ts as ISO-8601 UTC`),
});

function asTimescale(writer: Writer): TimescaleWriter {
  const w = writer as Partial<TimescaleWriter>;
  if (typeof w.latestPrices !== 'function' || typeof w.ohlcv !== 'function')
    throw qiError(
      CoreErrors.CONFIG,
      `the Timescale query tools need an @qi/target-timescale writer, got ${writer.name}`,
    );
  return writer as TimescaleWriter;
}

const failure = (e: unknown) =>
  err(
    (e as { code?: unknown }).code && (e as { category?: unknown }).category
      ? (e as never)
      : classifyPgError(e),
  );

/** Read-only query tools over the writer's own pool and tables (bound parameters, a row limit, a read-only transaction). */
export function timescaleQueryTools(writer: Writer): McpTool[] {
  const ts = asTimescale(writer);
  return [
    defineMcpTool({
      name: 'query_latest_prices',
      title: 'Latest prices',
      description:
        'Read-only. The newest stored price of each (coin_id, exchange, vs_currency), newest first. Filter by coin ids, quote currency, exchange and a lower time bound; results are capped by limit. Use it to check what was written or to answer "what is the latest price of X".',
      input: {
        coin_ids: z
          .array(z.string().min(1).max(512))
          .min(1)
          .max(1000)
          .optional()
          .describe('provider coin ids, e.g. ["bitcoin", "ethereum"]; all coins when absent'),
        vs_currency: z.string().min(1).max(512).optional().describe('quote currency, e.g. "usd"'),
        exchange: z.string().min(1).max(512).optional().describe('exchange id, or "aggregate"'),
        since: instant('only prices at or after this instant'),
        limit,
      },
      output: rowsOutput('price records'),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      async run(a) {
        try {
          const rows = await ts.latestPrices({
            ...(a.coin_ids ? { coinIds: a.coin_ids } : {}),
            ...(a.vs_currency ? { vsCurrency: a.vs_currency } : {}),
            ...(a.exchange ? { exchange: a.exchange } : {}),
            ...(a.since ? { since: a.since } : {}),
            limit: a.limit,
          });
          return ok({ count: rows.length, limited: rows.length === a.limit, rows: asRows(rows) });
        } catch (e) {
          return failure(e);
        }
      },
      summarize: (v) =>
        `${v.count} price(s)${v.limited ? ' (limit reached)' : ''}\n${JSON.stringify(v.rows)}`,
    }),
    defineMcpTool({
      name: 'query_ohlcv',
      title: 'OHLCV candles',
      description:
        'Read-only. The latest candles of one coin within an optional time window [from, to), returned oldest first (chart order), capped by limit. Filter by interval (e.g. "1d"), quote currency and exchange.',
      input: {
        coin_id: z.string().min(1).max(512).describe('provider coin id, e.g. "bitcoin"'),
        interval: z
          .string()
          .min(1)
          .max(512)
          .optional()
          .describe('candle length, e.g. "30m", "4h", "1d"; all when absent'),
        vs_currency: z.string().min(1).max(512).optional().describe('quote currency, e.g. "usd"'),
        exchange: z.string().min(1).max(512).optional().describe('exchange id, or "aggregate"'),
        from: instant('candles with ts at or after this instant'),
        to: instant('candles with ts before this instant'),
        limit,
      },
      output: rowsOutput('ohlcv records'),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      async run(a) {
        try {
          const rows = await ts.ohlcv({
            coinId: a.coin_id,
            ...(a.interval ? { interval: a.interval } : {}),
            ...(a.vs_currency ? { vsCurrency: a.vs_currency } : {}),
            ...(a.exchange ? { exchange: a.exchange } : {}),
            ...(a.from ? { from: a.from } : {}),
            ...(a.to ? { to: a.to } : {}),
            limit: a.limit,
          });
          return ok({ count: rows.length, limited: rows.length === a.limit, rows: asRows(rows) });
        } catch (e) {
          return failure(e);
        }
      },
      summarize: (v) =>
        `${v.count} candle(s)${v.limited ? ' (limit reached)' : ''}\n${JSON.stringify(v.rows)}`,
    }),
  ] as McpTool[];
}
