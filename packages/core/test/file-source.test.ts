import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { readLines } from '../src/builtins/line-reader';
import { createMetrics, fileSource, type SourceBatch } from '../src/index';
import { samplePrice, testContext } from '../src/testkit/index';

const lines = async (chunks: string[], max: number) => {
  const out = [];
  for await (const l of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) out.push(l);
  return out;
};

describe('readLines', () => {
  it('splits LF and CRLF lines across chunk boundaries, UTF-8 intact', async () => {
    expect(await lines(['a\r', '\nb€', 'c\n\n', 'last'], 10)).toEqual([
      { no: 1, text: 'a', bytes: 1 },
      { no: 2, text: 'b€c', bytes: 5 },
      { no: 3, text: '', bytes: 0 },
      { no: 4, text: 'last', bytes: 4 },
    ]);
  });
  it('measures but never keeps a line over the limit', async () => {
    expect(await lines(['12345', '6789\nok\n', '1234\r\n'], 4)).toEqual([
      { no: 1, text: undefined, bytes: 9 },
      { no: 2, text: 'ok', bytes: 2 },
      { no: 3, text: '1234', bytes: 4 },
    ]);
  });
});

describe('file source', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qi-file-source-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function read(text: string, config: Record<string, unknown> = {}) {
    writeFileSync(path.join(dir, 'in.ndjson'), text);
    const metrics = createMetrics();
    const ctx = testContext({ baseDir: dir, metrics, pipeline: 'p', name: 'src' });
    const reader = await fileSource.create(
      fileSource.configSchema.parse({ path: 'in.ndjson', ...config }),
      ctx,
    );
    const batches: SourceBatch[] = [];
    for await (const b of reader.stream({ signal: new AbortController().signal })) batches.push(b);
    const blank = (await metrics.registry.getSingleMetric('qi_source_blank_lines_total')!.get()).values;
    return { batches, blank };
  }

  it('dead-letters a line over maxLineBytes with its size and line number, not its content', async () => {
    const good = JSON.stringify(samplePrice(1));
    const { batches, blank } = await read(`${good}\n\n  \n{"x":"${'y'.repeat(5000)}"}\n${good}\n`, {
      maxLineBytes: 1000,
    });
    const invalid = batches.flatMap((b) => b.invalid ?? []);
    expect(batches.flatMap((b) => b.records)).toHaveLength(2);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.record).toEqual({ file: path.join(dir, 'in.ndjson'), line: 4, bytes: 5008 });
    expect(invalid[0]!.error.message).toMatch(
      /in\.ndjson:4: line of 5008 bytes is longer than maxLineBytes \(1000\)/,
    );
    expect(JSON.stringify(invalid[0])).not.toContain('yyyy');
    expect(blank).toEqual([{ labels: { pipeline: 'p', source: 'src' }, value: 2 }]);
  });

  it('reads a file that starts with a UTF-8 byte order mark', async () => {
    const { batches } = await read(`\uFEFF${JSON.stringify(samplePrice(1))}\n`);
    expect(batches.flatMap((b) => b.records)).toHaveLength(1);
  });

  it('hands a batch over once its lines reach maxBatchBytes', async () => {
    const line = JSON.stringify(samplePrice(1));
    const { batches } = await read(`${line}\n`.repeat(10), {
      batchSize: 1000,
      maxBatchBytes: line.length * 3,
    });
    expect(batches.map((b) => b.records.length)).toEqual([3, 3, 3, 1]);
  });

  it('rejects negative prices and implausible timestamps with the field named', async () => {
    const { batches } = await read(
      [{ price: '-1' }, { ts: 12345 }, { ts: Date.now() + 3_600_000 }]
        .map((p) => JSON.stringify({ ...samplePrice(1), ...p }))
        .join('\n'),
    );
    const invalid = batches.flatMap((b) => b.invalid ?? []);
    expect(invalid.map((i) => i.context?.line)).toEqual([1, 2, 3]);
    expect(batches.every((b) => b.contexts === undefined)).toBe(true);
    const reasons = invalid.map((i) => i.error.message);
    expect(reasons).toEqual([
      expect.stringContaining('price: must be >= 0'),
      expect.stringContaining('ts: must be on or after 2009-01-01'),
      expect.stringContaining('ts: must not be more than 300 s in the future'),
    ]);
  });
});
