import { silentLogger } from '@qi/core';
import {
  CLIENT_NAMES,
  connectionOf,
  createConnector,
  createStreamingClient,
  redactConfig,
  streamingConfigSchema,
} from '../src/index';

describe('streaming config', () => {
  it('defaults to kafkajs on the local broker', () => {
    const c = streamingConfigSchema.parse({});
    expect(c).toMatchObject({
      client: 'kafkajs',
      clientId: 'qi',
      brokers: ['127.0.0.1:9092'],
      ssl: false,
      retries: 5,
    });
  });

  it('describes every field (the README table is generated from it)', () => {
    for (const [name, field] of Object.entries(streamingConfigSchema.shape))
      expect([name, field.description ?? '']).not.toEqual([name, '']);
  });

  it('redacts the SASL password and the TLS key', () => {
    const c = streamingConfigSchema.parse({
      sasl: { mechanism: 'scram-sha-512', username: 'qi', password: 'hunter2' },
      ssl: { key: 'PRIVATE' },
    });
    const text = JSON.stringify(redactConfig(c));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('PRIVATE');
    expect(text).toContain('scram-sha-512');
  });

  it('rejects a bad config with the path and what was expected, without echoing secrets', async () => {
    const r = await createStreamingClient({
      brokers: ['no-port'],
      client: 'kafkajs',
      sasl: { mechanism: 'gssapi' as never, username: 'u', password: 'hunter2' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('QI_STREAMING_CONFIG');
      expect(r.error.message).toContain('brokers.0: expected host:port');
      expect(r.error.message).toContain('sasl.mechanism');
      expect(r.error.message).not.toContain('hunter2');
    }
  });

  it('picks the connection settings out of a plugin config, and nothing else', () => {
    const plugin = {
      ...streamingConfigSchema.parse({ client: 'platformatic', brokers: ['k:9092'] }),
      groupId: 'g',
      topics: ['t'],
      sasl: undefined,
    };
    const c = connectionOf(plugin);
    expect(Object.keys(c).sort()).toEqual(
      ['brokers', 'client', 'clientId', 'connectionTimeoutMs', 'requestTimeoutMs', 'retries', 'ssl'].sort(),
    );
    expect(streamingConfigSchema.parse(c)).toEqual(
      streamingConfigSchema.parse({ client: 'platformatic', brokers: ['k:9092'] }),
    );
  });

  it.each(CLIENT_NAMES)(
    'has a connector for client %s (missing library -> the install line)',
    async (client) => {
      const missing = (s: string) =>
        Promise.reject(
          Object.assign(new Error(`Cannot find module '${s}'`), { code: 'ERR_MODULE_NOT_FOUND' }),
        );
      const r = await createConnector(streamingConfigSchema.parse({ client }), silentLogger(), missing);
      expect(r.ok ? 'loaded' : r.error.code).toBe('QI_STREAMING_CLIENT_MISSING');
    },
  );
});
