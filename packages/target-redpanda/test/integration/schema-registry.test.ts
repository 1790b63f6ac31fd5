import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  avroSchema,
  decimal,
  extendSpec,
  fieldsOf,
  type MarketRecord,
  nullable,
  parseRecord,
  RECORD_KINDS,
  RECORD_SPECS,
  type RecordSpecs,
  text,
} from '@qi/core';
import { expectOk, sampleRecords, testContext } from '@qi/core/testkit';
import type { StreamingClient } from '@qi/streaming';
import {
  configSchema,
  createRedpandaWriter,
  createRegistryClient,
  createRegistryCodec,
  type RedpandaTargetConfigInput,
  schemaRegistrySchema,
} from '../../src/index';
import {
  BROKERS,
  DEFAULT_TOPIC_NAMES,
  deleteTopicsWithPrefixes,
  REGISTRY_URL,
  readTopic,
  requireBroker,
  requireRegistry,
  streamingFor,
  unique,
} from '../helpers';

// Against the real registry (scripts/schema-registry.sh start) and broker. The
// registry keeps its state in memory for its lifetime: every test uses fresh
// topic names, so fresh subjects. The npm client here is a separate instance,
// decoding with its own cache: what an independent Confluent consumer does.
const npm = () => new SchemaRegistry({ host: REGISTRY_URL });

describe('@qi/target-redpanda with a Schema Registry (Confluent wire format)', () => {
  let streaming: StreamingClient;
  const prefixes: string[] = [];
  const newPrefix = () => {
    const p = `${unique('qi-sr')}.`;
    prefixes.push(p);
    return p;
  };
  const config = (prefix: string, extra: Partial<RedpandaTargetConfigInput> = {}) =>
    configSchema.parse({
      brokers: BROKERS,
      topicPrefix: prefix,
      deadLetterTopic: `${prefix}dead-letter`,
      partitions: 1,
      lingerMs: 1,
      serialization: 'avro',
      schemaRegistry: { url: REGISTRY_URL },
      ...extra,
    });
  const writer = (prefix: string, specs?: RecordSpecs, extra: Partial<RedpandaTargetConfigInput> = {}) =>
    createRedpandaWriter(config(prefix, extra), testContext({ name: 'sr' }), specs);

  beforeAll(async () => {
    await requireBroker();
    await requireRegistry();
    streaming = await streamingFor('kafkajs');
  });
  afterAll(async () => {
    await deleteTopicsWithPrefixes(streaming, prefixes);
    await streaming.disconnect();
  });

  it('Qi writes every kind; the npm client decodes every record field for field under the id of "<topic>-value"', async () => {
    const prefix = newPrefix();
    const w = writer(prefix);
    const inputs = RECORD_KINDS.flatMap((k) => sampleRecords(k, 7));
    const report = expectOk(await w.publishBatch(inputs));
    expect(report).toEqual({ written: inputs.length, rejected: [] });
    expectOk(await w.close());

    const client = npm();
    for (const kind of RECORD_KINDS) {
      const topic = `${prefix}${DEFAULT_TOPIC_NAMES[kind]}`;
      const id = await client.getLatestSchemaId(`${topic}-value`);
      const messages = await readTopic(streaming, topic);
      const expected = inputs
        .filter((r) => (r as MarketRecord).kind === kind)
        .map((r) => expectOk(parseRecord(r)));
      expect(messages).toHaveLength(expected.length);
      const stamps = new Set(
        fieldsOf(RECORD_SPECS[kind])
          .filter((f) => f.type === 'timestamp')
          .map((f) => f.name),
      );
      for (let i = 0; i < messages.length; i++) {
        const value = messages[i]!.value!;
        expect(value[0]).toBe(0);
        expect(value.readInt32BE(1)).toBe(id);
        const decoded = (await client.decode(value)) as Record<string, unknown>;
        const want = expected[i] as unknown as Record<string, unknown>;
        expect(Object.keys(decoded).sort()).toEqual(Object.keys(want).sort());
        for (const [field, v] of Object.entries(want))
          expect([field, decoded[field]]).toEqual([field, stamps.has(field) ? Date.parse(v as string) : v]);
      }
    }
  });

  it('the npm client registers and writes; Qi decodes those messages by schema id', async () => {
    const prefix = newPrefix();
    const topic = `${prefix}prices`;
    const client = npm();
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(avroSchema(RECORD_SPECS.price)) },
      { subject: `${topic}-value` },
    );
    const records = sampleRecords('price', 5).map(
      (r) => expectOk(parseRecord(r)) as MarketRecord & { ts: string },
    );
    const values = await Promise.all(records.map((r) => client.encode(id, { ...r, ts: Date.parse(r.ts) })));
    const admin = expectOk(await streaming.getAdmin());
    expectOk(await admin.createTopics([{ topic, partitions: 1, replicationFactor: 1 }]));
    const producer = expectOk(await streaming.getProducer({}));
    expectOk(await producer.sendBatch([{ topic, messages: values.map((value) => ({ key: null, value })) }]));

    const codec = createRegistryCodec(
      createRegistryClient(schemaRegistrySchema.parse({ url: REGISTRY_URL })),
    );
    const messages = await readTopic(streaming, topic);
    await codec.prepare(messages);
    expect(messages.map((m) => expectOk(codec.decode(m.value, m.headers)))).toEqual(records);
  });

  it('an additive change (optional field) registers version 2 under BACKWARD; old and new messages both decode', async () => {
    const prefix = newPrefix();
    const subject = `${prefix}prices-value`;
    const v1 = writer(prefix);
    expectOk(await v1.publishBatch(sampleRecords('price', 2)));
    expectOk(await v1.close());
    const specs = {
      ...RECORD_SPECS,
      price: extendSpec(RECORD_SPECS.price, { test_note: nullable(text('test-only field')) }),
    };
    const v2 = writer(prefix, specs);
    const plan = expectOk(await v2.planSchema());
    expect(plan.filter((c) => c.target === subject)).toEqual([
      { area: 'registry', target: subject, action: 'register version 2', ok: true },
    ]);
    expectOk(
      await v2.publishBatch(sampleRecords('price', 2, 2).map((r) => ({ ...(r as object), test_note: 'hi' }))),
    );
    expectOk(await v2.close());

    const versions = (await fetch(`${REGISTRY_URL}/subjects/${subject}/versions`).then((r) =>
      r.json(),
    )) as number[];
    expect(versions).toEqual([1, 2]);
    const codec = createRegistryCodec(
      createRegistryClient(schemaRegistrySchema.parse({ url: REGISTRY_URL })),
      specs,
    );
    const messages = await readTopic(streaming, `${prefix}prices`);
    await codec.prepare(messages);
    const notes = messages.map(
      (m) => (expectOk(codec.decode(m.value, m.headers)) as { test_note?: unknown }).test_note,
    );
    expect(notes).toEqual([null, null, 'hi', 'hi']);
  });

  it('a breaking change (required field, no default): the plan names the field, nothing is registered, a write fails as config', async () => {
    const prefix = newPrefix();
    const subject = `${prefix}prices-value`;
    const v1 = writer(prefix);
    expectOk(await v1.publishBatch(sampleRecords('price', 1)));
    expectOk(await v1.close());
    const specs = {
      ...RECORD_SPECS,
      price: extendSpec(RECORD_SPECS.price, { fdv_required: decimal('test-only, required') }),
    };
    const broken = writer(prefix, specs, { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 } });
    const plan = expectOk(await broken.planSchema());
    expect(plan.filter((c) => !c.ok)).toEqual([
      expect.objectContaining({ area: 'registry', target: subject, action: 'register version 2' }),
    ]);
    expect(plan.find((c) => !c.ok)!.reason).toMatch(/field "fdv_required" is new and required/);
    const applied = await broken.applySchema();
    expect(applied.ok).toBe(false);

    const r = await broken.publishBatch(
      sampleRecords('price', 1, 1).map((x) => ({ ...(x as object), fdv_required: '1' })),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('QI_KAFKA_CODEC_SCHEMA_INCOMPATIBLE');
      expect(r.error.category).toBe('config');
      expect(r.error.message).toContain(subject);
      expect(r.error.message).toContain('fdv_required');
    }
    await broken.close();
    const versions = (await fetch(`${REGISTRY_URL}/subjects/${subject}/versions`).then((x) =>
      x.json(),
    )) as number[];
    expect(versions).toEqual([1]);
    // and never a silent fallback: the topic holds only the one Confluent-framed record of v1
    const messages = await readTopic(streaming, `${prefix}prices`);
    expect(messages.map((m) => m.value![0])).toEqual([0]);
  });

  it('an unreachable registry is a retryable error, retried by the writer like any service', async () => {
    const prefix = newPrefix();
    const w = writer(prefix, undefined, {
      schemaRegistry: { url: 'http://127.0.0.1:9/apis/ccompat/v7' },
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
    });
    const r = await w.publishBatch(sampleRecords('price', 1));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('QI_RETRIES_EXHAUSTED');
      expect(r.error.message).toMatch(/3 attempts/);
      expect(JSON.stringify(r.error.context)).toContain('QI_KAFKA_CODEC_REGISTRY_UNAVAILABLE');
    }
    await w.close();
  });
});
