import type { SourceBatch } from '@qi/core';
import { samplePrice } from '@qi/core/testkit';
import { CLIENT_NAMES } from '@qi/streaming';
import { deleteTopics, logEvents, makeReader, produce, requireBroker, unique } from '../helpers';

// A pipeline that stops pulling: the source pauses its partitions once its
// queue is full, holds at most the bound plus about one fetch, and once pulled
// again delivers everything in per-partition order.
const TOTAL = 6000;
const BOUND = 300;

describe('backpressure', () => {
  const prefixes: string[] = [];
  beforeAll(requireBroker);
  afterAll(() => deleteTopics(prefixes));

  for (const client of CLIENT_NAMES) {
    it(`${client}: pauses when the queue is full, stays bounded, resumes and loses nothing`, async () => {
      const prefix = `${unique('qi-src-bp')}.`;
      prefixes.push(prefix);
      const records = Array.from({ length: TOTAL }, (_, i) => samplePrice(i, { coin_id: `c${i % 20}` }));
      await produce(
        { client, topicPrefix: prefix, partitions: 2, batchSize: 50, deadLetterTopic: `${prefix}dlq` },
        records,
      );

      const events = logEvents();
      const paused = events.next('redpanda.source.paused');
      const reader = makeReader(
        {
          client,
          topicPrefix: prefix,
          groupId: unique('g-bp'),
          maxBatchRecords: 100,
          maxQueuedRecords: BOUND,
          maxBytes: 32 * 1024,
        },
        undefined,
        events.logger,
      );
      const controller = new AbortController();
      const it = reader.stream({ signal: controller.signal })[Symbol.asyncIterator]();
      try {
        const batches: SourceBatch[] = [(await it.next()).value as SourceBatch];
        // the pipeline does not pull: the consumer fills the queue and pauses
        const session = () => reader.handler.session!.health();
        expect((await paused).queued).toBeGreaterThanOrEqual(BOUND);
        expect(session()).toMatchObject({ paused: true });
        expect(session().queued).toBeGreaterThanOrEqual(BOUND);
        expect(session().peakQueued).toBeLessThanOrEqual(BOUND + 300);

        let n = batches[0]!.records.length;
        while (n < TOTAL) {
          const b = (await it.next()).value as SourceBatch;
          batches.push(b);
          n += b.records.length;
        }
        for (const b of batches) await b.ack!();
        expect(n).toBe(TOTAL);
        expect(session().pauses).toBeGreaterThanOrEqual(1);
        // kafkajs stops fetching paused partitions; the platformatic connector keeps
        // fetching into its own hold (up to 10,000 messages) and hands that over on resume
        if (client === 'kafkajs') expect(session().peakQueued).toBeLessThanOrEqual(BOUND + 300);
        // per-partition order: the record index (in the price) only grows within a coin
        const seen = new Map<string, number>();
        for (const r of batches.flatMap((b) => b.records) as Array<{ coin_id: string; ts: string }>) {
          const t = Date.parse(r.ts);
          expect(t).toBeGreaterThanOrEqual(seen.get(r.coin_id) ?? 0);
          seen.set(r.coin_id, t);
        }
      } finally {
        controller.abort();
        await it.return?.();
        await reader.close();
      }
    });
  }
});
