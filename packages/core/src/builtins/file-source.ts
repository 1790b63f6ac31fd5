import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { SourceBatch } from '../contracts/reader';
import { parseJsonLossless } from '../dsl/lossless-json';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from '../dsl/time-window';
import { CoreErrors, qiError } from '../errors';
import { definePlugin, PLUGIN_API_VERSION } from '../plugin';
import { BaseReader } from '../workflow/base-reader';
import { readLines } from './line-reader';

const MiB = 1024 * 1024;

const configSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe('NDJSON file of DSL records (one record per line, any kind), relative to the config file'),
  batchSize: z.number().int().min(1).default(1000).describe('records per batch handed to the targets'),
  maxBatchBytes: z
    .number()
    .int()
    .min(1)
    .default(4 * MiB)
    .describe('a batch is handed over once its lines reach this many bytes, whatever batchSize says'),
  maxLineBytes: z
    .number()
    .int()
    .min(1)
    .default(MiB)
    .describe('longer lines are dead-lettered with their size and line number, never read into memory'),
  maxFutureSkewMs: z
    .number()
    .int()
    .min(0)
    .default(DEFAULT_MAX_FUTURE_SKEW_MS)
    .describe('timestamps more than this far ahead of the clock are invalid, ms'),
});

/** Replays an NDJSON file of DSL records: backfills, dead-letter replays, tests. Ends at the end of the file. */
export const fileSource = definePlugin({
  name: 'file',
  kind: 'source',
  apiVersion: `^${PLUGIN_API_VERSION}`,
  description: 'replay NDJSON DSL records from a file',
  configSchema,
  async check(config, ctx) {
    const file = path.resolve(ctx.baseDir, config.path);
    const what = `input file ${file}`;
    const problem = await stat(file)
      .then(async (s) => {
        if (!s.isFile()) return `${file} is not a file`;
        await access(file, constants.R_OK);
        return undefined;
      })
      .catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? `${file} does not exist` : e.message));
    return [problem === undefined ? { what } : { what, field: 'path', problem }];
  },
  create(config, ctx) {
    const file = path.resolve(ctx.baseDir, config.path);
    const blankLines = ctx.metrics?.sourceBlankLines;
    const labels = { pipeline: ctx.pipeline, source: ctx.name };
    async function* stream({ signal }: { signal: AbortSignal }): AsyncIterable<SourceBatch> {
      const input = createReadStream(file, { highWaterMark: 64 * 1024 });
      const counts = { lines: 0, blank: 0, oversized: 0, notJson: 0 };
      type Batch = Required<Pick<SourceBatch, 'records' | 'invalid' | 'contexts'>>;
      const empty = (): Batch => ({ records: [], invalid: [], contexts: [] });
      let batch = empty();
      let bytes = 0;
      let last = 0;
      try {
        for await (const line of readLines(input, config.maxLineBytes)) {
          if (signal.aborted) break;
          counts.lines++;
          last = line.no;
          const where = { file, line: line.no };
          // editors on Windows start UTF-8 files with a byte order mark: not part of the JSON
          if (line.no === 1 && line.text?.charCodeAt(0) === 0xfeff) line.text = line.text.slice(1);
          if (line.text === undefined) {
            counts.oversized++;
            batch.invalid.push({
              record: { ...where, bytes: line.bytes },
              error: qiError(
                CoreErrors.DECODE,
                `${file}:${line.no}: line of ${line.bytes} bytes is longer than maxLineBytes (${config.maxLineBytes}); its content is not kept`,
                { context: { bytes: line.bytes, maxLineBytes: config.maxLineBytes } },
              ),
              context: where,
            });
          } else if (!line.text.trim()) {
            counts.blank++;
            blankLines?.inc(labels);
            continue;
          } else {
            bytes += line.bytes;
            try {
              batch.records.push(parseJsonLossless(line.text));
              batch.contexts.push(where); // a record that fails validation is dead-lettered with its line
            } catch (e) {
              counts.notJson++;
              batch.invalid.push({
                record: line.text,
                error: qiError(CoreErrors.DECODE, `${file}:${line.no}: not JSON: ${(e as Error).message}`),
                context: where,
              });
            }
          }
          if (
            batch.records.length + batch.invalid.length >= config.batchSize ||
            bytes >= config.maxBatchBytes
          ) {
            yield { ...batch, position: { file, line: line.no } };
            batch = empty();
            bytes = 0;
          }
        }
        if (batch.records.length + batch.invalid.length > 0)
          yield { ...batch, position: { file, line: last } };
        ctx.logger.info(
          { event: 'file.done', file, ...counts },
          `${file}: ${counts.lines} lines read (${counts.blank} blank, ${counts.oversized} over maxLineBytes, ${counts.notJson} not JSON)`,
        );
      } finally {
        input.destroy();
      }
    }
    return new BaseReader({
      name: ctx.name,
      logger: ctx.logger,
      maxFutureSkewMs: config.maxFutureSkewMs,
      handler: {
        stream,
        classifyError: (e) =>
          qiError(
            {
              ...CoreErrors.FILE,
              category: (e as { code?: string }).code === 'ENOENT' ? 'not-found' : 'internal',
            },
            `file source ${file}: ${(e as Error).message}`,
          ),
        close: async () => {},
      },
    });
  },
});
