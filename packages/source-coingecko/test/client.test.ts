import { realClock } from '@qi/core';
import { CoinGeckoClient, parseRetryAfter, RateLimiter } from '../src/index';
import type { StandIn } from '../src/testing/stand-in';
import { manualClock, standIn } from './helpers';

const KEY = 'CG-secret-key-do-not-print';

function clientFor(s: StandIn, o: Partial<ConstructorParameters<typeof CoinGeckoClient>[0]> = {}) {
  const clock = o.clock ?? manualClock();
  return new CoinGeckoClient({
    baseUrl: s.url,
    timeoutMs: 2_000,
    retry: { maxAttempts: 4, initialDelayMs: 1_000, maxDelayMs: 60_000 },
    limiter: new RateLimiter(10_000, 60_000, clock),
    clock,
    ...o,
  });
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as {
      code: string;
      message: string;
      category: string;
      retryable: boolean;
      context: Record<string, unknown>;
    };
  }
  throw new Error('expected a failure');
}

describe('client retry rules', () => {
  let s: StandIn;
  beforeAll(async () => {
    s = await standIn();
  });
  afterAll(() => s.close());
  beforeEach(() => s.reset());

  it('honours Retry-After (seconds) on 429, then succeeds', async () => {
    const clock = manualClock();
    s.inject({ fault: { kind: 'rate-limit', retryAfterSeconds: 7 }, times: 2 });
    expect(await clientFor(s, { clock }).get('/ping')).toEqual({ gecko_says: '(V3) To the Moon!' });
    expect(s.count('/ping')).toBe(3);
    expect(clock.sleeps).toHaveLength(2);
    for (const ms of clock.sleeps) expect(ms).toBeGreaterThanOrEqual(7_000);
  });

  it('backs off exponentially on 429 without Retry-After', async () => {
    const clock = manualClock();
    s.inject({ fault: { kind: 'rate-limit' }, times: 3 });
    await clientFor(s, { clock }).get('/ping');
    expect(s.count('/ping')).toBe(4);
    // full-jitter backoff: each delay is within [base/2, base] of 1 s, 2 s, 4 s
    clock.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(500 * 2 ** i);
      expect(ms).toBeLessThanOrEqual(1_000 * 2 ** i);
    });
  });

  it('retries 5xx and CDN HTML pages; gives up after maxAttempts saying how many', async () => {
    s.inject({ fault: { kind: 'server-error', status: 502 } });
    s.inject({ fault: { kind: 'cdn-html' } });
    await clientFor(s).get('/global');
    expect(s.count('/global')).toBe(3);
    s.reset();
    s.inject({ fault: { kind: 'server-error', status: 503 }, times: Number.POSITIVE_INFINITY });
    const e = await failure(clientFor(s).get('/global'));
    expect(e.code).toBe('QI_RETRIES_EXHAUSTED');
    expect(e.message).toMatch(/gave up after 4 attempts: CoinGecko 503 on \/global/);
    expect(s.count('/global')).toBe(4);
  });

  it.each([
    [
      { kind: 'bad-request', message: 'invalid vs_currency' } as const,
      'QI_SOURCE_COINGECKO_BAD_REQUEST',
      /invalid vs_currency/,
    ],
    [
      { kind: 'missing-key' } as const,
      'QI_SOURCE_COINGECKO_KEY_MISSING',
      /code 10002.*API Key Missing.*set apiKey/,
    ],
    [
      { kind: 'not-found' } as const,
      'QI_SOURCE_COINGECKO_NOT_FOUND',
      /404 on \/coins\/bitcoin\/ohlc: coin not found/,
    ],
    [
      { kind: 'wrong-host', code: 10011 } as const,
      'QI_SOURCE_COINGECKO_WRONG_HOST',
      /code 10011.*Demo key: set plan "demo"/,
    ],
    [
      { kind: 'wrong-host', code: 10010 } as const,
      'QI_SOURCE_COINGECKO_WRONG_HOST',
      /code 10010.*Pro key: set plan "pro"/,
    ],
    [
      { kind: 'plan-restricted' } as const,
      'QI_SOURCE_COINGECKO_PLAN_RESTRICTED',
      /code 10005.*not available on your plan/,
    ],
  ])('never retries %o', async (fault, code, message) => {
    s.inject({ fault, times: 5 });
    const e = await failure(clientFor(s).get('/coins/bitcoin/ohlc', { vs_currency: 'usd', days: 1 }));
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(message);
    expect(s.count('/coins/bitcoin/ohlc')).toBe(1);
  });

  it('a firewall HTML page (403) is an auth error, not retried, and says what answered', async () => {
    s.inject({ fault: { kind: 'cdn-html', status: 403 }, times: 5 });
    const e = await failure(clientFor(s).get('/ping'));
    expect([e.code, e.retryable]).toEqual(['QI_SOURCE_COINGECKO_AUTH', false]);
    expect(e.message).toMatch(/CoinGecko 403 on \/ping: .*HTML page, not the API/);
    expect(s.count('/ping')).toBe(1);
  });

  it('times out slow answers and retries them', async () => {
    s.inject({ fault: { kind: 'slow', delayMs: 30_000 } });
    expect(await clientFor(s, { timeoutMs: 200 }).get('/ping')).toBeDefined();
    expect(s.count('/ping')).toBe(2);
    s.inject({ fault: { kind: 'slow', delayMs: 30_000 }, times: 2 });
    const e = await failure(
      clientFor(s, { timeoutMs: 200, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 } }).get(
        '/ping',
      ),
    );
    expect(e.code).toBe('QI_RETRIES_EXHAUSTED');
    expect(e.message).toMatch(/did not answer \/ping within 200 ms/);
  });

  it('retries network errors (nothing listening)', async () => {
    const dead = await standIn();
    const url = dead.url;
    await dead.close();
    const e = await failure(
      clientFor({ ...s, url } as StandIn, {
        retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
      }).get('/ping'),
    );
    expect(e.code).toBe('QI_RETRIES_EXHAUSTED');
    expect(e.message).toMatch(/unreachable on \/ping: ECONNREFUSED/);
  });
});

describe('abort', () => {
  let s: StandIn;
  beforeAll(async () => {
    s = await standIn();
  });
  afterAll(() => s.close());

  it('cancels an in-flight request', async () => {
    s.inject({ fault: { kind: 'slow', delayMs: 120_000 } });
    const controller = new AbortController();
    s.server.once('request', () => setImmediate(() => controller.abort()));
    const e = await failure(
      clientFor(s, { clock: realClock, timeoutMs: 120_000 }).get('/ping', {}, controller.signal),
    );
    expect(e.code).toBe('QI_ABORTED');
  });

  it('cancels a Retry-After wait, and the client-wide signal (shutdown) cancels too', async () => {
    s.inject({ fault: { kind: 'rate-limit', retryAfterSeconds: 3600 } });
    const shutdown = new AbortController();
    const clock = {
      now: realClock.now,
      sleep: (ms: number, signal?: AbortSignal) => {
        shutdown.abort();
        return realClock.sleep(ms, signal);
      },
    };
    const e = await failure(clientFor(s, { clock, signal: shutdown.signal }).get('/ping'));
    expect(e.code).toBe('QI_ABORTED');
  });

  it('cancels a wait for the rate limiter, and close() aborts everything', async () => {
    const client = clientFor(s, { clock: realClock, limiter: new RateLimiter(1, 60_000, realClock) });
    await client.get('/ping');
    const controller = new AbortController();
    const waiting = client.get('/ping', {}, controller.signal);
    setImmediate(() => controller.abort());
    expect((await failure(waiting)).code).toBe('QI_ABORTED');
    const second = client.get('/ping');
    setImmediate(() => client.close());
    expect((await failure(second)).code).toBe('QI_ABORTED');
  });
});

describe('keys', () => {
  it('sends the plan header; the key never appears in errors', async () => {
    const pro = await standIn({ plan: 'pro', apiKey: KEY });
    try {
      await clientFor(pro, { header: 'x-cg-pro-api-key', apiKey: KEY }).get('/ping');
      expect(pro.requests[0]).toMatchObject({ proKey: true, demoKey: false, status: 200 });
      const demoOnPro = await failure(
        clientFor(pro, { header: 'x-cg-demo-api-key', apiKey: KEY }).get('/ping'),
      );
      expect(demoOnPro.code).toBe('QI_SOURCE_COINGECKO_WRONG_HOST');
      const wrong = await failure(
        clientFor(pro, { header: 'x-cg-pro-api-key', apiKey: 'CG-wrong' }).get('/ping'),
      );
      expect(wrong.code).toBe('QI_SOURCE_COINGECKO_AUTH');
      const none = await failure(clientFor(pro).get('/ping'));
      expect(none.code).toBe('QI_SOURCE_COINGECKO_KEY_MISSING');
      for (const e of [demoOnPro, wrong, none])
        expect(JSON.stringify({ m: e.message, c: e.context })).not.toContain(KEY);
    } finally {
      await pro.close();
    }
  });

  it('reads Retry-After as seconds or an HTTP date, bounded', () => {
    expect(parseRetryAfter('7', 0)).toBe(7_000);
    expect(parseRetryAfter(new Date(30_000).toUTCString(), 0)).toBe(30_000);
    expect(parseRetryAfter('99999', 0)).toBe(600_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
