/** The least a held message is counted as: its object, header map and metadata outweigh a tiny payload. */
const OVERHEAD_BYTES = 256;

interface Sized {
  key?: Buffer | null | undefined;
  value?: Buffer | null | undefined;
}

/** Approximate heap cost of one fetched message (payloads plus a fixed overhead). */
export const sizeOf = (m: Sized): number => OVERHEAD_BYTES + (m.key?.length ?? 0) + (m.value?.length ?? 0);

export interface HeldLimits {
  messages: number;
  bytes: number;
}

/**
 * Messages fetched for partitions the caller paused, kept per partition until
 * a resume. Bounded by count and bytes: once `full`, the consumer stops
 * reading its stream (and so the library stops fetching) until something is
 * released — by a resume, a seek, or the partition moving to another member.
 */
export class HeldMessages<M extends Sized> {
  private readonly byKey = new Map<string, M[]>();
  count = 0;
  bytes = 0;

  constructor(private readonly limits: HeldLimits) {}

  get full(): boolean {
    return this.count >= this.limits.messages || this.bytes >= this.limits.bytes;
  }

  add(key: string, m: M): void {
    const list = this.byKey.get(key);
    if (list) list.push(m);
    else this.byKey.set(key, [m]);
    this.count++;
    this.bytes += sizeOf(m);
  }

  /** Removes and returns the held messages of every partition `keep` does not hold back. */
  *release(keep: (key: string) => boolean): Generator<[string, M[]]> {
    for (const [k, list] of this.byKey) {
      if (keep(k)) continue;
      this.drop(k);
      yield [k, list];
    }
  }

  /** Forgets one partition's messages (a seek, or the partition moved away); true if any were held. */
  drop(key: string): boolean {
    const list = this.byKey.get(key);
    if (!list) return false;
    this.byKey.delete(key);
    this.count -= list.length;
    for (const m of list) this.bytes -= sizeOf(m);
    return true;
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }
}
