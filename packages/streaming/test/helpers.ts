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

/**
 * Runs an ES module script in a child Node process and returns its exit code, stdout and
 * stderr. Past `boundMs` it is killed and `code` is 'no report': a child whose loop never
 * yields starves its own timers, so this bound, not the runner, ends such a test.
 */
export async function runChildModule(
  script: string,
  boundMs: number,
): Promise<{ code: number | null | 'no report'; out: string; err: string }> {
  const { spawn } = await import('node:child_process');
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.on('close', r));
  const bound = new Promise<'no report'>((r) => setTimeout(() => r('no report'), boundMs).unref());
  const code = await Promise.race([exited, bound]);
  if (code === 'no report') proc.kill('SIGKILL');
  return { code, out, err };
}
