import type { MarketRecord, QiError, WriterHandler } from '@qi/core';
import type { NatsClient } from './client';
import type { NatsTargetConfig } from './config';
import { encodeRecord, messageId, recordHeaders, subjectFor } from './encoding';
import { classifyNatsError } from './errors';

/**
 * Publishes a batch to JetStream and resolves once the stream acknowledged
 * every message. NATS has no multi-message transaction on this server
 * generation, so "all or nothing" is reached through idempotency: every
 * message carries Nats-Msg-Id = kind + natural key, a retried batch re-sends
 * everything and the stream drops what it already holds (ack.duplicate).
 */
export function createNatsHandler(config: NatsTargetConfig, client: NatsClient): WriterHandler {
  return {
    async init() {
      try {
        await client.connect();
        await client.ensureStream();
      } catch (e) {
        // BaseWriter calls close() only after a successful init: release the connection here
        await client.close().catch(() => undefined);
        throw e;
      }
    },

    async writeBatch(_kind, records) {
      const outcomes = await publishAll(client, records, config);
      const failures = outcomes.flatMap((o, index) => (o === undefined ? [] : [{ index, error: o }]));
      if (failures.length === 0) return;
      // anything but bad data (network, timeouts, config) fails the whole batch: BaseWriter retries it
      const fatal = failures.find((f) => f.error.category !== 'data');
      if (fatal) throw fatal.error;
      return { rejected: failures };
    },

    classifyError: (e) => classifyNatsError(e, { stream: config.stream.name }),
    close: () => client.close(),
    health: async () => client.health(),
  };
}

/** Publishes with at most `maxPendingAcks` awaiting acks; one outcome per record (undefined = acked). */
async function publishAll(
  client: NatsClient,
  records: readonly MarketRecord[],
  config: NatsTargetConfig,
): Promise<Array<QiError | undefined>> {
  const outcomes: Array<QiError | undefined> = new Array(records.length);
  let next = 0;
  const lane = async () => {
    while (next < records.length) {
      const i = next++;
      const r = records[i]!;
      try {
        await client.publish(
          subjectFor(r, config.subjectPrefix),
          encodeRecord(r),
          messageId(r),
          recordHeaders(r),
        );
      } catch (e) {
        outcomes[i] = classifyNatsError(e, { stream: config.stream.name, record: messageId(r) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.maxPendingAcks, records.length) }, lane));
  return outcomes;
}
