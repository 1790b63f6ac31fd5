import type { DeadLetter, WriterHandler } from '../contracts/writer';
import type { MarketRecord, RecordKind } from '../dsl/records';
import { naturalKey } from '../dsl/validate';
import { qiError } from '../errors';

/**
 * An in-memory destination for tests: upserts by natural key like a real
 * idempotent target, and can be told to fail (retryable or not) on demand.
 */
export function createMemoryHandler(
  opts: { failTimes?: number; retryable?: boolean; rejectIf?: (r: MarketRecord) => string | undefined } = {},
) {
  const rows = new Map<string, MarketRecord>();
  const deadLetters: DeadLetter[] = [];
  let failuresLeft = opts.failTimes ?? 0;
  const calls: Array<{ kind: RecordKind; size: number }> = [];
  const handler: WriterHandler = {
    async writeBatch(kind, records) {
      calls.push({ kind, size: records.length });
      if (failuresLeft > 0) {
        failuresLeft--;
        throw Object.assign(new Error('simulated outage'), { simulated: true });
      }
      for (const r of records) {
        const reason = opts.rejectIf?.(r);
        if (reason) throw Object.assign(new Error(reason), { data: true });
      }
      for (const r of records) rows.set(`${r.kind}|${naturalKey(r)}`, r);
    },
    classifyError(e) {
      const data = (e as { data?: boolean }).data;
      return qiError(
        data
          ? { code: 'MEM_DATA', category: 'data', retryable: false }
          : { code: 'MEM_OUTAGE', category: 'unavailable', retryable: opts.retryable ?? true },
        (e as Error).message,
      );
    },
    async writeDeadLetters(letters) {
      deadLetters.push(...letters);
    },
    async close() {},
  };
  return {
    handler,
    rows,
    deadLetters,
    calls,
    setFailures: (n: number) => {
      failuresLeft = n;
    },
  };
}
