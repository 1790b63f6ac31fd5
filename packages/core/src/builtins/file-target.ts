import path from 'node:path';
import { z } from 'zod';
import { CoreErrors, qiError } from '../errors';
import { definePlugin, PLUGIN_API_VERSION } from '../plugin';
import { BaseWriter } from '../workflow/base-writer';
import { workflowOptions, writerWorkflowShape } from '../workflow/options';
import { NdjsonFile } from './ndjson';

const configSchema = z.strictObject({
  ...writerWorkflowShape,
  path: z.string().min(1).describe('NDJSON file to append to, relative to the config file'),
  fsync: z
    .boolean()
    .default(true)
    .describe('fsync after every batch, so an acknowledged batch survives a crash'),
});

/** Appends records (or dead letters) to an NDJSON file. Not idempotent: a replay appends again. */
export const fileTarget = definePlugin({
  name: 'file',
  kind: 'target',
  apiVersion: `^${PLUGIN_API_VERSION}`,
  description: 'append records as NDJSON to a file',
  configSchema,
  create(config, ctx) {
    const file = new NdjsonFile(path.resolve(ctx.baseDir, config.path));
    const append = async (values: readonly unknown[]) => {
      await file.append(values);
      if (config.fsync) await file.sync();
    };
    return new BaseWriter({
      ...workflowOptions(config, ctx),
      handler: {
        writeBatch: (_kind, records) => append(records),
        writeDeadLetters: (letters) => append(letters),
        classifyError: (e) => {
          const code = (e as { code?: string }).code ?? '';
          const retryable = ['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'ENOSPC'].includes(code);
          return qiError(
            { ...CoreErrors.FILE, category: retryable ? 'unavailable' : 'config', retryable },
            `file ${file.file}: ${(e as Error).message}`,
            { context: { errno: code } },
          );
        },
        flush: () => file.sync(),
        close: () => file.close(),
        health: async () => ({ file: file.file }),
      },
    });
  },
});
