import { err, ok, type PublishReport, type RecordKind, type Result, type Writer } from '@qi/core';
import { z } from 'zod';
import { perRecordResults, summarizePublish } from './results';
import { publishOutput, recordsArg, reportArg } from './schemas';
import { defineMcpTool, type McpTool } from './tool';

/** Tool names, shared by the server and the writer that calls it. */
export const PUBLISH_TOOLS = {
  price: 'publish_prices',
  ohlcv: 'publish_ohlcv',
  analytics: 'publish_analytics',
  level1: 'publish_level1',
  batch: 'publish_batch',
} as const satisfies Record<RecordKind | 'batch', string>;

const WHAT: Record<RecordKind, string> = {
  price: 'current prices of coins (price, market cap, 24h volume and change) as of a timestamp',
  ohlcv: 'OHLC(V) candles: open/high/low/close (and volume) of a coin over an interval starting at ts',
  analytics: 'global crypto market figures: total market cap and volume, BTC/ETH dominance',
  level1: 'top-of-book quotes: best bid/ask (and sizes), last trade, on one exchange for a base/quote pair',
};

// the Writer's batch method per tool: each keeps core's per-kind validation (a record
// of another kind is rejected, not re-routed) and reports rejections by input index
const PUBLISH: Record<
  RecordKind | 'batch',
  (w: Writer, records: unknown[]) => Promise<Result<PublishReport>>
> = {
  price: (w, records) => w.publishPrices(records as never),
  ohlcv: (w, records) => w.publishOHLCVBatch(records as never),
  analytics: (w, records) => w.publishAnalyticsBatch(records as never),
  level1: (w, records) => w.publishLevel1Batch(records as never),
  batch: (w, records) => w.publishBatch(records),
};

const IDEMPOTENT =
  'Idempotent: records are keyed by their natural key, so sending the same record again does not duplicate it.';

export interface WriterToolsOptions {
  /** the destination, for descriptions, e.g. "TimescaleDB table prices" or "Kafka topic qi.prices" */
  destination: string;
  scrub?: (s: string) => string;
  health?: () => Promise<Record<string, unknown>>;
}

/** publish_* / flush / health over any Qi Writer. */
export function writerTools(writer: Writer, opts: WriterToolsOptions): McpTool[] {
  const scrub = opts.scrub ?? ((s: string) => s);
  const publishTool = (kind: RecordKind | 'batch') =>
    defineMcpTool({
      name: PUBLISH_TOOLS[kind],
      title: kind === 'batch' ? 'Publish mixed records' : `Publish ${kind} records`,
      description: [
        kind === 'batch'
          ? `Writes records of any kinds in one call to ${opts.destination}; each record's "kind" field (price, ohlcv, analytics, level1) says what it is.`
          : `Writes ${WHAT[kind]} to ${opts.destination}.`,
        'Returns when every valid record is durably written. Each record is validated on its own: an invalid record is reported in results (status "rejected" with code and reason naming the field) and the others are still written.',
        'Every record needs "source" (e.g. "coingecko") and "attribution" (the provider\'s attribution text). Send decimals as strings to keep every digit: a JSON number is exact only within double precision. Prices, volumes and market caps must be >= 0; timestamps on or after 2009-01-01 and at most 5 minutes in the future.',
        IDEMPOTENT,
        'On isError, structuredContent.error.retryable says whether the same call may succeed later.',
      ].join(' '),
      input: { records: recordsArg(kind), report: reportArg },
      output: publishOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      async run({ records, report }) {
        const list = records as unknown[];
        const r = await PUBLISH[kind](writer, list);
        if (!r.ok) return r;
        return ok(perRecordResults(kind, list, r.value, scrub, report));
      },
      summarize: (out) => summarizePublish(out as never),
    });
  return [
    publishTool('price'),
    publishTool('ohlcv'),
    publishTool('analytics'),
    publishTool('level1'),
    publishTool('batch'),
    defineMcpTool({
      name: 'flush',
      title: 'Flush',
      description: `Waits until everything accepted so far is durably written to ${opts.destination}. Publish calls already wait for their own records, so this is only needed to be sure about records other clients sent.`,
      input: {},
      output: { flushed: z.boolean() },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      async run() {
        const r = await writer.flush();
        return r.ok ? ok({ flushed: true }) : err(r.error);
      },
      summarize: () => 'flushed',
    }),
    defineMcpTool({
      name: 'health',
      title: 'Health',
      description: `Reports whether the writer to ${opts.destination} is healthy: connection state and circuit breaker (closed = healthy, open = the destination keeps failing and writes are refused for a while).`,
      input: {},
      output: {
        healthy: z.boolean().describe('true when writes are expected to succeed'),
        details: z
          .object({
            breaker: z
              .enum(['closed', 'half-open', 'open'])
              .optional()
              .describe("the writer's circuit breaker"),
            error: z.string().optional().describe('why the destination is unhealthy, when it is'),
          })
          .catchall(z.json())
          .describe('breaker state, connection details (per destination, JSON values)'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
      async run() {
        const h = await writer.health();
        const extra = opts.health ? await opts.health().catch((e) => ({ error: scrub(String(e)) })) : {};
        return ok({ healthy: h.ok, details: JSON.parse(scrub(JSON.stringify({ ...h.details, ...extra }))) });
      },
      summarize: (v) => `${v.healthy ? 'healthy' : 'UNHEALTHY'} ${JSON.stringify(v.details)}`,
    }),
  ] as McpTool[];
}
