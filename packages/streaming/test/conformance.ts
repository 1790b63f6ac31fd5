import { createRequire } from 'node:module';
import { expectOk } from '@qi/core/testkit';
import {
  type ClientName,
  createStreamingClient,
  type StreamingAdmin,
  type StreamingClient,
  type StreamingConfigInput,
} from '../src/index';
import { BROKERS, consumeUntil, requireBroker, unique } from './helpers';

// kafkajs's Java-compatible murmur2 is the oracle for key -> partition, for every connector
const murmur2 = createRequire(__filename)('kafkajs/src/producer/partitioners/default/murmur2.js') as (
  key: Buffer | string,
) => number;
const javaPartition = (key: string, partitions: number) => (murmur2(key) & 0x7fffffff) % partitions;

/**
 * The transport contract, proved the same way for every client library against
 * a real broker: admin, produce/consume, keys -> partitions, manual commits,
 * pause/resume, seek, health, and error classification.
 */
export function describeTransportConformance(client: ClientName): void {
  const config = (extra: Partial<StreamingConfigInput> = {}): StreamingConfigInput => ({
    client,
    clientId: `qi-conformance-${client}`,
    brokers: BROKERS,
    ...extra,
  });

  describe(`transport conformance: ${client}`, () => {
    let streaming: StreamingClient;
    let admin: StreamingAdmin;
    const topics: string[] = [];
    const topic = async (partitions = 3, configs: Record<string, string> = {}) => {
      const name = unique(`qi-conf-${client}`);
      topics.push(name);
      expect(
        expectOk(await admin.createTopics([{ topic: name, partitions, replicationFactor: 1, configs }])),
      ).toEqual([name]);
      return name;
    };

    beforeAll(async () => {
      await requireBroker();
      streaming = expectOk(await createStreamingClient(config()));
      admin = expectOk(await streaming.getAdmin());
    });
    afterAll(async () => {
      if (admin && topics.length) await admin.deleteTopics(topics);
      await streaming?.disconnect();
    });

    it('admin: creates with configs (idempotently), lists, describes, fetches offsets, deletes', async () => {
      const name = await topic(3, { 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
      expect(expectOk(await admin.createTopics([{ topic: name, partitions: 3 }]))).toEqual([]);
      expect(expectOk(await admin.listTopics())).toContain(name);
      const [d] = expectOk(await admin.describeTopics([name]));
      expect(d!.topic).toBe(name);
      expect(d!.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
      expect(d!.partitions.every((p) => p.leader >= 0 && p.highWatermark === '0')).toBe(true);
      expect(d!.configs['retention.ms']).toBe('3600000');
      expect(d!.configs['cleanup.policy']).toBe('delete');
      expect(expectOk(await admin.fetchTopicOffsets(name))).toEqual(
        [0, 1, 2].map((partition) => ({ partition, low: '0', high: '0' })),
      );
      expectOk(await admin.deleteTopics([name]));
      topics.splice(topics.indexOf(name), 1);
      // Kafka deletes asynchronously: the topic leaves the metadata a moment later (bounded here)
      let listed = expectOk(await admin.listTopics());
      for (let i = 0; i < 50 && listed.includes(name); i++) {
        await new Promise((r) => setTimeout(r, 200));
        listed = expectOk(await admin.listTopics());
      }
      expect(listed).not.toContain(name);
      // a topic the broker does not know is an error to retry, not a topic with no partitions
      const none = await admin.fetchTopicOffsets(unique('qi-conf-none'));
      expect(none.ok ? 'ok' : [none.error.code, none.error.retryable]).toEqual([
        'QI_STREAMING_UNKNOWN_TOPIC',
        true,
      ]);
    });

    it('produces a batch to many topics and consumes it back: values, keys, headers, same key -> same (Java-compatible) partition', async () => {
      const a = await topic(3);
      const b = await topic(1);
      const producer = expectOk(await streaming.getProducer());
      const keys = Array.from({ length: 12 }, (_, i) => `instrument-${i}`);
      const messages = Array.from({ length: 60 }, (_, i) => ({
        key: keys[i % keys.length]!,
        value: Buffer.from(JSON.stringify({ i })),
        headers: { 'content-type': 'application/json', seq: String(i) },
        timestamp: 1_767_225_600_000 + i,
      }));
      const report = expectOk(
        await producer.sendBatch([
          { topic: a, messages },
          { topic: b, messages: [{ value: Buffer.from('solo') }] },
        ]),
      );
      expect(report.count).toBe(61);
      expect(new Set(report.partitions.map((p) => p.topic))).toEqual(new Set([a, b]));

      const consumer = expectOk(await streaming.getConsumer({ groupId: unique('g'), fromBeginning: true }));
      expectOk(await consumer.subscribe({ topics: [a, b] }));
      const got = await consumeUntil(consumer, (g) => g.length >= 61);
      expectOk(await consumer.disconnect());
      expect(got).toHaveLength(61);
      const fromA = got.filter((m) => m.topic === a);
      expect(fromA.map((m) => JSON.parse(m.value!.toString()).i).sort((x, y) => x - y)).toEqual(
        messages.map((_, i) => i),
      );
      for (const m of fromA) {
        const i = JSON.parse(m.value!.toString()).i as number;
        expect(m.key!.toString()).toBe(messages[i]!.key);
        expect(m.headers).toEqual({ 'content-type': 'application/json', seq: String(i) });
        expect(m.timestamp).toBe(1_767_225_600_000 + i);
        expect(m.partition).toBe(javaPartition(messages[i]!.key, 3));
      }
      // per key, offsets grow with the send order
      for (const k of keys) {
        const seq = fromA
          .filter((m) => m.key!.toString() === k)
          .sort((x, y) => Number(BigInt(x.offset) - BigInt(y.offset)))
          .map((m) => JSON.parse(m.value!.toString()).i);
        expect(seq).toEqual([...seq].sort((x, y) => x - y));
      }
      expect(got.find((m) => m.topic === b)!.value!.toString()).toBe('solo');
      const offsets = expectOk(await admin.fetchTopicOffsets(a));
      expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(60);
    });

    it('sends what a headers object holds at each send, whether shared and frozen or mutated in between', async () => {
      const name = await topic(1);
      const producer = expectOk(await streaming.getProducer());
      const shared = Object.freeze({ 'qi-schema': 'price', 'qi-source': 'a' });
      const mutable: Record<string, string> = { step: 'one' };
      const send = (messages: Array<{ value: Buffer; headers?: Record<string, string> }>) =>
        producer.sendBatch([{ topic: name, messages }]);
      expectOk(
        await send([
          { value: Buffer.from('0'), headers: shared },
          { value: Buffer.from('1'), headers: mutable },
        ]),
      );
      mutable.step = 'two';
      mutable.extra = 'x';
      expectOk(
        await send([
          { value: Buffer.from('2'), headers: shared },
          { value: Buffer.from('3'), headers: mutable },
          { value: Buffer.from('4'), headers: {} },
          { value: Buffer.from('5') },
        ]),
      );
      const consumer = expectOk(await streaming.getConsumer({ groupId: unique('g'), fromBeginning: true }));
      expectOk(await consumer.subscribe({ topics: [name] }));
      const got = await consumeUntil(consumer, (g) => g.length >= 6);
      expectOk(await consumer.disconnect());
      const byValue = Object.fromEntries(got.map((m) => [m.value!.toString(), m.headers]));
      expect(byValue).toEqual({
        '0': { 'qi-schema': 'price', 'qi-source': 'a' },
        '1': { step: 'one' },
        '2': { 'qi-schema': 'price', 'qi-source': 'a' },
        '3': { step: 'two', extra: 'x' },
        '4': {},
        '5': {},
      });
    });

    it('commits only when told: uncommitted messages are redelivered to the group, committed ones are not', async () => {
      const name = await topic(1);
      const producer = expectOk(await streaming.getProducer());
      expectOk(
        await producer.sendBatch([
          {
            topic: name,
            messages: Array.from({ length: 10 }, (_, i) => ({ value: Buffer.from(String(i)) })),
          },
        ]),
      );
      const groupId = unique('g-commit');
      const first = expectOk(await streaming.getConsumer({ groupId, fromBeginning: true }));
      expectOk(await first.subscribe({ topics: [name] }));
      const got = await consumeUntil(first, (g) => g.length >= 10);
      expect(got.map((m) => m.value!.toString())).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      // processed all ten, but commit only the first four (next offset to read: 4)
      expectOk(await first.commitOffsets([{ topic: name, partition: 0, offset: '4' }]));
      // the admin reads the group's position; a group that never committed has none, nor has another topic
      expect(expectOk(await admin.fetchGroupOffsets(groupId, [name]))).toEqual([
        { topic: name, partition: 0, offset: '4' },
      ]);
      expect(expectOk(await admin.fetchGroupOffsets(unique('g-none'), [name]))).toEqual([]);
      const other = await topic(2);
      expect(expectOk(await admin.fetchGroupOffsets(groupId, [other]))).toEqual([]);
      expectOk(await streaming.disconnect());
      streaming = expectOk(await createStreamingClient(config()));
      admin = expectOk(await streaming.getAdmin());
      const second = expectOk(await streaming.getConsumer({ groupId, fromBeginning: true }));
      expectOk(await second.subscribe({ topics: [name] }));
      const again = await consumeUntil(second, (g) => g.length >= 6);
      expect(again.map((m) => m.offset)).toEqual(['4', '5', '6', '7', '8', '9']);
      expectOk(await second.disconnect());
    });

    it('reports its assignment, seeks back within a partition and pauses/resumes partitions', async () => {
      const name = await topic(2);
      const producer = expectOk(await streaming.getProducer());
      const to = (partition: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`${partition}-${i}`), partition }));
      expectOk(await producer.sendBatch([{ topic: name, messages: [...to(0, 5), ...to(1, 5)] }]));
      const consumer = expectOk(
        await streaming.getConsumer({ groupId: unique('g-seek'), fromBeginning: true }),
      );
      expectOk(await consumer.subscribe({ topics: [name] }));
      const got: string[] = [];
      let waiter: { test: () => boolean; done: () => void } | undefined;
      const until = (test: () => boolean) =>
        new Promise<void>((done) => {
          if (test()) done();
          else waiter = { test, done };
        });
      const assigned: Array<{ topic: string; partitions?: number[] }> = [];
      expectOk(
        await consumer.run({
          onAssigned: (a) => {
            assigned.push(...a);
          },
          eachBatch: async (b) => {
            got.push(...b.messages.map((m) => m.value!.toString()));
            if (waiter?.test()) waiter.done();
          },
        }),
      );
      await until(() => got.length >= 10);
      // the rebalance hook saw this member get both partitions before any batch
      expect(
        assigned
          .filter((a) => a.topic === name)
          .flatMap((a) => a.partitions)
          .sort(),
      ).toEqual([0, 1]);
      expectOk(consumer.pause([{ topic: name, partitions: [0] }]));
      expectOk(
        await producer.sendBatch([
          {
            topic: name,
            messages: [
              { value: Buffer.from('0-late'), partition: 0 },
              { value: Buffer.from('1-late'), partition: 1 },
            ],
          },
        ]),
      );
      await until(() => got.includes('1-late'));
      expect(got).not.toContain('0-late'); // partition 0 is paused
      expectOk(consumer.resume([{ topic: name, partitions: [0] }]));
      await until(() => got.includes('0-late'));
      const before = got.length;
      expectOk(await consumer.seek(name, 1, '3'));
      await until(() => got.length >= before + 3);
      expect(got.slice(before, before + 3)).toEqual(['1-3', '1-4', '1-late']);
      expectOk(await consumer.disconnect());
    });

    it('classifies errors: too large -> data, unknown topic -> retryable, unreachable -> network, missing client -> install hint', async () => {
      const small = await topic(1, { 'max.message.bytes': '1024' });
      const producer = expectOk(await streaming.getProducer());
      const big = await producer.send(small, { value: Buffer.alloc(4096, 'x') });
      expect(big.ok).toBe(false);
      if (!big.ok) {
        expect(big.error.code).toBe('QI_STREAMING_TOO_LARGE');
        expect(big.error.category).toBe('data');
        expect(big.error.retryable).toBe(false);
        expect(big.error.message).toMatch(/too large/);
      }
      expectOk(await producer.send(small, { value: Buffer.alloc(100, 'y') }));

      const quick = expectOk(await createStreamingClient(config({ retries: 0 })));
      const p2 = expectOk(await quick.getProducer({ idempotent: false, acks: 1 }));
      const missing = await p2.send(unique('qi-no-such-topic'), { value: Buffer.from('x') });
      expect(missing.ok).toBe(false);
      if (!missing.ok)
        expect([missing.error.code, missing.error.retryable]).toEqual(['QI_STREAMING_UNKNOWN_TOPIC', true]);
      await quick.disconnect();

      const down = expectOk(
        await createStreamingClient(
          config({ brokers: ['127.0.0.1:1'], retries: 0, connectionTimeoutMs: 1000 }),
        ),
      );
      const unreachable = await down.getProducer();
      expect(unreachable.ok).toBe(false);
      if (!unreachable.ok) {
        expect(unreachable.error.category).toBe('network');
        expect(unreachable.error.retryable).toBe(true);
      }
      expect((await down.health()).ok).toBe(false);
      await down.disconnect();

      // this broker has no SASL listener: the handshake is refused, which must read as an auth failure, not retried
      const sasl = expectOk(
        await createStreamingClient(
          config({ retries: 0, sasl: { mechanism: 'plain', username: 'qi', password: 'not-logged-secret' } }),
        ),
      );
      const denied = await sasl.getProducer();
      expect(denied.ok).toBe(false);
      if (!denied.ok) {
        expect(denied.error.category).toBe('auth');
        expect(denied.error.retryable).toBe(false);
        expect(denied.error.message).toMatch(/authentication failed/);
        expect(JSON.stringify(denied.error)).not.toContain('not-logged-secret');
      }
      await sasl.disconnect();

      const pkg = {
        kafkajs: 'kafkajs',
        platformatic: '@platformatic/kafka',
        rdkafka: '@confluentinc/kafka-javascript',
      }[client];
      const notInstalled = await createStreamingClient(config(), {
        importer: async (s) => {
          throw Object.assign(new Error(`Cannot find module '${s}' from 'here'`), {
            code: 'MODULE_NOT_FOUND',
          });
        },
      });
      expect(notInstalled.ok).toBe(false);
      if (!notInstalled.ok) {
        expect(notInstalled.error.code).toBe('QI_STREAMING_CLIENT_MISSING');
        expect(notInstalled.error.message).toContain(`npm install ${pkg}`);
      }
    });

    it('caches clients, reports health, and disconnects everything', async () => {
      const c = expectOk(await createStreamingClient(config()));
      const p1 = expectOk(await c.getProducer());
      expect(expectOk(await c.getProducer())).toBe(p1);
      expect(expectOk(await c.getAdmin())).toBe(expectOk(await c.getAdmin()));
      const h = await c.health();
      expect(h.ok).toBe(true);
      expect(h.details.client).toBe(client);
      expect(c.connectorName).toBe(client);
      expectOk(await c.disconnect());
      expect(p1.isConnected()).toBe(false);
    });
  });
}
