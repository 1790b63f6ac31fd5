import { type Clock, realClock } from '@qi/core';
import type { TopicPartitions } from '@qi/streaming';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface AssignmentChange {
  gained: TopicPartition[];
  lost: TopicPartition[];
  kept: TopicPartition[];
}

export const tpKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/** Topic-partitions grouped per topic, as pause/resume take them. */
export function byTopic(tps: readonly TopicPartition[]): TopicPartitions[] {
  const m = new Map<string, number[]>();
  for (const tp of tps) {
    const list = m.get(tp.topic);
    if (list) list.push(tp.partition);
    else m.set(tp.topic, [tp.partition]);
  }
  return [...m].map(([topic, partitions]) => ({ topic, partitions }));
}

/**
 * Which partitions this group member owns, and since when. Each stretch of
 * continuous ownership of a partition has its own epoch: a batch commits only
 * while the partition is still in the epoch it was read in, so an offset is
 * never committed for a partition that moved away (even if it came back since).
 * Between "rebalance started" and the next assignment ownership is unknown.
 */
export class Ownership {
  private readonly owned = new Map<string, TopicPartition & { epoch: number }>();
  private epochs = 0;
  private waiters = new Set<() => void>();
  rebalancing = false;
  /** an assignment arrived at least once */
  assigned = false;

  constructor(private readonly clock: Clock = realClock) {}

  revoking(): void {
    this.rebalancing = true;
  }

  /** The new assignment (the whole of it): what was gained, lost and kept. */
  assign(list: readonly TopicPartitions[]): AssignmentChange {
    const next = new Map<string, TopicPartition>();
    for (const t of list)
      for (const p of t.partitions ?? []) next.set(tpKey(t.topic, p), { topic: t.topic, partition: p });
    const change: AssignmentChange = { gained: [], lost: [], kept: [] };
    for (const [k, tp] of this.owned) {
      if (!next.has(k)) {
        change.lost.push({ topic: tp.topic, partition: tp.partition });
        this.owned.delete(k);
      }
    }
    for (const [k, tp] of next) {
      if (this.owned.has(k)) change.kept.push(tp);
      else {
        change.gained.push(tp);
        this.owned.set(k, { ...tp, epoch: ++this.epochs });
      }
    }
    this.assigned = true;
    this.settle();
    return change;
  }

  /** Ownership is known again (an assignment came, or the wait for one gave up). */
  settle(): void {
    this.rebalancing = false;
    for (const w of this.waiters) w();
  }

  owns(key: string, epoch?: number): boolean {
    const o = this.owned.get(key);
    return o !== undefined && (epoch === undefined || o.epoch === epoch);
  }

  epochOf(key: string): number | undefined {
    return this.owned.get(key)?.epoch;
  }

  list(): TopicPartition[] {
    return [...this.owned.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  get size(): number {
    return this.owned.size;
  }

  /** Resolves true once no rebalance is in progress, false after `timeoutMs` or an abort. */
  waitStable(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (!this.rebalancing) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = new AbortController();
      const finish = (v: boolean) => {
        timer.abort();
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(onStable);
        resolve(v);
      };
      const onStable = () => finish(true);
      const onAbort = () => finish(false);
      this.clock.sleep(timeoutMs, timer.signal).then(
        () => finish(!this.rebalancing),
        () => {},
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(onStable);
    });
  }
}
