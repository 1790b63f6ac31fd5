import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILTIN_PLUGINS, createHost, createLogger, createMetrics, type Logger, runPipeline } from '@qi/core';
import { normalizeRecords, samplePrice } from '@qi/core/testkit';
import { CONTENT_TYPES, encodeRecord, HEADERS } from '@qi/kafka-codec';
import plugin from '../../src/index';
import { BROKERS, deleteTopics, FAST_GROUP, requireBroker, streamingFor, unique } from '../helpers';

// Poison messages go through core's runner: dead-lettered with topic, partition,
// offset and reason, and the partition keeps moving (their offsets are committed).
describe('poison messages', () => {
  const topic = unique('qi-src-poison');
  let dir: string;
  beforeAll(async () => {
    await requireBroker();
    dir = mkdtempSync(path.join(os.tmpdir(), 'qi-src-poison-'));
  });
  afterAll(async () => {
    await deleteTopics([topic]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function runOnce(groupId: string, extra: Record<string, unknown> = {}, logger?: Logger) {
    writeFileSync(
      path.join(dir, 'qi.config.json'),
      JSON.stringify({
        pipelines: {
          p: {
            source: {
              use: '@qi/source-redpanda',
              with: { brokers: BROKERS, topics: [topic], groupId, partitions: 1, ...FAST_GROUP, ...extra },
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
      logger: logger ?? createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      baseDir: dir,
      dataDir: path.join(dir, '.qi'),
    });
    if (!r.ok) throw r.error;
    return r.value;
  }

  const lines = (file: string) =>
    readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));

  it('dead-letters a message that is not JSON, one with the wrong schema and an Avro one from another schema, and goes on', async () => {
    const groupId = unique('g-poison');
    const streaming = await streamingFor();
    try {
      const admin = await streaming.getAdmin();
      if (!admin.ok) throw admin.error;
      await admin.value.createTopics([{ topic, partitions: 1 }]);
      const valid = (i: number) => ({ ...encodeRecord(samplePrice(i) as never, 'json'), key: `k${i}` });
      const avro = encodeRecord(samplePrice(9) as never, 'avro');
      const producer = await streaming.getProducer();
      if (!producer.ok) throw producer.error;
      const sent = await producer.value.sendBatch([
        {
          topic,
          messages: [
            valid(0),
            {
              key: 'bad-1',
              value: Buffer.from('this is not JSON {'),
              headers: { [HEADERS.contentType]: CONTENT_TYPES.json },
            },
            {
              key: 'bad-2',
              value: Buffer.from(JSON.stringify({ kind: 'price', coin_id: 'bitcoin', price: 'lots' })),
            },
            {
              key: 'bad-3',
              value: avro.value,
              headers: { ...avro.headers, [HEADERS.fingerprint]: 'f'.repeat(64) },
            },
            valid(1),
            valid(2),
          ],
        },
      ]);
      if (!sent.ok) throw sent.error;
    } finally {
      await streaming.disconnect();
    }

    const stats = await runOnce(groupId);
    expect(stats.recordsIn).toBe(6);
    expect(stats.deadLettered).toBe(3);
    expect(lines('out.ndjson').map((r) => r.price)).toEqual(
      normalizeRecords([0, 1, 2].map((i) => samplePrice(i))).map((r) => (r as { price: string }).price),
    );
    const letters = lines('.qi/dead-letter/p.ndjson');
    expect(
      letters.map((l) => [l.stage, l.code, l.context.topic, l.context.partition, l.context.offset]),
    ).toEqual([
      ['decode', 'QI_DECODE', topic, 0, '1'],
      ['validation', 'QI_VALIDATION', topic, 0, '2'],
      ['decode', 'QI_DECODE', topic, 0, '3'],
    ]);
    expect(letters[0].reason).toMatch(/cannot decode application\/json/);
    expect(letters[0].record.value).toBe('this is not JSON {');
    expect(letters[1].reason).toMatch(/price/);
    expect(letters[2].context.decodeCode).toBe('QI_KAFKA_CODEC_SCHEMA_MISMATCH');

    // the poison was committed with its batch: the same group has nothing left to read, and a new
    // process sees that from the group's committed offsets at once (an idle wait of ten minutes
    // would outlast the test's timeout)
    const events: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (l: string) => void events.push(JSON.parse(l).event) },
    });
    const again = await runOnce(groupId, { onceIdleMs: 600_000 }, logger);
    expect(again.recordsIn).toBe(0);
    expect(events).toContain('redpanda.source.joining');
    expect(events).not.toContain('redpanda.source.once_idle');
    expect(lines('out.ndjson')).toHaveLength(3);
  });
});
