import type { RecordKind } from '@qi/core';
import { describeWriterConformance } from '@qi/core/testkit';
import { CLIENT_NAMES, type StreamingClient } from '@qi/streaming';
import {
  BROKERS,
  DEFAULT_TOPIC_NAMES,
  deleteTopicsWithPrefixes,
  makeWriter,
  readRecords,
  requireBroker,
  streamingFor,
  unique,
} from '../helpers';

// The core writer conformance suite against the real broker, for each connector and serialization.
// Every test gets fresh topics (a new prefix), and reads back by consuming them from the beginning.
// idempotent: false: a Kafka append is not an upsert, so a replayed batch is appended again.
for (const client of CLIENT_NAMES) {
  for (const serialization of ['json', 'avro'] as const) {
    describe(`${client} / ${serialization}`, () => {
      let streaming: StreamingClient;
      const prefixes: string[] = [];
      let prefix = '';
      beforeAll(async () => {
        await requireBroker();
        streaming = await streamingFor(client);
      });
      afterAll(async () => {
        await deleteTopicsWithPrefixes(streaming, prefixes);
        await streaming.disconnect();
      });

      describeWriterConformance({
        name: `@qi/target-redpanda (${client}, ${serialization})`,
        reset: async () => {
          prefix = `${unique('qi-conf')}.`;
          prefixes.push(prefix);
        },
        create: () =>
          makeWriter({
            client,
            brokers: BROKERS,
            serialization,
            topicPrefix: prefix,
            deadLetterTopic: `${prefix}dead-letter`,
            partitions: 2,
            batchSize: 10,
            lingerMs: 1,
          }),
        readBack: (kind: RecordKind) => readRecords(streaming, `${prefix}${DEFAULT_TOPIC_NAMES[kind]}`),
        idempotent: false,
      });
    });
  }
}
