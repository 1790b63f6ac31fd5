import type { QiError } from '../src/errors';
import { createAckChain } from '../src/runner/ack-chain';
import { gate, settle } from './helpers/runner-harness';

// In-order acks and the in-flight bound, without a source or a target: deliveries are gates.

function chain(maxInFlight: number) {
  const acks: number[] = [];
  const fatal: QiError[] = [];
  const sizes: number[] = [];
  const c = createAckChain({
    maxInFlight,
    fail: (e) => void fatal.push(e),
    onSize: (n) => void sizes.push(n),
  });
  const add = (i: number, ack: () => Promise<void> = async () => void acks.push(i)) => {
    const delivered = gate<boolean>();
    c.add(delivered.promise, { ack });
    return delivered;
  };
  return { c, acks, fatal, sizes, add };
}

describe('runner ack chain', () => {
  it('acks in source order when deliveries finish out of order', async () => {
    const { c, acks, add } = chain(3);
    const d = [0, 1, 2].map((i) => add(i));
    d[2]!.resolve(true);
    d[1]!.resolve(true);
    await settle();
    expect(acks).toEqual([]); // batch 0 is not delivered: 1 and 2 wait
    d[0]!.resolve(true);
    await c.drain();
    expect(acks).toEqual([0, 1, 2]);
    expect(c.size).toBe(0);
  });

  it('stops at the first batch not delivered: nothing after it is acked, even what was delivered', async () => {
    const { c, acks, add } = chain(3);
    const d = [0, 1, 2].map((i) => add(i));
    d[0]!.resolve(true);
    d[1]!.resolve(false);
    d[2]!.resolve(true);
    await c.drain();
    expect(acks).toEqual([0]);
  });

  it('an ack that throws fails the pipeline with the reason and ends the chain', async () => {
    const { c, acks, fatal, add } = chain(3);
    add(0, async () => {
      throw new Error('commit refused');
    }).resolve(true);
    add(1).resolve(true);
    await c.drain();
    expect(acks).toEqual([]);
    expect(fatal.map((e) => e.message)).toEqual(['source could not commit its position: commit refused']);
  });

  it('a batch without an ack (a polling source) counts as acknowledged once delivered', async () => {
    const { c, acks } = chain(2);
    const d = gate<boolean>();
    c.add(d.promise, {});
    c.add(Promise.resolve(true), { ack: async () => void acks.push(1) });
    d.resolve(true);
    await c.drain();
    expect(acks).toEqual([1]);
  });

  it('room() waits while maxInFlight batches are outstanding, and returns at once once stopped', async () => {
    const { c, add, sizes } = chain(2);
    const d = [add(0), add(1)];
    let roomy = false;
    const room = c
      .room(() => false)
      .then(() => {
        roomy = true;
      });
    await settle();
    expect(roomy).toBe(false);
    d[1]!.resolve(true);
    await settle();
    expect(roomy).toBe(false); // 1 is delivered, not acked: 0 is still out
    d[0]!.resolve(true);
    await room;
    expect(c.size).toBeLessThan(2);
    expect(sizes.slice(0, 2)).toEqual([1, 2]);
    add(2);
    add(3);
    await expect(c.room(() => true)).resolves.toBeUndefined();
  });
});
