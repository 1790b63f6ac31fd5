import { err, ok as okResult } from '../src/index';
import { after, gate, harness, type Script, settle, writeError, written } from './helpers/runner-harness';

// The runner's documented semantics (README "Semantics", targets[].required and
// targets[].onError), through a pipeline the real host builds from a config file.

const ok: Script = (_, r) => written(r);
const failing: Script = () => err(writeError('target is down'));

describe('runner: fan-out and acks', () => {
  it('acks a batch only after every required target took it', async () => {
    const slow = [gate<void>(), gate<void>()];
    const h = await harness({
      batches: 2,
      targets: '[{ use: scripted, name: a, with: { id: a } }, { use: scripted, name: b, with: { id: b } }]',
      scripts: { a: ok, b: after(slow) },
    });
    const run = h.run();
    await settle();
    // both targets got both batches (fan-out), a took them, b has not yet: nothing is committed
    expect(h.calls).toMatchObject({ a: [0, 1], b: [0, 1] });
    expect(h.acks).toEqual([]);
    slow[0]!.resolve();
    await settle();
    expect(h.acks).toEqual([0]);
    slow[1]!.resolve();
    const r = await run;
    expect(r.ok && r.value.written).toEqual({ a: 6, b: 6 });
    expect(h.acks).toEqual([0, 1]);
  });

  it('with maxInFlight > 1, acks in source order when targets finish out of order', async () => {
    const done = [gate<void>(), gate<void>(), gate<void>()];
    const h = await harness({
      batches: 3,
      maxInFlight: 3,
      targets: '[{ use: scripted, name: a, with: { id: a } }]',
      scripts: { a: after(done) },
    });
    const run = h.run();
    await settle();
    expect(h.calls.a).toEqual([0, 1, 2]); // three batches in flight at once
    done[2]!.resolve();
    done[1]!.resolve();
    await settle();
    expect(h.acks).toEqual([]); // batch 0 is not delivered: 1 and 2 wait for it
    done[0]!.resolve();
    expect((await run).ok).toBe(true);
    expect(h.acks).toEqual([0, 1, 2]);
  });

  it('has at most maxInFlight batches being delivered: the source waits for an ack', async () => {
    const done = [0, 1, 2, 3].map(() => gate<void>());
    const h = await harness({
      batches: 4,
      maxInFlight: 2,
      targets: '[{ use: scripted, name: a, with: { id: a } }]',
      scripts: { a: after(done) },
    });
    const run = h.run();
    await settle();
    expect(h.calls.a).toEqual([0, 1]);
    done[1]!.resolve();
    await settle();
    expect(h.calls.a).toEqual([0, 1]); // batch 1 is done but not acked (0 is not): still full
    done[0]!.resolve();
    await settle();
    expect(h.acks).toEqual([0, 1]);
    expect(h.calls.a).toEqual([0, 1, 2, 3]);
    done[2]!.resolve();
    done[3]!.resolve();
    expect((await run).ok).toBe(true);
    expect(h.acks).toEqual([0, 1, 2, 3]);
  });

  it('a target that is not required does not hold the ack back', async () => {
    const optional = gate<void>();
    const h = await harness({
      batches: 2,
      targets:
        '[{ use: scripted, name: a, with: { id: a } }, { use: scripted, name: b, with: { id: b }, required: false }]',
      scripts: { a: ok, b: after([optional]) },
    });
    const run = h.run();
    await settle();
    expect(h.acks).toEqual([0, 1]); // b still holds batch 0
    optional.resolve();
    const r = await run;
    expect(r.ok).toBe(true);
  });
  it('drains a target that is not required before closing: its outcome is not lost at the end of the run', async () => {
    const optional = gate<void>();
    const h = await harness({
      batches: 1,
      targets:
        '[{ use: scripted, name: a, with: { id: a } }, { use: scripted, name: b, with: { id: b }, required: false, onError: dead-letter }]',
      scripts: { a: ok, b: after([optional], failing) },
    });
    let ended = false;
    const run = h.run().finally(() => {
      ended = true;
    });
    await settle();
    expect(h.acks).toEqual([0]);
    expect(ended).toBe(false); // b is still writing: the run drains it
    optional.resolve();
    const r = await run;
    expect(r.ok).toBe(true);
    expect(h.letters.map((l) => l.target)).toEqual(['b', 'b', 'b']);
  });
});

describe('runner: onError for a batch a target could not write', () => {
  it('fail (the default): the pipeline stops with the target named, nothing from then on is committed', async () => {
    const h = await harness({
      batches: 3,
      maxInFlight: 1,
      targets: '[{ use: scripted, name: a, with: { id: a } }, { use: scripted, name: b, with: { id: b } }]',
      scripts: { a: ok, b: (n, r) => (n === 1 ? failing(n, r) : written(r)) },
    });
    const r = await h.run();
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toContain('target b failed: target is down');
    expect(h.acks).toEqual([0]);
    expect(h.calls.a).toEqual([0, 1]); // batch 2 was never read
    expect(h.letters).toEqual([]);
  });

  it('fail with batches in flight: later batches that were written are not committed either', async () => {
    const first = gate<void>();
    const h = await harness({
      batches: 3,
      maxInFlight: 3,
      targets: '[{ use: scripted, name: a, with: { id: a } }]',
      scripts: { a: after([first], (n, r) => (n === 0 ? failing(n, r) : written(r))) },
    });
    const run = h.run();
    await settle();
    expect(h.calls.a).toEqual([0, 1, 2]);
    first.resolve();
    const r = await run;
    expect(r.ok).toBe(false);
    expect(h.acks).toEqual([]); // a restart replays all three
  });

  it('dead-letter: every record of the batch goes to the dead-letter destination with the reason, and the batch is acked', async () => {
    const h = await harness({
      batches: 2,
      targets:
        '[{ use: scripted, name: a, with: { id: a } }, { use: scripted, name: b, with: { id: b }, onError: dead-letter }]',
      scripts: { a: ok, b: (n, r) => (n === 0 ? failing(n, r) : written(r)) },
    });
    const r = await h.run();
    expect(r.ok).toBe(true);
    expect(h.acks).toEqual([0, 1]);
    expect(h.letters).toHaveLength(3);
    expect(h.letters[0]).toMatchObject({
      pipeline: 'p',
      target: 'b',
      stage: 'write',
      code: 'T_DOWN',
      reason: 'target is down',
      record: { kind: 'price' },
    });
    expect(r.ok && r.value).toMatchObject({ deadLettered: 3, written: { a: 6, b: 3 }, failed: { b: 3 } });
  });

  it('dead-letter: when the dead-letter destination fails too, the pipeline stops and the batch is not acked', async () => {
    const h = await harness({
      batches: 2,
      maxInFlight: 1,
      failDeadLetters: true,
      targets: '[{ use: scripted, name: a, with: { id: a }, onError: dead-letter }]',
      scripts: { a: (n, r) => (n === 1 ? failing(n, r) : written(r)) },
    });
    const r = await h.run();
    expect(!r.ok && r.error.message).toContain('dead-letter destination failed');
    expect(h.acks).toEqual([0]);
  });

  it('skip-target: the batch is dropped for that target only, logged as an error, and acked', async () => {
    const h = await harness({
      batches: 2,
      targets:
        '[{ use: scripted, name: a, with: { id: a } }, { use: scripted, name: b, with: { id: b }, onError: skip-target }]',
      scripts: { a: ok, b: (n, r) => (n === 0 ? failing(n, r) : written(r)) },
    });
    const r = await h.run();
    expect(r.ok).toBe(true);
    expect(h.acks).toEqual([0, 1]);
    expect(h.letters).toEqual([]);
    expect(r.ok && r.value).toMatchObject({ written: { a: 6, b: 3 }, failed: { b: 3 } });
    expect(h.logs.filter((l) => l.event === 'pipeline.target_skipped')).toEqual([
      expect.objectContaining({ level: 50, target: 'b', code: 'T_DOWN' }),
    ]);
  });

  it('required: false with onError dead-letter: its failure is dead-lettered and does not stop the pipeline', async () => {
    const h = await harness({
      batches: 2,
      targets:
        '[{ use: scripted, name: a, with: { id: a } }, { use: scripted, name: b, with: { id: b }, required: false, onError: dead-letter }]',
      scripts: { a: ok, b: failing },
    });
    const r = await h.run();
    expect(r.ok).toBe(true);
    expect(h.acks).toEqual([0, 1]);
    expect(h.letters.map((l) => l.target)).toEqual(['b', 'b', 'b', 'b', 'b', 'b']);
  });

  it('required: false with onError fail: the pipeline still stops (fail means stop)', async () => {
    const h = await harness({
      batches: 1,
      targets:
        '[{ use: scripted, name: a, with: { id: a } }, { use: scripted, name: b, with: { id: b }, required: false }]',
      scripts: { a: ok, b: failing },
    });
    const r = await h.run();
    expect(!r.ok && r.error.message).toContain('target b failed');
  });

  it('records a target refuses (rejected) are dead-lettered with their own reason; the rest counts as written', async () => {
    const h = await harness({
      batches: 1,
      targets: '[{ use: scripted, name: a, with: { id: a } }]',
      scripts: {
        a: (_, r) =>
          okResult({
            written: r.length - 1,
            rejected: [{ index: 1, record: r[1], error: writeError('price out of range'), stage: 'write' }],
          }),
      },
    });
    const r = await h.run();
    expect(r.ok && r.value.written).toEqual({ a: 2 });
    expect(h.letters).toEqual([
      expect.objectContaining({ target: 'a', stage: 'write', reason: 'price out of range' }),
    ]);
    expect(h.acks).toEqual([0]);
  });
});
