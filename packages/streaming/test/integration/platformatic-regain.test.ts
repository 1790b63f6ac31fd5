import { expectOk } from '@qi/core/testkit';
import { createStreamingClient, type StreamingConsumer, type TopicPartitions } from '../../src/index';
import { BROKERS, requireBroker, unique } from '../helpers';

// A member whose partitions are paused holds what it fetches, and its stream buffers more. When a
// partition moves to another member and comes back (nothing committed meanwhile), the member must
// read it again from the committed offset (here none: the beginning), not deliver first what it had
// fetched before: a source that drops offsets below what it already has then skips the records
// between (issue 17: a survivor that never delivered 2,668 records of its regained partitions).
const MESSAGES = 6000;
const HELD = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: () => boolean) => {
  while (!what()) await sleep(50);
};
const options = (groupId: string) => ({
  groupId,
  fromBeginning: true,
  maxBytes: 64 * 1024,
  maxWaitMs: 100,
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 300,
  maxHeldMessages: HELD,
});

describe('platformatic consumer losing a partition and regaining it', () => {
  const topic = unique('qi-regain');

  beforeAll(async () => {
    await requireBroker();
    const s = expectOk(await createStreamingClient({ client: 'platformatic', brokers: BROKERS }));
    const admin = expectOk(await s.getAdmin());
    expectOk(await admin.createTopics([{ topic, partitions: 2 }]));
    const producer = expectOk(await s.getProducer());
    const value = Buffer.alloc(100, 'x');
    expectOk(
      await producer.sendBatch([
        { topic, messages: Array.from({ length: MESSAGES }, (_, k) => ({ key: `k${k}`, value })) },
      ]),
    );
    await s.disconnect();
  });
  afterAll(async () => {
    const s = expectOk(await createStreamingClient({ client: 'platformatic', brokers: BROKERS }));
    await expectOk(await s.getAdmin()).deleteTopics([topic]);
    await s.disconnect();
  });

  it('reads the regained partition from the committed offset, every record once and in order', async () => {
    const groupId = unique('qi-regain-g');
    const sa = expectOk(await createStreamingClient({ client: 'platformatic', brokers: BROKERS }));
    const sb = expectOk(await createStreamingClient({ client: 'platformatic', brokers: BROKERS }));
    const a = expectOk(await sa.getConsumer(options(groupId)));
    const stats = () => (a as StreamingConsumer & { stats: { held: number } }).stats;
    let assigned: number[] = [];
    let assignments = 0;
    const delivered = new Map<number, number[]>([
      [0, []],
      [1, []],
    ]);
    expectOk(await a.subscribe({ topics: [topic] }));
    expectOk(
      await a.run({
        onAssigned: (list: TopicPartitions[]) => {
          assigned = list.flatMap((t) => t.partitions ?? []);
          assignments++;
          a.pause(list);
        },
        eachBatch: async (b) => {
          delivered.get(b.partition)!.push(...b.messages.map((m) => Number(m.offset)));
        },
      }),
    );
    // paused from the start: the held bound fills, the stream's buffer holds more of both partitions
    await until(() => assigned.length === 2 && stats().held >= HELD);

    const b = expectOk(await sb.getConsumer(options(groupId)));
    expectOk(await b.subscribe({ topics: [topic] }));
    // the second member never commits, so the group has no committed offset
    expectOk(await b.run({ onAssigned: (list) => void b.pause(list), eachBatch: async () => undefined }));
    await until(() => assigned.length === 1);
    const lost = assigned[0] === 0 ? 1 : 0;
    const seen = assignments;
    expectOk(await sb.disconnect());
    await until(() => assignments > seen && assigned.length === 2);

    a.resume([{ topic }]);
    const total = () => delivered.get(0)!.length + delivered.get(1)!.length;
    await until(() => total() >= MESSAGES);
    await sleep(500);
    expectOk(await sa.disconnect());

    // nothing was delivered before the regain (all paused); after it each partition starts at the
    // beginning (nothing committed) and every offset comes once, in order
    for (const p of [lost, 1 - lost]) {
      const offsets = delivered.get(p)!;
      // as runs of consecutive offsets: [[0, n - 1]] when right; before the fix [[500, 3011], [0, 3011]]
      expect({ partition: p, runs: runs(offsets) }).toEqual({
        partition: p,
        runs: [[0, new Set(offsets).size - 1]],
      });
    }
    expect(total()).toBe(MESSAGES);
  }, 90_000);
});
/** [first, last] of each run of consecutive offsets */
function runs(o: readonly number[]): [number, number][] {
  const r: [number, number][] = [];
  for (const x of o) {
    const last = r[r.length - 1];
    if (last && last[1] + 1 === x) last[1] = x;
    else r.push([x, x]);
  }
  return r;
}
