import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { ConsumedMessage, StreamingConsumer } from '../src/index';

/** Brokers under test: QI_KAFKA_BROKERS (comma-separated) or the project's local broker (scripts/kafka.sh). */
export const BROKERS = (process.env.QI_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Fails (never skips) when the broker is not there, saying how to start it. */
export async function requireBroker(): Promise<void> {
  const [host, port] = [
    BROKERS[0]!.slice(0, BROKERS[0]!.lastIndexOf(':')),
    Number(BROKERS[0]!.split(':').pop()),
  ];
  await new Promise<void>((resolve, reject) => {
    const s = connect({ host, port, timeout: 5000 });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    const fail = (e?: Error) => {
      s.destroy();
      reject(
        new Error(
          `Kafka broker not reachable at ${BROKERS[0]} (${e?.message ?? 'timeout'}): start it with \`scripts/kafka.sh start\` or set QI_KAFKA_BROKERS`,
        ),
      );
    };
    s.once('error', fail);
    s.once('timeout', () => fail());
  });
}

export const unique = (base: string) =>
  `${base}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/**
 * Runs the consumer until `predicate` holds for what it received (checked after
 * each batch); resolves with everything received. No timers: jest's timeout bounds it.
 */
export async function consumeUntil(
  consumer: StreamingConsumer,
  predicate: (got: ConsumedMessage[]) => boolean,
): Promise<ConsumedMessage[]> {
  const got: ConsumedMessage[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const run = await consumer.run({
    eachBatch: async (batch) => {
      got.push(...batch.messages);
      if (predicate(got)) done();
    },
  });
  if (!run.ok) throw run.error;
  await finished;
  return got;
}
