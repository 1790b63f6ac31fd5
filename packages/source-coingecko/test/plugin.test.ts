import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, isQiPlugin } from '@qi/core';
import { testContext } from '@qi/core/testkit';
import plugin, { configSchema, createCoinGeckoReader, PLANS, resolveConnection } from '../src/index';
import { standIn } from './helpers';

const parse = (input: object) => configSchema.parse(input);

describe('plugin and config', () => {
  it('is a branded source plugin whose schema fills documented defaults', () => {
    expect(isQiPlugin(plugin)).toBe(true);
    expect([plugin.name, plugin.kind, plugin.apiVersion]).toEqual([
      '@qi/source-coingecko',
      'source',
      '^1.0.0',
    ]);
    const c = parse({});
    expect(c).toMatchObject({
      coins: ['bitcoin', 'ethereum', 'solana', 'ripple', 'dogecoin'],
      vsCurrencies: ['usd'],
      intervalMs: 30_000,
      analyticsIntervalMs: 600_000,
      prices: { enabled: true, endpoint: 'simple', perPage: 250 },
      ohlcv: { enabled: true, days: '1', intervalMs: 900_000 },
      level1: { enabled: false },
      timeoutMs: 10_000,
      retry: { maxAttempts: 5 },
    });
    expect((configSchema.shape.apiKey.unwrap().meta() as { secret?: boolean }).secret).toBe(true);
    const undescribed = (
      shape: Record<string, { description?: string; def?: { innerType?: { shape?: object } } }>,
      at = '',
    ): string[] =>
      Object.entries(shape).flatMap(([name, f]) => [
        ...(f.description ? [] : [`${at}${name}`]),
        ...(f.def?.innerType?.shape ? undescribed(f.def.innerType.shape as never, `${at}${name}.`) : []),
      ]);
    expect(undescribed(configSchema.shape as never)).toEqual([]);
    expect(undescribed(configSchema.shape.ohlcv.def.innerType.shape as never)).toEqual([]);
    // …and every field is in the README's config table
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const fields = (shape: Record<string, { def?: { innerType?: { shape?: object } } }>, at = ''): string[] =>
      Object.entries(shape).flatMap(([name, f]) =>
        f.def?.innerType?.shape ? fields(f.def.innerType.shape as never, `${at}${name}.`) : [`${at}${name}`],
      );
    expect(fields(configSchema.shape as never)).toContain('ohlcv.days');
    expect(fields(configSchema.shape as never).filter((f) => !readme.includes(`| \`${f}\` |`))).toEqual([]);
    expect(configSchema.safeParse({ prices: { perPage: 251 } }).success).toBe(false);
    expect(configSchema.safeParse({ ohlcv: { days: '2' } }).success).toBe(false);
  });

  it('resolves plan, host, key and rate: config > environment > plan default', () => {
    expect(resolveConnection(parse({}), {})).toEqual({
      plan: 'public',
      baseUrl: PLANS.public.baseUrl,
      header: undefined,
      apiKey: undefined,
      rateLimitPerMinute: 10,
    });
    expect(resolveConnection(parse({}), { COINGECKO_API_KEY: 'CG-env' })).toMatchObject({
      plan: 'demo',
      header: 'x-cg-demo-api-key',
      apiKey: 'CG-env',
      rateLimitPerMinute: 30,
    });
    expect(
      resolveConnection(parse({ plan: 'pro', apiKey: 'CG-cfg' }), { COINGECKO_API_KEY: 'CG-env' }),
    ).toMatchObject({
      baseUrl: 'https://pro-api.coingecko.com/api/v3',
      header: 'x-cg-pro-api-key',
      apiKey: 'CG-cfg',
      rateLimitPerMinute: 500,
    });
    expect(resolveConnection(parse({}), { COINGECKO_BASE_URL: 'http://127.0.0.1:1/api/v3/' }).baseUrl).toBe(
      'http://127.0.0.1:1/api/v3',
    );
    expect(
      resolveConnection(parse({ baseUrl: 'http://cfg.example/api/v3', rateLimitPerMinute: 7 }), {
        COINGECKO_BASE_URL: 'http://env.example',
      }),
    ).toMatchObject({
      baseUrl: 'http://cfg.example/api/v3',
      rateLimitPerMinute: 7,
    });
    expect(() => createCoinGeckoReader({ plan: 'pro' }, testContext(), { env: {} })).toThrow(
      expect.objectContaining({
        code: 'QI_SOURCE_COINGECKO_CONFIG',
        message: expect.stringMatching(/COINGECKO_API_KEY/),
      }),
    );
  });

  it('talks to a demo host with the demo header; the key stays out of health and errors', async () => {
    const s = await standIn({ plan: 'demo', apiKey: 'CG-demo-secret' });
    try {
      const reader = createCoinGeckoReader({ baseUrl: s.url }, testContext(), {
        env: { COINGECKO_API_KEY: 'CG-demo-secret' },
      });
      expect((await reader.getCurrentPrice('bitcoin')).ok).toBe(true);
      expect(s.requests.every((r) => r.demoKey && !r.proKey && r.status === 200)).toBe(true);
      const health = await reader.health();
      expect(health.ok).toBe(true);
      expect(health.details).toMatchObject({ plan: 'demo', baseUrl: s.url, rateLimitPerMinute: 30 });
      expect(JSON.stringify(health)).not.toContain('CG-demo-secret');
      await reader.close();
      const pro = createCoinGeckoReader(
        { baseUrl: s.url, plan: 'pro', apiKey: 'CG-demo-secret' },
        testContext(),
        { env: {} },
      );
      const r = await pro.getMarketAnalytics();
      expect(!r.ok && r.error.code).toBe('QI_SOURCE_COINGECKO_WRONG_HOST');
      expect(!r.ok && r.error.message).toMatch(/code 10010/);
      expect(JSON.stringify(!r.ok && r.error)).not.toContain('CG-demo-secret');
      await pro.close();
    } finally {
      await s.close();
    }
  });
});

describe('logs', () => {
  it('name the plugin once, whether or not the host bound it already', () => {
    for (const bound of [true, false]) {
      const lines: string[] = [];
      const base = createLogger({ level: 'warn', destination: { write: (l: string) => void lines.push(l) } });
      const logger = bound ? base.child({ pipeline: 'p', plugin: '@qi/source-coingecko' }) : base;
      // plan "public" with an apiKey is a warning at create time
      createCoinGeckoReader({ plan: 'public', apiKey: 'k' } as never, testContext({ logger }));
      expect(lines).toHaveLength(1);
      expect(lines[0]!.match(/"plugin":/g)).toHaveLength(1);
      expect(JSON.parse(lines[0]!).plugin).toBe('@qi/source-coingecko');
    }
  });
});
