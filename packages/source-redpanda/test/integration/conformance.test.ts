import { RECORD_KINDS } from '@qi/core';
import { describeReaderConformance, sampleRecords } from '@qi/core/testkit';
import { CLIENT_NAMES } from '@qi/streaming';
import { deleteTopics, drainOnce, makeReader, produce, requireBroker, unique } from '../helpers';

// The core reader conformance suite against the real broker, for each connector.
// Point queries answer from what the reader consumed, so `create` gives a reader
// that has read the test topics once (its own group), as a running pipeline would have.
for (const client of CLIENT_NAMES) {
  describe(client, () => {
    const prefix = `${unique('qi-src-conf')}.`;
    const target = { client, topicPrefix: prefix, partitions: 2, deadLetterTopic: `${prefix}dlq` };
    let round = 0;
    beforeAll(async () => {
      await requireBroker();
      await produce(
        target,
        RECORD_KINDS.flatMap((k) => sampleRecords(k, 9)),
      );
    });
    afterAll(() => deleteTopics([prefix]));

    describeReaderConformance({
      name: `@qi/source-redpanda (${client})`,
      create: async () => {
        const reader = makeReader({ client, topicPrefix: prefix, groupId: unique('g-conf') });
        await drainOnce(reader);
        return reader;
      },
      supports: {
        prices: { coinIds: ['bitcoin', 'ethereum'] },
        ohlcv: { coinId: 'bitcoin' },
        analytics: true,
        level1: { exchange: 'binance' },
      },
      minStreamRecords: 5,
      beforeStream: () => produce(target, sampleRecords('price', 5, 100 + 10 * round++)),
    });
  });
}
