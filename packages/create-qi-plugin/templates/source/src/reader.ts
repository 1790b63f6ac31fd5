import path from 'node:path';
import { type PriceRecord, qiError, type ReaderHandler, type SourceBatch } from '@qi/core';
import { Feed } from './client';
import type { PluginConfig } from './config';
import { decodeRecord, handles, KINDS } from './encoding';
import { classifyError, PluginErrors } from './errors';

/**
 * The technology part of the source. @qi/core's BaseReader wraps it: it
 * validates every record against the DSL (invalid ones are dead-lettered with
 * the reason), retries point queries and runs the circuit breaker.
 */
export function createReaderHandler(config: PluginConfig, baseDir: string): ReaderHandler {
  const feed = new Feed(path.resolve(baseDir, config.path));
  const neverAborted = () => new AbortController().signal;

  // TODO: answer the point queries your technology supports; the others stay out (BaseReader says QI_NOT_SUPPORTED)
  async function getCurrentPrices(coinIds: readonly string[], vsCurrency: string): Promise<unknown[]> {
    const latest = new Map<string, PriceRecord>();
    for await (const { line } of feed.lines(neverAborted())) {
      const r = safeDecode(line) as PriceRecord | undefined;
      if (r?.kind !== 'price' || !coinIds.includes(r.coin_id) || (r.vs_currency ?? 'usd') !== vsCurrency)
        continue;
      const seen = latest.get(r.coin_id);
      if (!seen || String(seen.ts) < String(r.ts)) latest.set(r.coin_id, r);
    }
    return [...latest.values()];
  }

  return {
    init: () => feed.open(),

    // TODO: read from your technology. Yield batches; give each an `ack` that commits its
    // position (the runner calls it once every target has the batch). With `once`, end after
    // one poll cycle; otherwise keep polling until `signal` aborts.
    async *stream({ signal }) {
      let batch: Required<Pick<SourceBatch, 'records' | 'invalid'>> = { records: [], invalid: [] };
      let last = 0;
      for await (const { line, lineNo } of feed.lines(signal)) {
        last = lineNo;
        const value = safeDecode(line);
        const kind = (value as { kind?: unknown } | undefined)?.kind;
        if (value === undefined) {
          batch.invalid.push({
            record: line,
            error: qiError(PluginErrors.DATA, `line ${lineNo}: not JSON`),
            context: { line: lineNo },
          });
        } else if (typeof kind === 'string' && !handles(kind)) {
          const error = qiError(
            PluginErrors.NOT_SUPPORTED,
            `line ${lineNo}: __PLUGIN_NAME__ does not read ${kind} records (it reads ${KINDS.join(', ')})`,
          );
          batch.invalid.push({ record: value, error, context: { line: lineNo } });
        } else {
          batch.records.push(value);
        }
        if (batch.records.length + batch.invalid.length >= config.batchSize) {
          yield { ...batch, position: { line: lineNo } };
          batch = { records: [], invalid: [] };
        }
      }
      if (batch.records.length + batch.invalid.length > 0) yield { ...batch, position: { line: last } };
    },

    ...(handles('price') ? { getCurrentPrices } : {}),
    classifyError,
    close: () => feed.close(),
    health: async () => ({ file: feed.file }),
  };
}

function safeDecode(line: string): unknown {
  try {
    return decodeRecord(line);
  } catch {
    return undefined;
  }
}
