import { type MarketRecord, parseRecord, RECORD_KINDS } from '@qi/core';
import { expectOk, samplePrice, sampleRecords } from '@qi/core/testkit';
import { CLIENT_NAMES, type StreamingAdmin, type StreamingClient } from '@qi/streaming';
import { avroTypeOf, configSchema, ensureTopics, topicConfigs } from '../../src/index';
import {
  BROKERS,
  deleteTopicsWithPrefixes,
  makeWriter,
  readRecords,
  readTopic,
  requireBroker,
  streamingFor,
  unique,
} from '../helpers';

for (const client of CLIENT_NAMES) {
  describe(`@qi/target-redpanda writer (${client})`, () => {
    let streaming: StreamingClient;
    let admin: StreamingAdmin;
    const prefixes: string[] = [];
    const newPrefix = () => {
      const p = `${unique(`qi-w-${client}`)}.`;
      prefixes.push(p);
      return p;
    };
    const base = (prefix: string) => ({
      client,
      brokers: BROKERS,
      topicPrefix: prefix,
      deadLetterTopic: `${prefix}dead-letter`,
      partitions: 3,
      lingerMs: 1,
    });

    beforeAll(async () => {
      await requireBroker();
      streaming = await streamingFor(client);
      admin = expectOk(await streaming.getAdmin());
    });
    afterAll(async () => {
      await deleteTopicsWithPrefixes(streaming, prefixes);
      await streaming.disconnect();
    });

    it('ensureTopics twice: creates from the generated configs, then finds them, and reports a partition mismatch', async () => {
      const prefix = newPrefix();
      const config = configSchema.parse({
        ...base(prefix),
        retentionMs: 3_600_000,
        topicCompression: 'zstd',
      });
      const generated = Object.values(topicConfigs(config));
      const first = expectOk(await ensureTopics(admin, generated));
      expect(first.created.sort()).toEqual(generated.map((t) => t.topic).sort());
      const second = expectOk(await ensureTopics(admin, generated));
      expect(second).toEqual({ created: [], existing: generated.map((t) => t.topic), mismatched: [] });
      const described = expectOk(await admin.describeTopics(generated.map((t) => t.topic)));
      for (const t of generated) {
        const d = described.find((x) => x.topic === t.topic)!;
        expect(d.partitions).toHaveLength(3);
        for (const [k, v] of Object.entries(t.configs)) expect([k, d.configs[k]]).toEqual([k, v]);
      }
      expect(generated[0]!.configs).toMatchObject({
        'retention.ms': '3600000',
        'compression.type': 'zstd',
        'cleanup.policy': 'delete',
      });
      const wider = expectOk(
        await ensureTopics(
          admin,
          generated.map((t) => ({ ...t, partitions: 6 })),
        ),
      );
      expect(wider.mismatched).toEqual(generated.map((t) => ({ topic: t.topic, expected: 6, actual: 3 })));
    });

    it('keys by instrument, keeps per-key order across batches, and sets the headers (JSON)', async () => {
      const prefix = newPrefix();
      const writer = makeWriter({ ...base(prefix), batchSize: 7 });
      // 5 calls x 30 records over 6 coins: each coin's ts grows call after call
      for (let call = 0; call < 5; call++)
        expectOk(await writer.publishPrices(sampleRecords('price', 30, call * 30) as never));
      expectOk(await writer.close());
      const messages = await readTopic(streaming, `${prefix}prices`);
      expect(messages).toHaveLength(150);
      const partitionOf = new Map<string, number>();
      const lastTs = new Map<string, string>();
      for (const m of messages) {
        const key = m.key!.toString();
        const r = JSON.parse(m.value!.toString()) as MarketRecord & { coin_id: string };
        expect(key).toBe(`${r.coin_id}|aggregate|usd`);
        expect(partitionOf.get(key) ?? m.partition).toBe(m.partition);
        partitionOf.set(key, m.partition);
        expect(r.ts > (lastTs.get(key) ?? '')).toBe(true); // messages are sorted by partition, offset
        lastTs.set(key, r.ts);
        expect(m.headers).toEqual({
          'content-type': 'application/json',
          'qi-schema': 'price',
          'qi-schema-version': '1',
          'qi-source': 'testkit',
        });
      }
      expect(partitionOf.size).toBe(6);
    });

    it('writes Avro with the schema fingerprint header, decodable field by field', async () => {
      const prefix = newPrefix();
      const writer = makeWriter({ ...base(prefix), serialization: 'avro' });
      const raw = RECORD_KINDS.flatMap((k) => sampleRecords(k, 4));
      expectOk(await writer.publishBatch(raw));
      expectOk(await writer.close());
      const messages = await readTopic(streaming, `${prefix}level1`);
      expect(messages).toHaveLength(4);
      expect(messages[0]!.headers).toMatchObject({
        'content-type': 'avro/binary',
        'qi-schema': 'level1',
        'qi-schema-fingerprint': avroTypeOf('level1').fingerprint,
      });
      const back = await readRecords(streaming, `${prefix}ohlcv`);
      const sent = raw.map((r) => expectOk(parseRecord(r))).filter((r) => r.kind === 'ohlcv');
      expect(
        back.sort(
          (a, b) =>
            a.ts.localeCompare(b.ts) ||
            (a as { coin_id: string }).coin_id.localeCompare((b as { coin_id: string }).coin_id),
        ),
      ).toEqual(
        sent.sort(
          (a, b) =>
            a.ts.localeCompare(b.ts) ||
            (a as { coin_id: string }).coin_id.localeCompare((b as { coin_id: string }).coin_id),
        ),
      );
    });

    it('routes by exchange with a topic template, creating topics as exchanges appear', async () => {
      const prefix = newPrefix();
      const writer = makeWriter({ ...base(prefix), topicTemplate: '{prefix}{name}.{exchange}' });
      expectOk(await writer.publishBatch([...sampleRecords('level1', 6), ...sampleRecords('analytics', 2)]));
      expectOk(await writer.close());
      const topics = expectOk(await admin.listTopics()).filter((t) => t.startsWith(prefix));
      expect(topics.sort()).toEqual([
        `${prefix}dead-letter`,
        `${prefix}level1.binance`,
        `${prefix}level1.coinbase`,
        `${prefix}level1.kraken`,
        `${prefix}market_analytics.all`,
      ]);
      expect(
        (await readRecords(streaming, `${prefix}level1.kraken`)).map(
          (r) => (r as { exchange: string }).exchange,
        ),
      ).toEqual(['kraken', 'kraken']);
    });

    it('rejects a record too large for the topic with the reason, writes the rest, and dead-letters to Kafka', async () => {
      const prefix = newPrefix();
      // pre-created with a small max.message.bytes: ensureTopics leaves it as is
      expectOk(
        await admin.createTopics([
          { topic: `${prefix}prices`, partitions: 1, configs: { 'max.message.bytes': '700' } },
        ]),
      );
      const writer = makeWriter({ ...base(prefix), batchSize: 10 });
      const raw = sampleRecords('price', 10) as Array<ReturnType<typeof samplePrice>>;
      raw[6] = samplePrice(6, { attribution: 'x'.repeat(500) });
      const report = expectOk(await writer.publishPrices(raw));
      expect(report.written).toBe(9);
      expect(report.rejected).toHaveLength(1);
      expect(report.rejected[0]!.stage).toBe('write');
      expect(report.rejected[0]!.error).toMatchObject({
        code: 'QI_STREAMING_TOO_LARGE',
        category: 'data',
        retryable: false,
      });
      expect(report.rejected[0]!.error.message).toMatch(/too large/);
      expect((report.rejected[0]!.record as { attribution: string }).attribution).toHaveLength(500);
      const landed = await readRecords(streaming, `${prefix}prices`);
      expect(landed).toHaveLength(9);
      expect(landed.some((r) => r.attribution.length === 500)).toBe(false);

      const letter = {
        pipeline: 'p',
        target: 'redpanda',
        stage: 'write' as const,
        code: report.rejected[0]!.error.code,
        reason: report.rejected[0]!.error.message,
        record: report.rejected[0]!.record,
        at: new Date().toISOString(),
      };
      expectOk(await writer.publishDeadLetters!([letter]));
      expectOk(await writer.close());
      const dead = await readTopic(streaming, `${prefix}dead-letter`);
      expect(dead).toHaveLength(1);
      expect(JSON.parse(dead[0]!.value!.toString())).toEqual(letter);
      expect(dead[0]!.headers).toMatchObject({
        'qi-schema': 'dead-letter',
        'qi-dead-letter-code': 'QI_STREAMING_TOO_LARGE',
      });
    });

    it('compresses with gzip and zstd; a codec that is not installed is a clear config error', async () => {
      for (const compression of ['gzip', 'zstd'] as const) {
        const prefix = newPrefix();
        const writer = makeWriter({ ...base(prefix), compression });
        expectOk(await writer.publishPrices(sampleRecords('price', 20) as never));
        expectOk(await writer.close());
        expect(await readRecords(streaming, `${prefix}prices`)).toHaveLength(20);
      }
      if (client === 'kafkajs') {
        const writer = makeWriter({ ...base(newPrefix()), compression: 'lz4' });
        const r = await writer.publishPrices(sampleRecords('price', 1) as never);
        expect(r.ok).toBe(false);
        if (!r.ok)
          expect([r.error.code, r.error.message]).toEqual([
            'QI_STREAMING_CODEC_MISSING',
            expect.stringContaining('npm install kafkajs-lz4'),
          ]);
        await writer.close();
      }
    });

    it('fails fast with a clear message when authentication fails', async () => {
      const writer = makeWriter({
        ...base(newPrefix()),
        retries: 0,
        sasl: { mechanism: 'scram-sha-256', username: 'qi', password: 'never-logged' },
      });
      const r = await writer.publishPrices(sampleRecords('price', 1) as never);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect([r.error.category, r.error.retryable]).toEqual(['auth', false]);
        expect(r.error.message).toMatch(/authentication failed/);
        expect(JSON.stringify(r.error)).not.toContain('never-logged');
      }
      expect((await writer.health()).ok).toBe(false);
      await writer.close();
    });
  });
}
