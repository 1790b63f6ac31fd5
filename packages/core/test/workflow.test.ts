import { BaseWriter, backoffDelay, CircuitBreaker, type Clock, qiError, retry } from '../src/index';
import { createMemoryHandler, samplePrice, sampleRecords } from '../src/testkit/index';

/** A clock whose sleeps complete when the test advances time: no real waiting. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return {
    clock,
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const retryable = qiError({ code: 'T_DOWN', category: 'unavailable', retryable: true }, 'down');
const fatal = qiError({ code: 'T_AUTH', category: 'auth', retryable: false }, 'bad password');

describe('retry', () => {
  it('retries retryable errors with growing, jittered delays and then succeeds', async () => {
    const { clock, sleeps } = fakeClock();
    let calls = 0;
    const out = await retry(
      async () => {
        if (++calls < 4) throw retryable;
        return 'done';
      },
      (e) => e as never,
      { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: true },
      { clock, random: () => 1 },
    );
    expect(out).toBe('done');
    expect(calls).toBe(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });
  it('jitters by "equal jitter": each delay lies in [backoff / 2, backoff], never shorter', () => {
    const policy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: true };
    expect([0, 0.5, 1].map((r) => backoffDelay(policy, 3, () => r))).toEqual([200, 300, 400]);
    expect(backoffDelay({ ...policy, jitter: false }, 3, () => 0)).toBe(400);
    expect(backoffDelay(policy, 10, () => 0)).toBe(500); // half the cap
  });
  it('lets the caller set the wait before the next attempt from the error (0: the next attempt waits for something else)', async () => {
    const { clock, sleeps } = fakeClock();
    const now = qiError({ code: 'T_REJOIN', category: 'unavailable', retryable: true }, 'rejoin');
    const seen: number[] = [];
    let calls = 0;
    await retry(
      async () => {
        calls++;
        if (calls === 1) throw now;
        if (calls === 2) throw retryable;
      },
      (e) => e as never,
      { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: false },
      {
        clock,
        delay: (e, _attempt, backoffMs) => (e.code === 'T_REJOIN' ? 0 : backoffMs),
        onRetry: (_e, _attempt, delayMs) => void seen.push(delayMs),
      },
    );
    expect(calls).toBe(3);
    expect(seen).toEqual([0, 200]);
    expect(sleeps).toEqual([0, 200]);
  });
  it('never retries a non-retryable error', async () => {
    const { clock, sleeps } = fakeClock();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw fatal;
        },
        (e) => e as never,
        undefined,
        { clock },
      ),
    ).rejects.toMatchObject({ code: 'T_AUTH' });
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });
  it('never retries a programmer error, whatever the classifier says', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new TypeError('x is undefined');
        },
        () => retryable,
        undefined,
        { clock: fakeClock().clock },
      ),
    ).rejects.toMatchObject({ code: 'QI_PROGRAMMER' });
    expect(calls).toBe(1);
  });
  it('says how many attempts were made when it gives up', async () => {
    await expect(
      retry(
        async () => {
          throw retryable;
        },
        (e) => e as never,
        { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1, factor: 2, jitter: false },
        { clock: fakeClock().clock },
      ),
    ).rejects.toMatchObject({
      code: 'QI_RETRIES_EXHAUSTED',
      message: 'gave up after 3 attempts: down',
      context: { attempts: 3 },
    });
  });
  it('honours a Retry-After hint longer than the backoff', async () => {
    const { clock, sleeps } = fakeClock();
    let calls = 0;
    const hinted = qiError({ code: 'T_429', category: 'rate-limit', retryable: true }, 'slow down', {
      retryAfterMs: 7000,
    });
    await retry(
      async () => {
        if (++calls < 2) throw hinted;
      },
      (e) => e as never,
      undefined,
      { clock, random: () => 1 },
    );
    expect(sleeps).toEqual([7000]);
  });
});

describe('circuit breaker', () => {
  it('opens after N failures, fails fast, half-opens after the timeout, and closes on success', async () => {
    const { clock, advance } = fakeClock();
    const states: string[] = [];
    const b = new CircuitBreaker(
      { failureThreshold: 3, resetTimeoutMs: 5000, successThreshold: 1 },
      clock,
      (s) => states.push(s),
    );
    const classify = (e: unknown) => e as never;
    let calls = 0;
    const failing = async () => {
      calls++;
      throw retryable;
    };
    for (let i = 0; i < 3; i++) await expect(b.execute(failing, classify)).rejects.toBe(retryable);
    expect(b.state).toBe('open');
    await expect(b.execute(failing, classify)).rejects.toMatchObject({
      code: 'QI_BREAKER_OPEN',
      retryAfterMs: 5000,
    });
    expect(calls).toBe(3); // the open circuit did not call through
    advance(5000);
    expect(b.state).toBe('half-open');
    // the trial fails: open again, reported as the open circuit (the outage goes on), caused by the trial's error
    await expect(b.execute(failing, classify)).rejects.toMatchObject({
      code: 'QI_BREAKER_OPEN',
      cause: retryable,
    });
    expect(b.state).toBe('open');
    advance(5000);
    await expect(b.execute(async () => 'ok', classify)).resolves.toBe('ok');
    expect(b.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
  it('does not count data errors as service failures', async () => {
    const b = new CircuitBreaker(
      { failureThreshold: 1, resetTimeoutMs: 1000, successThreshold: 1 },
      fakeClock().clock,
    );
    await expect(
      b.execute(
        async () => {
          throw fatal;
        },
        (e) => e as never,
      ),
    ).rejects.toBe(fatal);
    expect(b.state).toBe('closed');
  });
});

describe('BaseWriter', () => {
  it('rides out an outage with retries and loses nothing', async () => {
    const mem = createMemoryHandler({ failTimes: 3 });
    const { clock } = fakeClock();
    const w = new BaseWriter({ name: 'm', handler: mem.handler, clock, batch: { size: 10, lingerMs: 0 } });
    const r = await w.publishPrices(sampleRecords('price', 25) as never);
    expect(r).toEqual({ ok: true, value: { written: 25, rejected: [] } });
    expect(mem.rows.size).toBe(25);
    await w.close();
  });
  it('fails the publish without retrying when the error is not retryable', async () => {
    const mem = createMemoryHandler({ failTimes: 1, retryable: false });
    const w = new BaseWriter({
      name: 'm',
      handler: mem.handler,
      clock: fakeClock().clock,
      batch: { size: 10, lingerMs: 0 },
    });
    const r = await w.publishPrices(sampleRecords('price', 5) as never);
    expect(r.ok).toBe(false);
    expect(mem.calls).toHaveLength(1);
    await w.close();
  });
  it('bisects a batch that hits a data error: good records land, the bad one is rejected with its reason', async () => {
    const mem = createMemoryHandler({
      rejectIf: (r) => (r.kind === 'price' && r.price === '13' ? 'numeric field overflow' : undefined),
    });
    const w = new BaseWriter({
      name: 'm',
      handler: mem.handler,
      clock: fakeClock().clock,
      batch: { size: 100, lingerMs: 0 },
    });
    const input = sampleRecords('price', 40);
    input[17] = samplePrice(17, { price: '13' });
    const r = await w.publishPrices(input as never);
    expect(r.ok && r.value.written).toBe(39);
    expect(
      r.ok &&
        r.value.rejected.map((x) => [
          x.index,
          x.stage,
          x.error.message,
          (x.record as { price: string }).price,
        ]),
    ).toEqual([[17, 'write', 'numeric field overflow', '13']]);
    expect(mem.rows.size).toBe(39);
    await w.close();
  });
  it('with lingerMs 0, publish calls of the same tick share a batch; kinds keep their own batches', async () => {
    const mem = createMemoryHandler();
    const w = new BaseWriter({ name: 'm', handler: mem.handler, batch: { size: 10, lingerMs: 0 } });
    await w.init();
    const [a, b, c] = await Promise.all([
      w.publishPrices(sampleRecords('price', 3) as never),
      w.publishBatch([...sampleRecords('price', 12).slice(3), ...sampleRecords('ohlcv', 2)] as never),
      w.publishPrices(sampleRecords('price', 15).slice(12) as never),
    ]);
    expect([a, b, c].map((r) => r.ok && r.value.written)).toEqual([3, 11, 3]);
    // 3 + 9 prices fill one batch of 10 at once; the other 5 prices and 2 ohlcv leave in the same microtask
    // (lanes run independently, so only the order within a kind is fixed)
    expect(mem.calls.filter((c) => c.kind === 'price')).toEqual([
      { kind: 'price', size: 10 },
      { kind: 'price', size: 5 },
    ]);
    expect(mem.calls.filter((c) => c.kind === 'ohlcv')).toEqual([{ kind: 'ohlcv', size: 2 }]);
    expect(mem.rows.size).toBe(17);
    await w.close();
  });
  it('batches by size and flushes a partial batch after the linger time', async () => {
    jest.useFakeTimers();
    try {
      const mem = createMemoryHandler();
      const w = new BaseWriter({ name: 'm', handler: mem.handler, batch: { size: 10, lingerMs: 50 } });
      const p = w.publishPrices(sampleRecords('price', 25) as never);
      await jest.advanceTimersByTimeAsync(0);
      expect(mem.calls.map((c) => c.size)).toEqual([10, 10]);
      await jest.advanceTimersByTimeAsync(50);
      expect(mem.calls.map((c) => c.size)).toEqual([10, 10, 5]);
      expect(await p).toMatchObject({ ok: true, value: { written: 25 } });
      await w.close();
    } finally {
      jest.useRealTimers();
    }
  });
  it('waits out an outage of any length without using up the retry budget, then delivers', async () => {
    // 1000 failures at one trial per 60 s: a 16-hour outage on the fake clock, with a budget of 4 attempts
    const mem = createMemoryHandler({ failTimes: 1000 });
    const { clock } = fakeClock();
    const w = new BaseWriter({
      name: 'm',
      handler: mem.handler,
      clock,
      batch: { size: 10, lingerMs: 0 },
      retry: { maxAttempts: 4 },
      breaker: { failureThreshold: 2, resetTimeoutMs: 60_000 },
    });
    const r = await w.publishPrices(sampleRecords('price', 3) as never);
    expect(r).toEqual({ ok: true, value: { written: 3, rejected: [] } });
    expect(mem.calls).toHaveLength(1001); // 2 failures opened the circuit, 998 failed trials, 1 success
    expect((await w.health()).details.breaker).toBe('closed');
    await w.close();
  });
  it('still gives up on a batch that fails while the circuit is closed', async () => {
    // fewer failures than the breaker's threshold: the circuit stays closed, so each failure is the batch's own
    const mem = createMemoryHandler({ failTimes: 1000 });
    const w = new BaseWriter({
      name: 'm',
      handler: mem.handler,
      clock: fakeClock().clock,
      batch: { size: 10, lingerMs: 0 },
      retry: { maxAttempts: 3 },
      breaker: { failureThreshold: 5, resetTimeoutMs: 60_000 },
    });
    const r = await w.publishPrices(sampleRecords('price', 2) as never);
    expect(r).toMatchObject({ ok: false, error: { code: 'QI_RETRIES_EXHAUSTED', context: { attempts: 3 } } });
    expect(mem.calls).toHaveLength(3);
    await w.close();
  });
  it('once the pipeline stops, waits on the open circuit count as attempts, so a stop during an outage ends', async () => {
    const mem = createMemoryHandler({ failTimes: 1_000_000 });
    const stop = new AbortController();
    stop.abort();
    const w = new BaseWriter({
      name: 'm',
      handler: mem.handler,
      clock: fakeClock().clock,
      signal: stop.signal,
      batch: { size: 10, lingerMs: 0 },
      retry: { maxAttempts: 6 },
      breaker: { failureThreshold: 2, resetTimeoutMs: 60_000 },
    });
    const r = await w.publishPrices(sampleRecords('price', 1) as never);
    expect(r).toMatchObject({ ok: false, error: { code: 'QI_RETRIES_EXHAUSTED', context: { attempts: 6 } } });
    expect(mem.calls.length).toBeLessThan(6);
    await w.close();
  });
});
