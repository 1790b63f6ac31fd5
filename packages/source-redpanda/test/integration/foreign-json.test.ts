import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILTIN_PLUGINS, createHost, createLogger, createMetrics, runPipeline } from '@qi/core';
import { samplePrice } from '@qi/core/testkit';
import plugin from '../../src/index';
import { BROKERS, deleteTopics, FAST_GROUP, requireBroker, streamingFor, unique } from '../helpers';

// JSON written by another producer: no Qi headers, decimals as number literals. Every
// digit of the literal text must reach the target, whatever the double would round to.
describe('JSON messages from other producers', () => {
  const topic = unique('qi-src-foreign');
  let dir: string;
  beforeAll(async () => {
    await requireBroker();
    dir = mkdtempSync(path.join(os.tmpdir(), 'qi-src-foreign-'));
  });
  afterAll(async () => {
    await deleteTopics([topic]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every digit of number literals and dead-letters a negative price', async () => {
    const ts = Date.now() - 60_000;
    const literal = (i: number, price: string, marketCap: string) =>
      JSON.stringify({ ...samplePrice(i), ts, price: 0, market_cap: 0 })
        .replace('"price":0', `"price":${price}`)
        .replace('"market_cap":0', `"market_cap":${marketCap}`);
    const values = [
      literal(1, '0.99999999999999999', '3456789012345678.123456789'),
      literal(2, '1.0000000000000001', '123456789012345678901234567890.123456789'),
      literal(3, '1e-12', '1.5E+20'),
      literal(4, '-1', '1'),
    ];
    const streaming = await streamingFor();
    try {
      const admin = await streaming.getAdmin();
      if (!admin.ok) throw admin.error;
      await admin.value.createTopics([{ topic, partitions: 1 }]);
      const producer = await streaming.getProducer();
      if (!producer.ok) throw producer.error;
      const sent = await producer.value.sendBatch([
        { topic, messages: values.map((v, i) => ({ key: `k${i}`, value: Buffer.from(v) })) },
      ]);
      if (!sent.ok) throw sent.error;
    } finally {
      await streaming.disconnect();
    }

    writeFileSync(
      path.join(dir, 'qi.config.json'),
      JSON.stringify({
        pipelines: {
          p: {
            source: {
              use: '@qi/source-redpanda',
              with: {
                brokers: BROKERS,
                topics: [topic],
                groupId: unique('g-foreign'),
                partitions: 1,
                ...FAST_GROUP,
              },
            },
            targets: [{ use: 'file', with: { path: 'out.ndjson', lingerMs: 0 } }],
          },
        },
      }),
    );
    const host = createHost({ plugins: [...BUILTIN_PLUGINS, plugin] });
    const prepared = await host.prepare({ configPath: path.join(dir, 'qi.config.json') });
    if (!prepared.ok) throw prepared.error;
    const r = await runPipeline(prepared.value.pipelines[0]!, {
      signal: new AbortController().signal,
      once: true,
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      baseDir: dir,
      dataDir: path.join(dir, '.qi'),
    });
    if (!r.ok) throw r.error;

    const read = (file: string) =>
      readFileSync(path.join(dir, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    expect(read('out.ndjson').map((x) => [x.price, x.market_cap])).toEqual([
      ['0.99999999999999999', '3456789012345678.123456789'],
      ['1.0000000000000001', '123456789012345678901234567890.123456789'],
      ['0.000000000001', '150000000000000000000'],
    ]);
    const letters = read('.qi/dead-letter/p.ndjson');
    expect(letters.map((l) => [l.code, l.context.offset])).toEqual([['QI_VALIDATION', '3']]);
    expect(letters[0].reason).toContain('price: must be >= 0, received "-1"');
  });
});
