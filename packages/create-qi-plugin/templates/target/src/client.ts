import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { MarketRecord, RecordKind } from '@qi/core';
import { decodeRecord, encodeRecord, recordKey } from './encoding';

/**
 * The skeleton's "connection": a directory with one NDJSON file per record
 * kind, deduplicated on the natural key so a replayed batch is stored once.
 * TODO: replace with your technology's client: connect in open(), write in
 * write(), release everything in close().
 */
export class Store {
  private readonly keys = new Map<string, Set<string>>();

  constructor(readonly directory: string) {}

  async open(): Promise<void> {
    mkdirSync(this.directory, { recursive: true });
    this.keys.clear();
  }

  /** Appends the records not stored yet, then fsyncs: once it resolves, the batch is durable. */
  async write(kind: RecordKind, records: readonly MarketRecord[]): Promise<void> {
    const seen = this.keysOf(kind);
    const fresh = new Map<string, MarketRecord>();
    for (const r of records) if (!seen.has(recordKey(r))) fresh.set(recordKey(r), r);
    if (fresh.size === 0) return;
    const fh = await open(this.file(kind), 'a');
    try {
      await fh.write(`${[...fresh.values()].map(encodeRecord).join('\n')}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    for (const k of fresh.keys()) seen.add(k);
  }

  async close(): Promise<void> {
    this.keys.clear();
  }

  file(kind: RecordKind): string {
    return path.join(this.directory, `${kind}.ndjson`);
  }

  /** Everything stored of a kind (the tests read back through this). */
  static readAll(directory: string, kind: RecordKind): unknown[] {
    const file = path.join(directory, `${kind}.ndjson`);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(decodeRecord);
  }

  private keysOf(kind: RecordKind): Set<string> {
    let set = this.keys.get(kind);
    if (!set) {
      set = new Set(Store.readAll(this.directory, kind).map((r) => recordKey(r as MarketRecord)));
      this.keys.set(kind, set);
    }
    return set;
  }
}
