import { qiError, silentLogger } from '@qi/core';
import { manualClock } from '@qi/core/testkit';
import type { RegistryCodec } from '@qi/kafka-codec';
import { prepareRegistry } from '../src/registry';

const unavailable = qiError(
  { code: 'QI_KAFKA_CODEC_REGISTRY_UNAVAILABLE', category: 'network', retryable: true },
  'Schema Registry http://r unavailable',
);

function codec(failures: unknown[]): RegistryCodec & { calls: number } {
  const c = {
    calls: 0,
    async prepare() {
      c.calls++;
      const f = failures.shift();
      if (f) throw f;
    },
    decode: () => {
      throw new Error('not used');
    },
  };
  return c;
}

describe('prepareRegistry', () => {
  it('retries an unreachable registry 100 ms, then 200 ms later, until it answers', async () => {
    const clock = manualClock();
    const c = codec([unavailable, unavailable]);
    const ready = prepareRegistry(c, [], new AbortController().signal, silentLogger(), clock);
    const calls: number[] = [];
    for (const ms of [99, 1, 199, 1]) {
      await clock.advance(ms);
      calls.push(c.calls);
    }
    await ready;
    expect(calls).toEqual([1, 2, 2, 3]);
  });

  it('does not retry a config error (auth, URL), and gives up when the stream stops', async () => {
    const denied = qiError(
      { code: 'QI_KAFKA_CODEC_REGISTRY', category: 'config', retryable: false },
      'answered 401',
    );
    await expect(
      prepareRegistry(codec([denied]), [], new AbortController().signal, silentLogger()),
    ).rejects.toBe(denied);
    const stop = new AbortController();
    stop.abort();
    const c = codec([unavailable, unavailable]);
    await expect(prepareRegistry(c, [], stop.signal, silentLogger())).rejects.toBe(unavailable);
    expect(c.calls).toBe(1);
  });
});
