import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BaseReader,
  createHost,
  createLogger,
  createMetrics,
  type DeadLetter,
  definePlugin,
  err,
  ok,
  type PublishReport,
  type QiError,
  qiError,
  type Result,
  runPipeline,
  type SourceBatch,
  type Writer,
  z,
} from '../../src/index';
import { sampleRecords } from '../../src/testkit/index';

/** A promise the test settles, to decide when a target finishes a batch. */
export function gate<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets every pending promise continuation run (no timers involved). */
export const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

export const writeError = (message: string): QiError =>
  qiError({ code: 'T_DOWN', category: 'unavailable', retryable: true }, message);

/** What a scripted target answers for its n-th batch (0-based). */
export type Script = (
  n: number,
  records: readonly unknown[],
) => Result<PublishReport> | Promise<Result<PublishReport>>;

export const written = (records: readonly unknown[]): Result<PublishReport> =>
  ok({ written: records.length, rejected: [] });

/** A script whose n-th batch waits for `gates[n]` (when there is one), then answers like `then`. */
export const after =
  (gates: Array<{ promise: Promise<void> }>, then: Script = (_, r) => written(r)): Script =>
  async (n, records) => {
    await gates[n]?.promise;
    return then(n, records);
  };

export interface Harness {
  /** acks of the source, by batch index, in the order they were made */
  acks: number[];
  /** batches each target was given, by target id */
  calls: Record<string, number[]>;
  letters: DeadLetter[];
  logs: Array<Record<string, unknown>>;
  run: () => ReturnType<typeof runPipeline>;
}

/**
 * A pipeline built by the real host from a real config file, with a scripted source
 * (`batches` batches of `size` price records, acks recorded) and scripted targets.
 */
export async function harness(opts: {
  batches: number;
  size?: number;
  targets: string;
  deadLetter?: string;
  maxInFlight?: number;
  scripts: Record<string, Script>;
  failDeadLetters?: boolean;
}): Promise<Harness> {
  const h: Harness = { acks: [], calls: {}, letters: [], logs: [], run: undefined as never };
  const size = opts.size ?? 3;
  const source = definePlugin({
    name: 'scripted-source',
    kind: 'source',
    apiVersion: '^1.0.0',
    configSchema: z.strictObject({}),
    create: () =>
      new BaseReader({
        name: 'scripted-source',
        handler: {
          async *stream() {
            for (let b = 0; b < opts.batches; b++) {
              const batch: SourceBatch = {
                records: sampleRecords('price', size, b * size),
                ack: async () => void h.acks.push(b),
              };
              yield batch;
            }
          },
          classifyError: (e) => qiError({ code: 'SRC', category: 'internal', retryable: false }, String(e)),
          async close() {},
        },
      }),
  });
  const target = definePlugin({
    name: 'scripted',
    kind: 'target',
    apiVersion: '^1.0.0',
    configSchema: z.strictObject({ id: z.string() }),
    create: ({ id }) => {
      const calls: number[] = [];
      h.calls[id] = calls;
      const script = opts.scripts[id]!;
      const w: Partial<Writer> = {
        name: id,
        async publishBatch(records) {
          const n = calls.length;
          calls.push(n);
          return script(n, records);
        },
        async publishDeadLetters(letters) {
          if (opts.failDeadLetters) return err(writeError('dead-letter store is down'));
          h.letters.push(...letters);
          return ok(undefined);
        },
        flush: async () => ok(undefined),
        close: async () => ok(undefined),
      };
      return w as Writer;
    },
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qi-runner-'));
  writeFileSync(
    path.join(dir, 'qi.config.yaml'),
    [
      'pipelines:',
      '  p:',
      `    maxInFlight: ${opts.maxInFlight ?? 4}`,
      '    source: { use: scripted-source }',
      `    targets: ${opts.targets}`,
      `    deadLetter: ${opts.deadLetter ?? '{ use: scripted, with: { id: dlq } }'}`,
      '',
    ].join('\n'),
  );
  const prepared = await createHost({ plugins: [source, target] }).prepare({ cwd: dir });
  if (!prepared.ok) throw prepared.error;
  opts.scripts.dlq ??= (_, r) => written(r);
  const logger = createLogger({
    level: 'info',
    destination: { write: (s: string) => void h.logs.push(JSON.parse(s)) },
  });
  h.run = async () => {
    try {
      return await runPipeline(prepared.value.pipelines[0]!, {
        signal: new AbortController().signal,
        once: true,
        logger,
        metrics: createMetrics(),
        baseDir: dir,
        dataDir: path.join(dir, '.qi'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return h;
}
