import { type MarketRecord, RECORD_KINDS } from '@qi/core';
import {
  byNaturalKey,
  diffRecords,
  EXTREME_PRICES,
  expectOk,
  normalizeRecords,
  samplePrice,
  sampleRecords,
} from '@qi/core/testkit';
import { CLIENT_NAMES } from '@qi/streaming';
import { deleteTopics, drainOnce, makeReader, produce, recordsOf, requireBroker, unique } from '../helpers';

// Records written by the Redpanda target come back from this source field for
// field, for each connector and each serialization the target writes.
const sent = () =>
  normalizeRecords([
    ...RECORD_KINDS.flatMap((k) => sampleRecords(k, 12)),
    ...EXTREME_PRICES.map((p, i) =>
      samplePrice(1000 + i, { price: p, market_cap: p, coin_id: `extreme-${i}` }),
    ),
  ]);

describe('round trip: @qi/target-redpanda -> @qi/source-redpanda', () => {
  const prefixes: string[] = [];
  beforeAll(requireBroker);
  afterAll(() => deleteTopics(prefixes));

  for (const client of CLIENT_NAMES) {
    for (const serialization of ['json', 'avro'] as const) {
      it(`${client} / ${serialization}: every record, every field, every kind`, async () => {
        const prefix = `${unique('qi-src-rt')}.`;
        prefixes.push(prefix);
        const records = sent();
        await produce(
          { client, serialization, topicPrefix: prefix, partitions: 3, deadLetterTopic: `${prefix}dlq` },
          records,
        );

        const reader = makeReader({ client, topicPrefix: prefix, groupId: unique('g-rt') });
        try {
          const batches = await drainOnce(reader);
          expect(batches.flatMap((b) => b.invalid ?? [])).toEqual([]);
          const got = byNaturalKey(recordsOf(batches));
          const want = byNaturalKey(records);
          expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
          for (const [k, r] of want) expect([k, diffRecords(r, got.get(k)!)]).toEqual([k, []]);

          // the point-query cache holds the latest price seen per instrument
          const btc = expectOk(await reader.getCurrentPrices(['bitcoin']));
          const latest = records
            .filter(
              (r): r is Extract<MarketRecord, { kind: 'price' }> =>
                r.kind === 'price' && r.coin_id === 'bitcoin',
            )
            .sort((a, b) => (a.ts < b.ts ? 1 : -1))[0]!;
          expect(btc).toEqual([latest]);
        } finally {
          await reader.close();
        }
      });
    }
  }
});
