import type { Writer } from '../contracts/writer';
import type { MarketRecord, RecordKind } from '../dsl/records';
import { RECORD_KINDS } from '../dsl/specs';
import { naturalKey, parseRecord } from '../dsl/validate';
import { byNaturalKey, diffRecords, normalizeRecords } from './compare';
import { EXTREME_PRICES, samplePrice, sampleRecords } from './fixtures';
import { expectOk, testApi } from './jest-api';

export interface WriterConformanceOptions {
  /** suite title, e.g. "@qi/target-timescale" */
  name: string;
  /** a fresh writer (called before each test; the suite closes it) */
  create(): Promise<Writer> | Writer;
  /** what the destination now holds of a kind (all records, in any order); enables exactness and idempotency checks */
  readBack?(kind: RecordKind): Promise<unknown[]>;
  /** empties the destination before each test */
  reset?(): Promise<void>;
  /** kinds the writer accepts (default: all four) */
  kinds?: RecordKind[];
  /** a replayed batch leaves the destination unchanged (default true when readBack is given) */
  idempotent?: boolean;
  /** per-test timeout, ms */
  timeoutMs?: number;
}

/**
 * The contract every target proves the same way, first- or third-party:
 * call it inside a jest (or vitest) test file.
 */
export function describeWriterConformance(opts: WriterConformanceOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = testApi();
  const kinds = opts.kinds ?? [...RECORD_KINDS];
  const timeout = opts.timeoutMs ?? 60_000;
  const sent = (raw: unknown[]) =>
    raw.map((r) => {
      const p = parseRecord(r);
      if (!p.ok) throw p.error;
      return p.value;
    });

  describe(`writer conformance: ${opts.name}`, () => {
    let writer: Writer;
    beforeEach(async () => {
      await opts.reset?.();
      writer = await opts.create();
    }, timeout);
    afterEach(async () => {
      await writer?.close();
    }, timeout);

    it.each(kinds)(
      'writes %s records and acknowledges every one',
      async (kind) => {
        const raw = sampleRecords(kind, 25);
        const report = expectOk(await writer.publishBatch(raw));
        expect(report.rejected).toEqual([]);
        expect(report.written).toBe(25);
        if (opts.readBack) {
          expectOk(await writer.flush());
          const got = byNaturalKey(normalizeRecords(await opts.readBack(kind)));
          for (const s of sent(raw)) {
            const g = got.get(`${s.kind}|${keyOf(s)}`);
            expect(g).toBeDefined();
            expect(diffRecords(s, g!)).toEqual([]);
          }
        }
      },
      timeout,
    );

    it(
      'dead-letters an invalid record with its reason and writes the rest of the batch',
      async () => {
        const kind = kinds[0]!;
        const raw = sampleRecords(kind, 5);
        const bad = { ...(raw[2] as object), ts: 'not-a-time' };
        raw[2] = bad;
        const report = expectOk(await writer.publishBatch(raw));
        expect(report.written).toBe(4);
        expect(report.rejected).toHaveLength(1);
        expect(report.rejected[0]!.record).toBe(bad);
        expect(report.rejected[0]!.stage).toBe('validation');
        expect(report.rejected[0]!.error.code).toBe('QI_VALIDATION');
        expect(report.rejected[0]!.error.message).toContain('ts');
      },
      timeout,
    );

    it(
      'accepts a mixed batch of every kind in one call',
      async () => {
        const raw = kinds.flatMap((k) => sampleRecords(k, 3, 100));
        const report = expectOk(await writer.publishBatch(raw));
        expect(report).toEqual({ written: raw.length, rejected: [] });
      },
      timeout,
    );

    if (kinds.includes('price')) {
      it(
        'keeps every digit of extreme prices and market caps',
        async () => {
          const raw = EXTREME_PRICES.map((p, i) =>
            samplePrice(500 + i, { price: p, market_cap: '3456789012345678.123456789' }),
          );
          expectOk(await writer.publishPrices(raw));
          if (!opts.readBack) return;
          expectOk(await writer.flush());
          const got = byNaturalKey(normalizeRecords(await opts.readBack('price')));
          for (const s of sent(raw)) expect(diffRecords(s, got.get(`price|${keyOf(s)}`)!)).toEqual([]);
        },
        timeout,
      );
    }

    if (opts.readBack && (opts.idempotent ?? true)) {
      it(
        'writes a replayed batch without duplicating it',
        async () => {
          const kind = kinds[0]!;
          const raw = sampleRecords(kind, 20, 200);
          expectOk(await writer.publishBatch(raw));
          expectOk(await writer.flush());
          const before = (await opts.readBack!(kind)).length;
          expectOk(await writer.publishBatch(raw));
          expectOk(await writer.flush());
          const after = await opts.readBack!(kind);
          expect(after.length).toBe(before);
          byNaturalKey(normalizeRecords(after)); // throws on a duplicate key
        },
        timeout,
      );
    }

    it(
      'flushes repeatedly, reports health, and refuses to publish after close',
      async () => {
        expectOk(await writer.flush());
        expectOk(await writer.flush());
        expect((await writer.health()).ok).toBe(true);
        expectOk(await writer.close());
        expectOk(await writer.close());
        const after = await writer.publishBatch(sampleRecords(kinds[0]!, 1));
        expect(after.ok).toBe(false);
        if (!after.ok) expect(after.error.code).toBe('QI_CLOSED');
      },
      timeout,
    );
  });
}

function keyOf(r: MarketRecord): string {
  return naturalKey(r);
}
