import { createServer, type Socket } from 'node:net';
import kafkajs from 'kafkajs';
import { type StreamingConfigInput, streamingConfigSchema } from '../../src/config';
import { describeTopicConfigs } from '../../src/connectors/rdkafka/describe-configs';
import { BROKERS, requireBroker, unique } from '../helpers';

const config = (extra: Partial<StreamingConfigInput> = {}) =>
  streamingConfigSchema.parse({ clientId: 'qi-describe-configs', brokers: BROKERS, ...extra });

describe('rdkafka describeTopicConfigs (DescribeConfigs over the wire)', () => {
  const admin = new kafkajs.Kafka({
    clientId: 'qi-describe-configs-setup',
    brokers: [...BROKERS],
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  const a = unique('qi-describe-configs-a');
  const b = unique('qi-describe-configs-b');

  beforeAll(async () => {
    await requireBroker();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: a,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [
            { name: 'retention.ms', value: '3600000' },
            { name: 'cleanup.policy', value: 'delete' },
          ],
        },
        {
          topic: b,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'retention.ms', value: '7200000' }],
        },
      ],
    });
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [a, b] }).catch(() => undefined);
    await admin.disconnect();
  });

  it("returns the topic's own configs and the broker defaults", async () => {
    const r = await describeTopicConfigs(config(), [a]);
    if (!r.ok) throw r.error;
    expect(Object.keys(r.value)).toEqual([a]);
    const configs = r.value[a]!;
    expect(configs['retention.ms']).toBe('3600000');
    expect(configs['cleanup.policy']).toBe('delete');
    // defaults the topic did not set: the broker reports them too
    expect(configs['max.message.bytes']).toMatch(/^\d+$/);
    expect(configs['min.insync.replicas']).toBe('1');
    expect(Object.keys(configs).length).toBeGreaterThan(20);
    expect(Object.values(configs).every((v) => typeof v === 'string')).toBe(true);
  });

  it('describes two topics in one call, each with its own values', async () => {
    const r = await describeTopicConfigs(config(), [a, b, a]);
    if (!r.ok) throw r.error;
    expect(Object.keys(r.value).sort()).toEqual([a, b].sort());
    expect(r.value[a]!['retention.ms']).toBe('3600000');
    expect(r.value[b]!['retention.ms']).toBe('7200000');
    expect(r.value[b]!['cleanup.policy']).toBe('delete');
  });

  it('tries the brokers in order: an unreachable first broker is skipped', async () => {
    const r = await describeTopicConfigs(config({ brokers: ['127.0.0.1:1', ...BROKERS] }), [a]);
    if (!r.ok) throw r.error;
    expect(r.value[a]!['retention.ms']).toBe('3600000');
  });

  it('an unknown topic is UNKNOWN_TOPIC', async () => {
    const missing = unique('qi-describe-configs-missing');
    const r = await describeTopicConfigs(config(), [a, missing]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('QI_STREAMING_UNKNOWN_TOPIC');
    expect(r.error.category).toBe('not-found');
    expect(r.error.context.topic).toBe(missing);
    expect(r.error.message).toContain(missing);
  });

  it('an unreachable broker is a retryable network error', async () => {
    const r = await describeTopicConfigs(config({ brokers: ['127.0.0.1:1'] }), [a]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('QI_STREAMING_NETWORK');
    expect(r.error.category).toBe('network');
    expect(r.error.retryable).toBe(true);
    expect(r.error.message).toContain('127.0.0.1:1');
  });

  it('a listener that never answers is a retryable timeout after requestTimeoutMs', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const r = await describeTopicConfigs(
        config({ brokers: [`127.0.0.1:${port}`], requestTimeoutMs: 300 }),
        [a],
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('QI_STREAMING_TIMEOUT');
      expect(r.error.retryable).toBe(true);
      expect(r.error.message).toContain('DescribeConfigs');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('TLS against the plaintext listener fails as a network error, not a hang', async () => {
    const r = await describeTopicConfigs(
      config({ ssl: { rejectUnauthorized: false }, connectionTimeoutMs: 10_000 }),
      [a],
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.category).toBe('network');
    expect(r.error.message).toContain(BROKERS[0]);
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'SASL %s against a listener without SASL is an auth error without the password',
    async (mechanism) => {
      const password = 'not-to-be-leaked-9f3a';
      const r = await describeTopicConfigs(config({ sasl: { mechanism, username: 'qi', password } }), [a]);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('QI_STREAMING_AUTHENTICATION');
      expect(r.error.category).toBe('auth');
      expect(r.error.retryable).toBe(false);
      expect(r.error.message).toContain('authentication failed');
      expect(JSON.stringify(r.error)).not.toContain(password);
      expect(r.error.message).not.toContain(password);
    },
  );

  it('no topics: no connection, an empty answer', async () => {
    const r = await describeTopicConfigs(config({ brokers: ['127.0.0.1:1'] }), []);
    expect(r).toEqual({ ok: true, value: {} });
  });
});
