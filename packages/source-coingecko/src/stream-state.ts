import type { Mapped } from './encoding';

type Rec = Record<string, unknown>;
const time = (ts: unknown): number => (typeof ts === 'number' ? ts : Date.parse(String(ts)));

/**
 * What one stream has emitted, so each poll yields only what is new. Memory is
 * bounded by the number of instruments, not by time.
 */
export class StreamState {
  private readonly latest = new Map<string, number>();
  private readonly seen = new Set<string>();

  /** Prices whose last_updated is newer than the last one emitted for that coin and currency. */
  newPrices(m: Mapped): Mapped {
    return this.newer(m, (r) => `price|${r.coin_id}|${r.vs_currency}`);
  }

  newAnalytics(m: Mapped): Mapped {
    return this.newer(m, (r) => `analytics|${r.vs_currency}`);
  }

  newTickers(m: Mapped): Mapped {
    return this.newer(m, (r) => `level1|${r.exchange}|${r.base}|${r.quote}|${r.coin_id}`);
  }

  /** Candles whose close time (open ts + length) has passed and is later than the last emitted close. */
  closedCandles(m: Mapped, lengthMs: number, now: number): Mapped {
    const records = m.records.filter((r) => {
      const close = time(r.ts) + lengthMs;
      if (close > now) return false;
      const key = `ohlcv|${r.coin_id}|${r.vs_currency}|${r.interval}`;
      return close > (this.latest.get(key) ?? Number.NEGATIVE_INFINITY);
    });
    for (const r of records) {
      const key = `ohlcv|${r.coin_id}|${r.vs_currency}|${r.interval}`;
      this.latest.set(key, Math.max(this.latest.get(key) ?? 0, time(r.ts) + lengthMs));
    }
    return { records, invalid: m.invalid };
  }

  /** True the first time a key is seen: one log line or dead letter per distinct problem. */
  firstTime(key: string): boolean {
    if (this.seen.has(key)) return false;
    if (this.seen.size >= 10_000) this.seen.clear();
    this.seen.add(key);
    return true;
  }

  private newer(m: Mapped, keyOf: (r: Rec) => string): Mapped {
    const records = m.records.filter((r) => {
      const key = keyOf(r);
      const ts = time(r.ts);
      if (Number.isNaN(ts) || ts <= (this.latest.get(key) ?? Number.NEGATIVE_INFINITY))
        return Number.isNaN(ts);
      this.latest.set(key, ts);
      return true;
    });
    return { records, invalid: m.invalid };
  }
}
