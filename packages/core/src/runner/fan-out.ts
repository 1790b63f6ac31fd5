import type { Logger } from 'pino';
import type { PublishReport, Writer } from '../contracts/writer';
import { CoreErrors, type QiError, qiError, toQiError } from '../errors';
import type { PipelineHealth } from '../observability/health';
import { err, type Result } from '../result';
import { type DeadLetterSink, lettersFromRejected } from './dead-letters';
import type { KindFilter } from './kind-filter';
import { applyOnError, type OnError } from './on-error';
import type { PipelineStats } from './stats';

/** One target of a pipeline, as the fan-out delivers to it. */
export interface DeliveryTarget {
  name: string;
  writer: Writer;
  /** the batch is acknowledged only after this target took it */
  required: boolean;
  onError: OnError;
  /** the part of a batch this target is given (`targets[].kinds`) */
  only: KindFilter;
}

/**
 * Batches an optional (required: false) target may have outstanding. Nothing
 * waits for such a target, so while it is down its backlog would grow without
 * bound; past this many, batches go to its onError policy instead.
 */
export const optionalBacklog = (maxInFlight: number) => Math.max(16, 4 * maxInFlight);

export interface FanOut {
  /**
   * Gives a batch's records to every target in parallel; resolves once every required
   * target took them (written, or handled by its onError), throws when one fails the pipeline.
   */
  deliver(records: readonly unknown[]): Promise<void>;
  /** Resolves once no delivery to an optional target is under way (before closing). */
  drain(): Promise<void>;
}

export interface FanOutOptions {
  pipeline: string;
  targets: readonly DeliveryTarget[];
  maxInFlight: number;
  stats: PipelineStats;
  health: Pick<PipelineHealth, 'delivered' | 'targetFailed'>;
  deadLetter: DeadLetterSink;
  log: Logger;
  /** an optional target failed the pipeline; nothing awaits it, so it is reported here */
  fail(error: QiError): void;
}

export function createFanOut(o: FanOutOptions): FanOut {
  const backlog = optionalBacklog(o.maxInFlight);
  const behind = new Map<string, number>();
  const optional = new Set<Promise<void>>();

  const publish = async (t: DeliveryTarget, records: readonly unknown[]): Promise<Result<PublishReport>> => {
    if (t.required) return t.writer.publishBatch(records);
    const n = behind.get(t.name) ?? 0;
    if (n >= backlog)
      return err(
        qiError(
          CoreErrors.TARGET_BEHIND,
          `optional target ${t.name} has ${n} batches outstanding (down or too slow); not waiting for it`,
        ),
      );
    behind.set(t.name, n + 1);
    try {
      return await t.writer.publishBatch(records);
    } finally {
      behind.set(t.name, (behind.get(t.name) ?? 1) - 1);
    }
  };

  const deliverTo = async (t: DeliveryTarget, batch: readonly unknown[]): Promise<void> => {
    const records = t.only(batch);
    if (records.length === 0) return;
    o.stats.inFlightByTarget ??= {};
    const busy = o.stats.inFlightByTarget;
    busy[t.name] = (busy[t.name] ?? 0) + 1;
    const r = await publish(t, records).finally(() => {
      busy[t.name]! -= 1;
    });
    if (r.ok) {
      o.health.delivered(t.name);
      o.stats.written[t.name] = (o.stats.written[t.name] ?? 0) + r.value.written;
      await o.deadLetter(lettersFromRejected(o.pipeline, t.name, r.value.rejected));
      return;
    }
    o.stats.failed[t.name] = (o.stats.failed[t.name] ?? 0) + records.length;
    o.health.targetFailed(t.name, r.error);
    await applyOnError(t.onError, { pipeline: o.pipeline, target: t.name, records, error: r.error }, o);
  };

  return {
    async deliver(records) {
      const required: Promise<void>[] = [];
      for (const t of o.targets) {
        const done = deliverTo(t, records);
        if (t.required) required.push(done);
        else {
          // not awaited for the ack, but drained before closing: its outcome must not be lost
          const tracked = done.catch((e) => o.fail(toQiError(e))).finally(() => optional.delete(tracked));
          optional.add(tracked);
        }
      }
      await Promise.all(required);
    },
    async drain() {
      await Promise.allSettled(optional);
    },
  };
}
