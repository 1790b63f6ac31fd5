import { z } from 'zod';
import { qiError } from '../errors';
import { definePlugin, PLUGIN_API_VERSION } from '../plugin';
import { BaseWriter } from '../workflow/base-writer';
import { workflowOptions, writerWorkflowShape } from '../workflow/options';

const configSchema = z.strictObject({
  ...writerWorkflowShape,
  deadLetters: z.boolean().default(true).describe('also print dead letters (as {"dead_letter": …} lines)'),
});

/** Prints records as NDJSON on stdout: for demos, debugging and piping into jq. */
export const stdoutTarget = definePlugin({
  name: 'stdout',
  kind: 'target',
  apiVersion: `^${PLUGIN_API_VERSION}`,
  description: 'NDJSON records on standard output',
  configSchema,
  create(config, ctx) {
    // on a terminal, clear the line first: it may hold qi run's progress line (on stderr)
    const clear = process.stdout.isTTY ? '\r\x1b[2K' : '';
    const write = (lines: readonly unknown[]) =>
      new Promise<void>((resolve, reject) => {
        process.stdout.write(`${clear}${lines.map((l) => JSON.stringify(l)).join('\n')}\n`, (e) =>
          e ? reject(e) : resolve(),
        );
      });
    return new BaseWriter({
      ...workflowOptions(config, ctx),
      handler: {
        writeBatch: (_kind, records) => write(records),
        writeDeadLetters: config.deadLetters
          ? (letters) => write(letters.map((l) => ({ dead_letter: l })))
          : undefined,
        classifyError: (e) =>
          qiError(
            {
              code: 'QI_STDOUT',
              category: 'unavailable',
              retryable: (e as { code?: string }).code === 'EAGAIN',
            },
            `stdout: ${(e as Error).message}`,
          ),
        close: async () => {},
      },
    });
  },
});
