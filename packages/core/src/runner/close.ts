import type { Logger } from 'pino';
import type { Reader } from '../contracts/reader';
import type { Writer } from '../contracts/writer';
import type { QiError } from '../errors';
import type { Result } from '../result';

/**
 * Closes what a pipeline opened, each once: the targets (each flushes first), then the
 * dead-letter destination (the targets' last dead letters are in), then the source.
 * Returns the first failure; every one is logged.
 */
export async function closeAll(
  reader: Reader | undefined,
  writers: ReadonlyArray<{ name: string; writer: Writer }>,
  dlq: Writer | undefined,
  log: Logger,
): Promise<QiError | undefined> {
  let first: QiError | undefined;
  const note = (what: string, r: Result<void>) => {
    if (!r.ok) {
      log.error(
        { event: 'pipeline.close_failed', what, code: r.error.code, err: r.error.message },
        `${what} failed to close cleanly`,
      );
      first ??= r.error;
    }
  };
  await Promise.all(writers.map(async (w) => note(`target ${w.name}`, await w.writer.close())));
  if (dlq) note('dead-letter destination', await dlq.close());
  if (reader) note('source', await reader.close());
  return first;
}
