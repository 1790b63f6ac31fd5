import { err, ok, type QiError, type Result, silentLogger } from '@qi/core';
import { manualClock, samplePrice } from '@qi/core/testkit';
import { encodeRecord } from '@qi/kafka-codec';
import type {
  CommitOffset,
  ConsumedMessage,
  ConsumerRunOptions,
  StreamingConsumer,
  TopicPartitions,
} from '@qi/streaming';
import { ConsumerSession, type SessionOptions } from '../src/session';

/**
 * A StreamingConsumer the test drives by hand: assignments, revocations and
 * fetched batches arrive when the test says, and every pause, resume, seek and
 * commit is recorded. Deterministic rebalance scenarios, no broker.
 */
export class FakeConsumer implements StreamingConsumer {
  opts: ConsumerRunOptions | undefined;
  readonly paused = new Set<string>();
  readonly seeks: Array<{ topic: string; partition: number; offset: string }> = [];
  readonly commits: CommitOffset[][] = [];
  /** results the next commits return, in order (ok when empty) */
  readonly commitResults: Array<Result<void>> = [];
  connected = false;

  async connect() {
    this.connected = true;
    return ok(undefined);
  }
  async subscribe() {
    return ok(undefined);
  }
  async run(opts: ConsumerRunOptions) {
    this.opts = opts;
    return ok(undefined);
  }
  pause(tps: readonly TopicPartitions[]) {
    for (const t of tps) for (const p of t.partitions ?? []) this.paused.add(`${t.topic}:${p}`);
    return ok(undefined);
  }
  resume(tps: readonly TopicPartitions[]) {
    for (const t of tps) for (const p of t.partitions ?? []) this.paused.delete(`${t.topic}:${p}`);
    return ok(undefined);
  }
  async seek(topic: string, partition: number, offset: string) {
    this.seeks.push({ topic, partition, offset });
    return ok(undefined);
  }
  async commitOffsets(offsets: readonly CommitOffset[]) {
    this.commits.push([...offsets]);
    return this.commitResults.shift() ?? ok(undefined);
  }
  async disconnect() {
    this.connected = false;
    return ok(undefined);
  }
  isConnected() {
    return this.connected;
  }

  assign(topic: string, partitions: number[]) {
    this.opts!.onAssigned!([{ topic, partitions }]);
  }
  revoke() {
    this.opts!.onRevoking!();
  }
  deliver(
    topic: string,
    partition: number,
    offsets: number[],
    value?: (o: number) => Buffer,
    highWatermark?: number,
  ) {
    return this.opts!.eachBatch({
      topic,
      partition,
      messages: offsets.map((o) => message(topic, partition, o, value?.(o))),
      ...(highWatermark === undefined ? {} : { highWatermark: String(highWatermark) }),
    });
  }
}

export function message(topic: string, partition: number, offset: number, value?: Buffer): ConsumedMessage {
  const rec = samplePrice(offset * 10 + partition);
  const enc = encodeRecord({ ...rec, exchange: 'aggregate', vs_currency: 'usd' } as never, 'json');
  return {
    topic,
    partition,
    offset: String(offset),
    key: Buffer.from('k'),
    value: value ?? enc.value,
    headers: value ? {} : enc.headers,
    timestamp: Date.now(),
  };
}

export const rebalanceError = (): Result<void> =>
  err({
    code: 'QI_STREAMING_BROKER_RETRIABLE',
    message: 'The group is rebalancing',
    category: 'unavailable',
    retryable: true,
    context: { kafka: ['REBALANCE_IN_PROGRESS'] },
  } as unknown as QiError);

export function session(consumer: FakeConsumer, o: Partial<SessionOptions> = {}) {
  return new ConsumerSession({
    consumer,
    topics: ['t'],
    endOffsets: async () => [],
    maxBatchRecords: 100,
    maxQueued: 1000,
    rebalanceWaitMs: 5000,
    onceIdleMs: 200,
    logger: silentLogger(),
    // time moves only when a test advances it: no test of the session waits for real
    clock: manualClock(),
    ...o,
  });
}

/** The next value of an async iterator, or "pending" if it has not resolved by the time queued work has run. */
export async function settled<T>(p: Promise<T>): Promise<T | 'pending'> {
  let done = false;
  let value: T;
  void p.then((v) => {
    done = true;
    value = v;
  });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done ? value! : 'pending';
}
