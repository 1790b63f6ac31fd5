import { generateTopics, parseRecord, qiError } from '@qi/core';
import { sampleAnalytics, sampleLevel1, samplePrice } from '@qi/core/testkit';
import { type StreamingAdmin, StreamingErrors } from '@qi/streaming';
import plugin, { configSchema, createTopicRouter, ensureTopics, topicConfigs } from '../src/index';

const rec = (r: unknown) => {
  const p = parseRecord(r);
  if (!p.ok) throw p.error;
  return p.value;
};

describe('topics', () => {
  it('defaults to the DSL generator topics', () => {
    const c = configSchema.parse({});
    const configs = topicConfigs(c);
    expect(Object.values(configs).map((t) => t.topic)).toEqual([
      'qi.prices',
      'qi.ohlcv',
      'qi.market_analytics',
      'qi.level1',
    ]);
    expect(Object.values(configs)).toEqual(generateTopics());
  });

  it('applies per-kind names, prefix, partitions, retention and broker compression', () => {
    const c = configSchema.parse({
      topicPrefix: 'md.',
      topics: { level1: 'quotes' },
      partitions: 12,
      retentionMs: 1000,
      topicCompression: 'lz4',
    });
    const t = topicConfigs(c);
    expect([t.price.topic, t.level1.topic]).toEqual(['md.prices', 'quotes']);
    expect(t.ohlcv).toMatchObject({
      partitions: 12,
      configs: { 'retention.ms': '1000', 'compression.type': 'lz4' },
    });
  });

  it('routes by exchange with a template, "all" for kinds without one, and sanitises names', () => {
    const route = createTopicRouter(configSchema.parse({ topicTemplate: '{prefix}{kind}.{exchange}' }));
    expect(route(rec(sampleLevel1(1)))).toBe('qi.level1.kraken');
    expect(route(rec(samplePrice(1, { exchange: 'gate io/spot' })))).toBe('qi.price.gate_io_spot');
    expect(route(rec(sampleAnalytics(1)))).toBe('qi.analytics.all');
    const plain = createTopicRouter(configSchema.parse({}));
    expect(plain(rec(sampleLevel1(1)))).toBe('qi.level1');
  });
});

describe('ensureTopics', () => {
  it('retries NOT_LEADER right after creating topics, then reports what it did', async () => {
    const notLeader = Object.assign(new Error('This server is not the leader for that topic-partition'), {
      name: 'KafkaJSProtocolError',
      type: 'NOT_LEADER_OR_FOLLOWER',
    });
    const calls: string[] = [];
    let describeFailures = 2;
    // only the admin calls' outcomes matter here; the real broker path is in test/integration
    const admin = {
      listTopics: async () => ({ ok: true, value: topics.map((t) => t.topic) }),
      createTopics: async (ts: Array<{ topic: string }>) => {
        calls.push('create');
        return { ok: true, value: calls.length === 1 ? [] : ts.map((t) => t.topic) };
      },
      describeTopics: async (names: string[]) => {
        calls.push('describe');
        if (describeFailures-- > 0) throw notLeader;
        return { ok: true, value: names.map((topic) => ({ topic, partitions: [{}, {}, {}] })) };
      },
    } as unknown as StreamingAdmin;
    const topics = Object.values(topicConfigs(configSchema.parse({ brokers: ['b:9092'], partitions: 3 })));
    const r = await ensureTopics(admin, topics, undefined, {
      maxAttempts: 5,
      initialDelayMs: 1,
      maxDelayMs: 1,
      factor: 1,
      jitter: false,
    });
    expect(r).toMatchObject({ ok: true, value: { created: [], mismatched: [] } });
    expect(calls).toEqual(['create', 'describe', 'describe', 'describe']);
  });

  it('reports topics as created when the create request timed out after the broker made them', async () => {
    const topics = Object.values(topicConfigs(configSchema.parse({ brokers: ['b:9092'], partitions: 3 })));
    const onBroker = new Set<string>(['unrelated']);
    let attempts = 0;
    const admin = {
      listTopics: async () => ({ ok: true, value: [...onBroker] }),
      createTopics: async (ts: Array<{ topic: string }>) => {
        attempts++;
        const made = ts.filter((t) => !onBroker.has(t.topic)).map((t) => t.topic);
        for (const t of made) onBroker.add(t);
        if (attempts === 1)
          return { ok: false, error: qiError(StreamingErrors.TIMEOUT, 'Request timed out') };
        return { ok: true, value: made };
      },
      describeTopics: async (names: string[]) => ({
        ok: true,
        value: names.map((topic) => ({ topic, partitions: [{}, {}, {}] })),
      }),
    } as unknown as StreamingAdmin;
    const r = await ensureTopics(admin, topics, undefined, {
      maxAttempts: 3,
      initialDelayMs: 1,
      maxDelayMs: 1,
      factor: 1,
      jitter: false,
    });
    expect(attempts).toBe(2);
    expect(r).toMatchObject({ ok: true, value: { existing: [], mismatched: [] } });
    expect(r.ok && [...r.value.created].sort()).toEqual(topics.map((t) => t.topic).sort());
  });
});

describe('plugin', () => {
  it('is a branded target plugin whose config fields are all described', () => {
    expect(plugin.name).toBe('@qi/target-redpanda');
    expect(plugin.kind).toBe('target');
    for (const [name, field] of Object.entries(configSchema.shape))
      expect([name, (field as { description?: string }).description ?? '']).not.toEqual([name, '']);
  });

  it('defaults to a durable producer: acks all, idempotent, kafkajs, JSON', () => {
    expect(configSchema.parse({})).toMatchObject({
      client: 'kafkajs',
      acks: -1,
      idempotent: true,
      serialization: 'json',
      ensureTopics: true,
      deadLetterTopic: 'qi.dead-letter',
    });
  });
});
