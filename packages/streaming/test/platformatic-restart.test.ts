import { EventEmitter } from 'node:events';
import { createLogger } from '@qi/core';
import { manualClock } from '@qi/core/testkit';
import { streamingConfigSchema } from '../src/config';
import type { PlatformaticModule } from '../src/connectors/platformatic/base';
import { PlatformaticConsumer } from '../src/connectors/platformatic/consumer';

// The platformatic consumer's restart after its stream ended (broker gone, fenced…), on a
// library stand-in and a manual clock: when it tries again, and that a stop ends the wait.

/** The part of a MessagesStream the consumer uses: nothing to read, ended when the test says. */
class FakeStream extends EventEmitter {
  readonly offsetsToFetch = new Map<string, bigint>();
  readableLength = 0;
  readableEnded = false;
  destroyed = false;
  errored: Error | null = null;
  read() {
    return null;
  }
  async close() {
    this.destroyed = true;
  }
  fail(e: Error) {
    this.errored = e;
    this.destroyed = true;
    this.emit('close');
  }
}

function fakeLibrary(clock: { now(): number }, answers: Array<FakeStream | Error>) {
  const consumed: number[] = [];
  class Consumer extends EventEmitter {
    assignments = [];
    async listApis() {}
    async consume() {
      consumed.push(clock.now());
      const next = answers.shift();
      if (!next) throw new Error('no answer scripted');
      if (next instanceof Error) throw next;
      return next;
    }
    async close() {}
  }
  return { lib: { Consumer } as unknown as PlatformaticModule, consumed };
}

async function running(answers: Array<FakeStream | Error>) {
  const clock = manualClock();
  const { lib, consumed } = fakeLibrary(clock, answers);
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  const consumer = new PlatformaticConsumer(
    lib,
    streamingConfigSchema.parse({ client: 'platformatic' }),
    { groupId: 'g', clock },
    logger,
  );
  expect((await consumer.connect()).ok).toBe(true);
  expect((await consumer.subscribe({ topics: ['t'] })).ok).toBe(true);
  expect((await consumer.run({ eachBatch: async () => {} })).ok).toBe(true);
  return { clock, consumer, consumed, lines, t0: clock.now() };
}

const refused = () => new Error('connect ECONNREFUSED 127.0.0.1:9092');

describe('platformatic consumer restart', () => {
  it('after its stream ends, consumes again 500 ms later, then 1 s, 2 s … apart until the broker answers', async () => {
    const first = new FakeStream();
    const { clock, consumer, consumed, lines, t0 } = await running([
      first,
      refused(),
      refused(),
      new FakeStream(),
    ]);
    first.fail(new Error('broker went away'));
    await clock.advance(10_000);
    expect(consumed.map((t) => t - t0)).toEqual([0, 500, 1500, 3500]);
    expect(lines.filter((l) => l.event === 'streaming.consumer.restart')).toHaveLength(1);
    await clock.advance(60_000);
    expect(consumed).toHaveLength(4); // the new stream is read, not replaced
    expect((await consumer.disconnect()).ok).toBe(true);
  });

  it('keeps trying whatever the error, and a disconnect ends the wait at once', async () => {
    const first = new FakeStream();
    const denied = Object.assign(new Error('SASL authentication failed'), {
      code: 'SASL_AUTHENTICATION_FAILED',
    });
    const { clock, consumer, consumed, t0 } = await running([first, denied, denied, denied]);
    first.fail(new Error('fenced'));
    await clock.advance(1500);
    expect(consumed.map((t) => t - t0)).toEqual([0, 500, 1500]);
    expect(clock.sleeping).toBe(1); // waiting 2 s for the next try
    expect((await consumer.disconnect()).ok).toBe(true); // without the clock moving
    expect(clock.sleeping).toBe(0);
    await clock.advance(60_000);
    expect(consumed).toHaveLength(3);
  });
});
