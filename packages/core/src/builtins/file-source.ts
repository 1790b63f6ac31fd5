import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { SourceBatch } from '../contracts/reader';
import { CoreErrors, qiError } from '../errors';
import { definePlugin, PLUGIN_API_VERSION } from '../plugin';
import { BaseReader } from '../workflow/base-reader';
import { parseJsonLossless } from './ndjson';

const configSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe('NDJSON file of DSL records (one record per line, any kind), relative to the config file'),
  batchSize: z.number().int().min(1).default(1000).describe('records per batch handed to the targets'),
});

/** Replays an NDJSON file of DSL records: backfills, tests, demos. Ends at the end of the file. */
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
    async function* stream({ signal }: { signal: AbortSignal }): AsyncIterable<SourceBatch> {
      const input = createReadStream(file, { encoding: 'utf8' });
      const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
      let batch: SourceBatch = { records: [], invalid: [] };
      let lineNo = 0;
      try {
        for await (const line of lines) {
          lineNo++;
          if (signal.aborted) break;
          if (!line.trim()) continue;
          try {
            batch.records.push(parseJsonLossless(line));
          } catch (e) {
            batch.invalid!.push({
              record: line,
              error: qiError(CoreErrors.DECODE, `${file}:${lineNo}: not JSON: ${(e as Error).message}`),
              context: { file, line: lineNo },
            });
          }
          if (batch.records.length + batch.invalid!.length >= config.batchSize) {
            yield { ...batch, position: { file, line: lineNo } };
            batch = { records: [], invalid: [] };
          }
        }
        if (batch.records.length + batch.invalid!.length > 0)
          yield { ...batch, position: { file, line: lineNo } };
      } finally {
        lines.close();
        input.destroy();
      }
    }
    return new BaseReader({
      name: ctx.name,
      logger: ctx.logger,
      handler: {
        stream,
        classifyError: (e) =>
          qiError(
            {
              code: 'QI_FILE',
              category: (e as { code?: string }).code === 'ENOENT' ? 'not-found' : 'internal',
              retryable: false,
            },
            `file source ${file}: ${(e as Error).message}`,
          ),
        close: async () => {},
      },
    });
  },
});
