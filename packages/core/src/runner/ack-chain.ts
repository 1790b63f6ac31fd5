import type { SourceBatch } from '../contracts/reader';
import { type QiError, qiError, toQiError } from '../errors';

export interface AckChain {
  /**
   * Adds the next batch in source order: its `ack` runs once it was delivered and every
   * batch added before it was acknowledged. The first batch not delivered ends the chain.
   */
  add(delivered: Promise<boolean>, batch: Pick<SourceBatch, 'ack'>): void;
  /** batches added and not yet acknowledged (or given up) */
  readonly size: number;
  /** Resolves once fewer than `maxInFlight` batches are outstanding, or `stopped()` holds. */
  room(stopped: () => boolean): Promise<void>;
  /** Resolves once every batch added so far was acknowledged or given up. */
  drain(): Promise<void>;
}

/**
 * In-order acknowledgement and the in-flight bound: a source position is committed only
 * after its batch and every batch before it were delivered (at least once), and at most
 * `maxInFlight` batches are read and not yet acknowledged.
 */
export function createAckChain(o: {
  maxInFlight: number;
  /** a source's ack threw: the pipeline stops */
  fail(error: QiError): void;
  /** the number of outstanding batches changed */
  onSize?(size: number): void;
}): AckChain {
  const inflight = new Set<Promise<unknown>>();
  let chain: Promise<boolean> = Promise.resolve(true);
  return {
    add(delivered, batch) {
      chain = chain.then(async (prevOk) => {
        if (!prevOk || !(await delivered)) return false;
        try {
          await batch.ack?.();
          return true;
        } catch (e) {
          o.fail(
            qiError(toQiError(e), `source could not commit its position: ${(e as Error).message}`, {
              cause: e,
            }),
          );
          return false;
        }
      });
      const tracked = chain.finally(() => {
        inflight.delete(tracked);
        o.onSize?.(inflight.size);
      });
      inflight.add(tracked);
      o.onSize?.(inflight.size);
    },
    get size() {
      return inflight.size;
    },
    async room(stopped) {
      while (inflight.size >= o.maxInFlight && !stopped()) await Promise.race(inflight);
    },
    async drain() {
      await chain;
      await Promise.allSettled(inflight);
    },
  };
}
