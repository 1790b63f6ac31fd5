import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { decodeRecord } from '../../src/encoding';

export const NATS_URL = process.env.QI_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A test connection; fails (never skips) with the fix when the server is not there. */
export async function testConnection(): Promise<NatsConnection> {
  try {
    return await connect({ servers: NATS_URL, timeout: 3000, reconnect: false });
  } catch (e) {
    throw new Error(
      `NATS with JetStream is not answering on ${NATS_URL} (${(e as Error).message}); start it: nats-server -js -a 127.0.0.1 -p 4222`,
    );
  }
}

/** Unique stream name and subject prefix, so parallel test files never share a stream. */
export function uniqueNames(label: string): { stream: string; prefix: string } {
  const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
  return { stream: `QI_TEST_${label.toUpperCase()}_${id}`, prefix: `qitest_${label}_${id}` };
}

export async function deleteStream(nc: NatsConnection, name: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.delete(name);
  } catch (e) {
    if ((e as { code?: number }).code !== 10059) throw e;
  }
}

/** Every message of the stream on subjects matching `filter`, decoded, with the subject and headers. */
export async function readStream(nc: NatsConnection, stream: string, filter: string) {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, { filter_subjects: filter });
  const pending = (await consumer.info(true)).num_pending;
  const out: Array<{
    subject: string;
    record: unknown;
    msgId: string | undefined;
    kind: string | undefined;
  }> = [];
  if (pending === 0) return out;
  const messages = await consumer.fetch({ max_messages: pending, expires: 5000 });
  for await (const m of messages) {
    out.push({
      subject: m.subject,
      record: decodeRecord(m.data),
      msgId: m.headers?.get('Nats-Msg-Id'),
      kind: m.headers?.get('Qi-Kind'),
    });
    if (m.info.pending === 0) break;
  }
  return out;
}
