import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { avroSchema, type MarketRecord, RECORD_KINDS, RECORD_SPECS } from '@qi/core';
import {
  byNaturalKey,
  diffRecords,
  expectOk,
  normalizeRecords,
  TEST_REGISTRY_URL as REGISTRY_URL,
  requireRegistry,
  sampleRecords,
} from '@qi/core/testkit';
import {
  deleteTopics,
  drainOnce,
  makeReader,
  produce,
  recordsOf,
  requireBroker,
  streamingFor,
  unique,
} from '../helpers';

// Confluent-framed Avro through the source, against the real registry
// (scripts/schema-registry.sh start): messages the npm client wrote (no Qi
// headers at all) and messages the Redpanda target wrote with schemaRegistry.
describe('@qi/source-redpanda decodes the Confluent wire format by schema id', () => {
  const prefixes: string[] = [];
  beforeAll(async () => {
    await requireBroker();
    await requireRegistry();
  });
  afterAll(() => deleteTopics(prefixes));

  it('reads what the npm client registered and wrote, every field', async () => {
    const prefix = `${unique('qi-src-sr')}.`;
    prefixes.push(prefix);
    const topic = `${prefix}prices`;
    const npm = new SchemaRegistry({ host: REGISTRY_URL });
    const { id } = await npm.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(avroSchema(RECORD_SPECS.price)) },
      { subject: `${topic}-value` },
    );
    const records = normalizeRecords(sampleRecords('price', 20)) as Array<MarketRecord & { ts: string }>;
    const values = await Promise.all(records.map((r) => npm.encode(id, { ...r, ts: Date.parse(r.ts) })));
    const streaming = await streamingFor();
    const admin = expectOk(await streaming.getAdmin());
    expectOk(await admin.createTopics([{ topic, partitions: 2, replicationFactor: 1 }]));
    const producer = expectOk(await streaming.getProducer({}));
    expectOk(
      await producer.sendBatch([
        { topic, messages: values.map((value, i) => ({ key: `k${i % 6}`, value })) },
      ]),
    );
    await streaming.disconnect();

    const reader = makeReader({
      topics: [topic],
      groupId: unique('g-sr'),
      schemaRegistry: { url: REGISTRY_URL },
    });
    try {
      const batches = await drainOnce(reader);
      expect(batches.flatMap((b) => b.invalid ?? [])).toEqual([]);
      const got = byNaturalKey(recordsOf(batches));
      const want = byNaturalKey(records);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [k, r] of want) expect([k, diffRecords(r, got.get(k)!)]).toEqual([k, []]);
    } finally {
      await reader.close();
    }
  });

  it('round trip: the target with schemaRegistry -> this source, every kind', async () => {
    const prefix = `${unique('qi-src-sr')}.`;
    prefixes.push(prefix);
    const records = normalizeRecords(RECORD_KINDS.flatMap((k) => sampleRecords(k, 10)));
    await produce(
      {
        serialization: 'avro',
        schemaRegistry: { url: REGISTRY_URL },
        topicPrefix: prefix,
        partitions: 2,
        deadLetterTopic: `${prefix}dlq`,
      },
      records,
    );
    const reader = makeReader({
      topicPrefix: prefix,
      groupId: unique('g-sr'),
      schemaRegistry: { url: REGISTRY_URL },
    });
    try {
      const batches = await drainOnce(reader);
      expect(batches.flatMap((b) => b.invalid ?? [])).toEqual([]);
      const got = byNaturalKey(recordsOf(batches));
      expect(got.size).toBe(records.length);
      for (const [k, r] of byNaturalKey(records)) expect([k, diffRecords(r, got.get(k)!)]).toEqual([k, []]);
    } finally {
      await reader.close();
    }
  });

  it('without schemaRegistry a Confluent-framed message is a dead letter with the reason, not a crash', async () => {
    const prefix = `${unique('qi-src-sr')}.`;
    prefixes.push(prefix);
    await produce(
      {
        serialization: 'avro',
        schemaRegistry: { url: REGISTRY_URL },
        topicPrefix: prefix,
        partitions: 1,
        deadLetterTopic: `${prefix}dlq`,
      },
      sampleRecords('price', 2),
    );
    const reader = makeReader({ topics: [`${prefix}prices`], groupId: unique('g-sr') });
    try {
      const batches = await drainOnce(reader);
      const invalid = batches.flatMap((b) => b.invalid ?? []);
      expect(recordsOf(batches)).toEqual([]);
      expect(invalid).toHaveLength(2);
      expect(invalid[0]!.error.message).toMatch(/content-type/);
    } finally {
      await reader.close();
    }
  });
});
