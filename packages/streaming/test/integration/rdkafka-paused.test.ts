import { existsSync } from 'node:fs';
import path from 'node:path';
import { expectOk } from '@qi/core/testkit';
import { createStreamingClient } from '../../src/index';
import { BROKERS, requireBroker, runChildModule, unique } from '../helpers';

// A librdkafka consumer whose first batch pauses every partition (what source-redpanda does
// when its queue is full): the rest of that take is held, librdkafka's prefetch queue stays
// full at its bound, and from then on the consumer must wait without using the CPU. It runs
// in a child process, so a loop that never yields (which would also starve the child's own
// timers) fails the bound below instead of hanging the runner.
const DIST = path.resolve(__dirname, '../../dist/index.js');
const MESSAGES = 30_000;
const QUIET_MS = 2000;
const REPORT_BOUND_MS = 60_000;

const child = (topic: string, groupId: string) => `
import { createStreamingClient } from ${JSON.stringify(DIST)};
const s = await createStreamingClient({ client: 'rdkafka', brokers: ${JSON.stringify(BROKERS)} });
const c = await s.value.getConsumer({ groupId: ${JSON.stringify(groupId)}, fromBeginning: true, maxHeldMessages: 1000, maxHeldBytes: 256 * 1024 });
const consumer = c.value;
await consumer.subscribe({ topics: [${JSON.stringify(topic)}] });
const seen = new Set();
let deliveredBeforePause = -1;
let allDelivered;
const done = new Promise((r) => (allDelivered = r));
let firstBatch;
const first = new Promise((r) => (firstBatch = r));
await consumer.run({
  eachBatch: async (b) => {
    for (const m of b.messages) seen.add(m.partition + ':' + m.offset);
    if (deliveredBeforePause < 0) {
      consumer.pause([{ topic: ${JSON.stringify(topic)} }]);
      deliveredBeforePause = seen.size;
      firstBatch();
    }
    if (seen.size >= ${MESSAGES}) allDelivered();
  },
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await first;
await sleep(1000); // librdkafka's prefetch fills to its bound
const before = { cpu: process.cpuUsage(), delivered: seen.size, at: performance.now() };
await sleep(${QUIET_MS});
const cpu = process.cpuUsage(before.cpu);
const quiet = {
  deliveredBeforePause,
  deliveredWhilePaused: seen.size - before.delivered,
  cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  wallMs: Math.round(performance.now() - before.at),
};
consumer.resume([{ topic: ${JSON.stringify(topic)} }]);
await done;
await s.value.disconnect();
console.log(JSON.stringify({ ...quiet, delivered: seen.size }));
`;

describe('rdkafka consumer with every partition paused and a take held back', () => {
  const topic = unique('qi-rdk-paused');

  beforeAll(async () => {
    await requireBroker();
    if (!existsSync(DIST)) throw new Error('packages/streaming is not built: run pnpm build');
    const s = expectOk(await createStreamingClient({ client: 'rdkafka', brokers: BROKERS }));
    const admin = expectOk(await s.getAdmin());
    expectOk(await admin.createTopics([{ topic, partitions: 3 }]));
    const producer = expectOk(await s.getProducer());
    const value = Buffer.alloc(200, 'x');
    for (let i = 0; i < MESSAGES; i += 5000)
      expectOk(
        await producer.sendBatch([
          { topic, messages: Array.from({ length: 5000 }, (_, k) => ({ key: `k${i + k}`, value })) },
        ]),
      );
    await s.disconnect();
  });
  afterAll(async () => {
    const s = expectOk(await createStreamingClient({ client: 'rdkafka', brokers: BROKERS }));
    const admin = expectOk(await s.getAdmin());
    await admin.deleteTopics([topic]);
    await s.disconnect();
  });

  it('delivers nothing and uses no CPU while paused, then delivers every message once on resume', async () => {
    const { code, out, err } = await runChildModule(child(topic, unique('qi-rdk-g')), REPORT_BOUND_MS);
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });

    const r = JSON.parse(out) as Record<
      'deliveredBeforePause' | 'deliveredWhilePaused' | 'cpuMs' | 'wallMs' | 'delivered',
      number
    >;
    // one batch, then nothing: what the take held back waits for the resume
    expect(r.deliveredBeforePause).toBeGreaterThan(0);
    expect(r.deliveredBeforePause).toBeLessThan(MESSAGES);
    expect(r.deliveredWhilePaused).toBe(0);
    // a resource bound, not a speed: an idle consumer uses a few ms of CPU in the quiet period, a spinning one all of it
    expect(r.cpuMs).toBeLessThan(r.wallMs / 4);
    // every offset exactly once (a Set of partition:offset, and the count matches)
    expect(r.delivered).toBe(MESSAGES);
  });
});
