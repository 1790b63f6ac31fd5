import { existsSync } from 'node:fs';
import path from 'node:path';
import { expectOk } from '@qi/core/testkit';
import { createStreamingClient } from '../../src/index';
import { BROKERS, requireBroker, runChildModule, unique } from '../helpers';

// A platformatic consumer whose every partition is paused fetches on until its
// held-message limit (10,000) is reached, with more still in its stream's
// buffer. From then on it must wait without using the CPU. The consumer runs
// in a child process: a loop that never yields to the event loop also starves
// the child's own timers, so the child never reports and the bound below fails
// the test (instead of hanging the test runner).
const DIST = path.resolve(__dirname, '../../dist/index.js');
const MESSAGES = 30_000;
const QUIET_MS = 2000;
const REPORT_BOUND_MS = 60_000;

const child = (topic: string, groupId: string) => `
import { createStreamingClient } from ${JSON.stringify(DIST)};
const s = await createStreamingClient({ client: 'platformatic', brokers: ${JSON.stringify(BROKERS)} });
const c = await s.value.getConsumer({ groupId: ${JSON.stringify(groupId)}, fromBeginning: true, maxBytes: 1024 * 1024, maxWaitMs: 100, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
const consumer = c.value;
await consumer.subscribe({ topics: [${JSON.stringify(topic)}] });
let delivered = 0;
let allDelivered;
const done = new Promise((r) => (allDelivered = r));
await consumer.run({
  onAssigned: (a) => consumer.pause(a),
  eachBatch: async (b) => {
    delivered += b.messages.length;
    if (delivered >= ${MESSAGES}) allDelivered();
  },
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
while (consumer.stats.held < 10_000) await sleep(50);
const before = { cpu: process.cpuUsage(), waits: consumer.stats.waits, at: performance.now() };
await sleep(${QUIET_MS});
const cpu = process.cpuUsage(before.cpu);
const quiet = {
  held: consumer.stats.held,
  deliveredWhilePaused: delivered,
  waits: consumer.stats.waits - before.waits,
  cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  wallMs: Math.round(performance.now() - before.at),
};
consumer.resume([{ topic: ${JSON.stringify(topic)} }]);
await done;
await s.value.disconnect();
console.log(JSON.stringify({ ...quiet, delivered }));
`;

describe('platformatic consumer at its held-message limit with every partition paused', () => {
  const topic = unique('qi-held');

  beforeAll(async () => {
    await requireBroker();
    if (!existsSync(DIST)) throw new Error('packages/streaming is not built: run pnpm build');
    const s = expectOk(await createStreamingClient({ client: 'platformatic', brokers: BROKERS }));
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
    const s = expectOk(await createStreamingClient({ client: 'platformatic', brokers: BROKERS }));
    const admin = expectOk(await s.getAdmin());
    await admin.deleteTopics([topic]);
    await s.disconnect();
  });

  it('waits without waking up or using the CPU, then delivers everything on resume', async () => {
    const { code, out, err } = await runChildModule(child(topic, unique('qi-held-g')), REPORT_BOUND_MS);
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });

    const r = JSON.parse(out) as Record<
      'held' | 'deliveredWhilePaused' | 'waits' | 'cpuMs' | 'wallMs' | 'delivered',
      number
    >;
    // paused from the first assignment: nothing delivered, the limit reached, then one wait and no wake-up
    expect(r.deliveredWhilePaused).toBe(0);
    expect(r.held).toBeGreaterThanOrEqual(10_000);
    expect(r.waits).toBeLessThanOrEqual(1);
    // a resource bound, not a speed: an idle consumer uses a few ms of CPU in the quiet period, a spinning one all of it
    expect(r.cpuMs).toBeLessThan(r.wallMs / 4);
    expect(r.delivered).toBe(MESSAGES);
  });
});
