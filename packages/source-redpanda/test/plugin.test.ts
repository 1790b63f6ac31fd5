import { isQiPlugin, z } from '@qi/core';
import { testContext } from '@qi/core/testkit';
import plugin, {
  configSchema,
  consumerOptions,
  createRedpandaReader,
  queueBound,
  topicsOf,
} from '../src/index';

describe('plugin and config', () => {
  it('is a source plugin whose every config field is described', () => {
    expect(isQiPlugin(plugin)).toBe(true);
    expect(plugin.kind).toBe('source');
    const json = z.toJSONSchema(configSchema, { io: 'input' }) as {
      properties: Record<string, { description?: string }>;
    };
    const undescribed = Object.entries(json.properties)
      .filter(([, p]) => !p.description)
      .map(([k]) => k);
    expect(undescribed).toEqual([]);
  });

  it('defaults to the DSL topics with the prefix, a group per pipeline and a queue of one batch', () => {
    const c = configSchema.parse({});
    expect(topicsOf(c)).toEqual(['qi.prices', 'qi.ohlcv', 'qi.market_analytics', 'qi.level1']);
    expect(topicsOf(configSchema.parse({ topicPrefix: 'x.' }))[0]).toBe('x.prices');
    expect(queueBound(c)).toBe(c.maxBatchRecords);
    // the connector's hold is bounded by the source's settings, whichever client reads
    expect(consumerOptions(c, 'g')).toMatchObject({
      maxBytes: 2 * 1024 * 1024,
      maxHeldMessages: c.maxBatchRecords / 2,
      maxHeldBytes: c.maxQueuedBytes / 2,
    });
    expect(consumerOptions(configSchema.parse({ client: 'platformatic' }), 'g').maxBytes).toBe(1024 * 1024);
    const reader = createRedpandaReader({}, testContext({ pipeline: 'prices' }));
    expect(reader.handler.groupId).toBe('qi.prices');
  });

  it('refuses a bad config with the path of each problem', () => {
    expect(() =>
      createRedpandaReader({ brokers: ['nohost'], maxBatchRecords: 0 } as never, testContext()),
    ).toThrow(/brokers\.0: expected host:port; maxBatchRecords/);
  });

  it('says not supported for point queries when the cache is off', async () => {
    const reader = createRedpandaReader({ cacheKeys: 0 }, testContext());
    const r = await reader.getCurrentPrices(['bitcoin']);
    expect(r.ok ? null : r.error.code).toBe('QI_NOT_SUPPORTED');
  });
});
