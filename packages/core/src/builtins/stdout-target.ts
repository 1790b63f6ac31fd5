import { z } from 'zod';
import { CoreErrors, qiError } from '../errors';
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
    // the reading side may go away (`qi run | head`): without a listener the socket's 'error'
    // event would crash the process; instead the next write fails with QI_STDOUT_CLOSED
    let closed: Error | undefined;
    const onError = (e: Error) => {
      closed ??= e;
    };
    process.stdout.on('error', onError);
    const write = (lines: readonly unknown[]) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return reject(closed);
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
        classifyError: (e) => {
          const code = (e as { code?: string }).code;
          if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED')
            return qiError(
              CoreErrors.STDOUT_CLOSED,
              'stdout was closed by the program reading it (e.g. `qi run | head`); records after that were not printed',
            );
          return qiError(
            { ...CoreErrors.STDOUT, retryable: code === 'EAGAIN' },
            `stdout: ${(e as Error).message}`,
          );
        },
        close: async () => {
          process.stdout.off('error', onError);
        },
      },
    });
  },
});
