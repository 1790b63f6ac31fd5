import type { ConsumedMessage, StreamingConsumer } from '../src/index';

// the service guards are the testkit's; the names stay the ones these tests use
export { requireBroker, TEST_KAFKA_BROKERS as BROKERS, uniqueName as unique } from '@qi/core/testkit';

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
