import {
  type AnalyticsRecord,
  type Level1Query,
  type Level1Record,
  type MarketRecord,
  type OhlcvQuery,
  type OhlcvRecord,
  type PriceRecord,
  RECORD_SPECS,
  type RecordSpecs,
} from '@qi/core';

/**
 * The latest record this consumer has seen per instrument (natural key without
 * time), for point queries. Bounded: past `maxKeys` the instrument updated
 * longest ago is forgotten. Only what this member consumed is here: in a group
 * of N processes each knows its own partitions' instruments.
 */
export class LatestCache {
  private readonly entries = new Map<string, MarketRecord>();
  private readonly keyFns = new Map<string, (r: MarketRecord) => string>();

  constructor(
    private readonly maxKeys: number,
    private readonly specs: RecordSpecs = RECORD_SPECS,
  ) {}

  put(records: readonly MarketRecord[]): void {
    for (const r of records) {
      const key = this.keyOf(r);
      const prev = this.entries.get(key);
      // canonical ISO-8601 UTC strings order like the instants they name
      if (prev && timeOf(prev, this.specs) > timeOf(r, this.specs)) continue;
      if (prev) this.entries.delete(key);
      this.entries.set(key, r);
      if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    }
  }

  /** kind + natural key without time: like core's instrumentKey, without its per-record arrays (this runs for every record). */
  private keyOf(r: MarketRecord): string {
    let f = this.keyFns.get(r.kind);
    if (!f) {
      const spec = this.specs[r.kind];
      const fields = spec.key.filter((k) => k !== spec.time);
      f = (x) => {
        const o = x as unknown as Record<string, unknown>;
        let k: string = x.kind;
        for (const name of fields) k += `\u0000${String(o[name] ?? '')}`;
        return k;
      };
      this.keyFns.set(r.kind, f);
    }
    return f(r);
  }

  get size(): number {
    return this.entries.size;
  }

  prices(coinIds: readonly string[], vsCurrency: string): PriceRecord[] {
    const ids = new Set(coinIds);
    return this.of<PriceRecord>('price', (r) => ids.has(r.coin_id) && r.vs_currency === vsCurrency);
  }

  ohlcv(q: OhlcvQuery): OhlcvRecord[] {
    const since = q.days === undefined ? undefined : new Date(Date.now() - q.days * 86_400_000).toISOString();
    return this.of<OhlcvRecord>(
      'ohlcv',
      (r) =>
        r.coin_id === q.coinId &&
        r.vs_currency === (q.vsCurrency ?? 'usd') &&
        (q.interval === undefined || r.interval === q.interval) &&
        (since === undefined || r.ts >= since),
    );
  }

  analytics(vsCurrency: string): AnalyticsRecord | undefined {
    const all = this.of<AnalyticsRecord>('analytics', (r) => r.vs_currency === vsCurrency);
    return all.reduce<AnalyticsRecord | undefined>((a, b) => (a && a.ts >= b.ts ? a : b), undefined);
  }

  level1(q: Level1Query): Level1Record[] {
    return this.of<Level1Record>(
      'level1',
      (r) =>
        (q.exchange === undefined || r.exchange === q.exchange) &&
        (q.coinId === undefined || r.coin_id === q.coinId),
    );
  }

  private of<R extends MarketRecord>(kind: R['kind'], keep: (r: R) => boolean): R[] {
    const out: R[] = [];
    for (const r of this.entries.values()) if (r.kind === kind && keep(r as R)) out.push(r as R);
    return out;
  }
}

const timeOf = (r: MarketRecord, specs: RecordSpecs) =>
  (r as unknown as Record<string, string>)[specs[r.kind].time]!;
