import { type QiError, qiError } from '../src/errors';
import { createFanOut, type DeliveryTarget, optionalBacklog } from '../src/runner/fan-out';
import type { OnError } from '../src/runner/on-error';
import { newStats } from '../src/runner/stats';
import { gate, settle } from './helpers/runner-harness';
import { captureLogs, failed, letterBox, scriptedWriter, wrote } from './helpers/runner-parts';

// The fan-out: one batch to every target in parallel, required targets awaited, optional
// ones tracked and bounded, a failed write routed by the target's onError.

const down = qiError({ code: 'T_DOWN', category: 'unavailable', retryable: true }, 'target is down');
const batch = [
  { kind: 'price', coin_id: 'a' },
  { kind: 'ohlcv', coin_id: 'b' },
  { kind: 'price', coin_id: 'c' },
];
const all = (records: readonly unknown[]) => records;

function fanOut(targets: DeliveryTarget[], maxInFlight = 1) {
  const stats = newStats('p');
  const box = letterBox();
  const { lines, log } = captureLogs();
  const seen = { delivered: [] as string[], failed: [] as string[] };
  const fatal: QiError[] = [];
  const f = createFanOut({
    pipeline: 'p',
    targets,
    maxInFlight,
    stats,
    health: {
      delivered: (t) => void seen.delivered.push(t),
      targetFailed: (t) => void seen.failed.push(t),
    },
    deadLetter: box.sink,
    log,
    fail: (e) => void fatal.push(e),
  });
  return { f, stats, letters: box.letters, lines, seen, fatal };
}

const target = (
  name: string,
  writer: DeliveryTarget['writer'],
  o: Partial<Omit<DeliveryTarget, 'name' | 'writer'>> = {},
): DeliveryTarget => ({ name, writer, required: true, onError: 'fail', only: all, ...o });

describe('runner fan-out: required targets', () => {
  it('gives the batch to every target at once and resolves only when each took it', async () => {
    const slow = gate<void>();
    const a = scriptedWriter('a', (_, r) => wrote(r));
    const b = scriptedWriter('b', async (_, r) => {
      await slow.promise;
      return wrote(r);
    });
    const { f, stats, seen } = fanOut([target('a', a.writer), target('b', b.writer)]);
    let done = false;
    const delivered = f.deliver(batch).then(() => {
      done = true;
    });
    await settle();
    expect([a.calls.length, b.calls.length]).toEqual([1, 1]);
    expect(done).toBe(false);
    expect(stats.inFlightByTarget).toEqual({ a: 0, b: 1 });
    slow.resolve();
    await delivered;
    expect(stats.written).toEqual({ a: 3, b: 3 });
    expect(seen.delivered.sort()).toEqual(['a', 'b']);
  });

  it('gives a target only the kinds it asked for, and nothing when none of the batch is of them', async () => {
    const prices = scriptedWriter('prices', (_, r) => wrote(r));
    const level1 = scriptedWriter('level1', (_, r) => wrote(r));
    const { f, stats } = fanOut([
      target('prices', prices.writer, {
        only: (r) => r.filter((x) => (x as { kind: string }).kind === 'price'),
      }),
      target('level1', level1.writer, { only: () => [] }),
    ]);
    await f.deliver(batch);
    expect(prices.calls).toEqual([[batch[0], batch[2]]]);
    expect(level1.calls).toEqual([]);
    expect(stats.written).toEqual({ prices: 2 });
  });

  it('dead-letters the records a target refused, with that target named; the rest counts as written', async () => {
    const a = scriptedWriter('a', (_, r) => ({
      ok: true,
      value: { written: 2, rejected: [{ index: 1, record: r[1], error: down, stage: 'write' }] },
    }));
    const { f, stats, letters } = fanOut([target('a', a.writer)]);
    await f.deliver(batch);
    expect(stats.written).toEqual({ a: 2 });
    expect(letters).toEqual([expect.objectContaining({ target: 'a', stage: 'write', record: batch[1] })]);
  });

  const outcomes: Record<OnError, string> = {
    fail: 'rejects, naming the target',
    'dead-letter': 'stores every record of the batch and resolves',
    'skip-target': 'logs, drops the batch for that target and resolves',
  };
  for (const [onError, what] of Object.entries(outcomes) as Array<[OnError, string]>) {
    it(`a required target that fails with onError ${onError}: ${what}`, async () => {
      const a = scriptedWriter('a', (_, r) => wrote(r));
      const b = scriptedWriter('b', () => failed(down));
      const { f, stats, letters, lines, seen, fatal } = fanOut([
        target('a', a.writer),
        target('b', b.writer, { onError }),
      ]);
      const r = await f.deliver(batch).then(
        () => 'resolved',
        (e: QiError) => e.message,
      );
      expect(stats.failed).toEqual({ b: 3 });
      expect(seen.failed).toEqual(['b']);
      expect(fatal).toEqual([]); // a required target's failure is the caller's to handle
      const skipped = lines.filter((l) => l.event === 'pipeline.target_skipped');
      if (onError === 'fail') expect(r).toBe('target b failed: target is down');
      else expect(r).toBe('resolved');
      expect(letters.map((l) => l.record)).toEqual(onError === 'dead-letter' ? batch : []);
      expect(skipped).toHaveLength(onError === 'skip-target' ? 1 : 0);
    });
  }
});

describe('runner fan-out: required: false', () => {
  it('is not waited for, but drain() waits until its outcome is known', async () => {
    const slow = gate<void>();
    const a = scriptedWriter('a', (_, r) => wrote(r));
    const b = scriptedWriter('b', async (_, r) => {
      await slow.promise;
      return wrote(r);
    });
    const { f, stats } = fanOut([target('a', a.writer), target('b', b.writer, { required: false })]);
    await f.deliver(batch); // b still holds it
    expect(stats.written).toEqual({ a: 3 });
    let drained = false;
    const drain = f.drain().then(() => {
      drained = true;
    });
    await settle();
    expect(drained).toBe(false);
    slow.resolve();
    await drain;
    expect(stats.written).toEqual({ a: 3, b: 3 });
  });

  for (const onError of ['fail', 'dead-letter', 'skip-target'] as OnError[]) {
    it(`a failure with onError ${onError} never rejects the delivery; ${onError === 'fail' ? 'it fails the pipeline through fail()' : 'the pipeline goes on'}`, async () => {
      const b = scriptedWriter('b', () => failed(down));
      const { f, letters, lines, fatal } = fanOut([target('b', b.writer, { required: false, onError })]);
      await expect(f.deliver(batch)).resolves.toBeUndefined();
      await f.drain();
      expect(fatal.map((e) => e.message)).toEqual(
        onError === 'fail' ? ['target b failed: target is down'] : [],
      );
      expect(letters).toHaveLength(onError === 'dead-letter' ? 3 : 0);
      expect(lines.filter((l) => l.event === 'pipeline.target_skipped')).toHaveLength(
        onError === 'skip-target' ? 1 : 0,
      );
    });
  }

  it(`past max(16, 4 × maxInFlight) batches outstanding, the next goes to its onError as QI_TARGET_BEHIND without a write`, async () => {
    expect([optionalBacklog(1), optionalBacklog(4), optionalBacklog(5)]).toEqual([16, 16, 20]);
    const hang = gate<void>();
    const b = scriptedWriter('b', async (_, r) => {
      await hang.promise;
      return wrote(r);
    });
    const { f, letters, stats } = fanOut(
      [target('b', b.writer, { required: false, onError: 'dead-letter' })],
      5,
    );
    for (let i = 0; i < 20; i++) await f.deliver(batch);
    expect(b.calls).toHaveLength(20);
    expect(letters).toEqual([]);
    await f.deliver(batch);
    await settle();
    expect(b.calls).toHaveLength(20); // not written: given to onError at once
    expect(letters.map((l) => [l.code, l.target, l.reason])).toEqual(
      batch.map(() => [
        'QI_TARGET_BEHIND',
        'b',
        'optional target b has 20 batches outstanding (down or too slow); not waiting for it',
      ]),
    );
    expect(stats.failed).toEqual({ b: 3 });
    hang.resolve();
    await f.drain();
    await f.deliver(batch); // caught up: written again
    await f.drain();
    expect(b.calls).toHaveLength(21);
  });
});
