import type { DeadLetter, PublishReport, Writer } from '../../src/contracts/writer';
import type { QiError } from '../../src/errors';
import { createLogger } from '../../src/observability/logger';
import type { Result } from '../../src/result';

// Fixtures of the runner's unit tests (runner-*.test.ts): each part is driven on its own, no host.

/** A logger whose lines the test reads as objects. */
export function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    level: 'info',
    destination: { write: (l: string) => void lines.push(JSON.parse(l)) },
  });
  return { lines, log };
}

/** A dead-letter sink that keeps what it is given. */
export function letterBox() {
  const letters: DeadLetter[] = [];
  return { letters, sink: async (l: DeadLetter[]) => void letters.push(...l) };
}

/** A target whose n-th publish answers what `answer(n)` resolves to; `calls` counts the publishes. */
export function scriptedWriter(
  name: string,
  answer: (n: number, records: readonly unknown[]) => Promise<Result<PublishReport>> | Result<PublishReport>,
) {
  const calls: Array<readonly unknown[]> = [];
  const writer: Pick<Writer, 'name' | 'publishBatch'> = {
    name,
    publishBatch: async (records) => {
      calls.push(records);
      return answer(calls.length - 1, records);
    },
  };
  return { writer: writer as Writer, calls };
}

export const wrote = (records: readonly unknown[]): Result<PublishReport> => ({
  ok: true,
  value: { written: records.length, rejected: [] },
});

export const failed = (error: QiError): Result<PublishReport> => ({ ok: false, error });
