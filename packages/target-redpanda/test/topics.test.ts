import { generateTopics, parseRecord } from '@qi/core';
import { sampleAnalytics, sampleLevel1, samplePrice } from '@qi/core/testkit';
import plugin, { configSchema, createTopicRouter, topicConfigs } from '../src/index';

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
