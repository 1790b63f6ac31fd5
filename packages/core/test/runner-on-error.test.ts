import { qiError } from '../src/errors';
import { applyOnError, type OnError } from '../src/runner/on-error';
import { captureLogs, letterBox } from './helpers/runner-parts';

// targets[].onError, one value at a time: what happens to a batch a target could not write.

const error = qiError({ code: 'T_DOWN', category: 'unavailable', retryable: true }, 'target is down', {
  context: { host: 'db1' },
});
const records = [
  { kind: 'price', coin_id: 'a' },
  { kind: 'price', coin_id: 'b' },
];
const failedBatch = { pipeline: 'p', target: 'ts', records, error };

describe('runner onError', () => {
  it('fail: throws an error naming the target, keeping the cause, and stores nothing', async () => {
    const { letters, sink } = letterBox();
    const { lines, log } = captureLogs();
    const thrown = await applyOnError('fail', failedBatch, { deadLetter: sink, log }).catch((e) => e);
    expect(thrown).toMatchObject({
      code: 'T_DOWN',
      message: 'target ts failed: target is down',
      retryable: true,
      context: { host: 'db1' },
      cause: error,
    });
    expect(letters).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('dead-letter: every record of the batch becomes a dead letter at stage write, with the reason', async () => {
    const { letters, sink } = letterBox();
    const { log } = captureLogs();
    await applyOnError('dead-letter', failedBatch, { deadLetter: sink, log });
    expect(letters).toEqual(
      records.map((record) =>
        expect.objectContaining({
          pipeline: 'p',
          target: 'ts',
          stage: 'write',
          code: 'T_DOWN',
          reason: 'target is down',
          record,
          context: { host: 'db1' },
        }),
      ),
    );
  });

  it('dead-letter: a destination that fails makes it throw (the pipeline stops, nothing is lost)', async () => {
    const { log } = captureLogs();
    const down = async () => {
      throw new Error('dead-letter store is down');
    };
    await expect(applyOnError('dead-letter', failedBatch, { deadLetter: down, log })).rejects.toThrow(
      'dead-letter store is down',
    );
  });

  it('skip-target: the batch is dropped for this target with one error line, nothing stored', async () => {
    const { letters, sink } = letterBox();
    const { lines, log } = captureLogs();
    await applyOnError('skip-target', failedBatch, { deadLetter: sink, log });
    expect(letters).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        event: 'pipeline.target_skipped',
        target: 'ts',
        code: 'T_DOWN',
        msg: 'target ts dropped a batch of 2 (onError: skip-target)',
      }),
    ]);
  });

  it('a value outside the config schema is an error that says which target and what is allowed, not a quiet "fail"', async () => {
    const { letters, sink } = letterBox();
    const { log } = captureLogs();
    const policy = 'retry-later' as OnError; // what a hand-built pipeline could pass
    await expect(applyOnError(policy, failedBatch, { deadLetter: sink, log })).rejects.toMatchObject({
      code: 'QI_CONFIG',
      message: 'target ts: unknown onError "retry-later" (expected fail, dead-letter or skip-target)',
    });
    expect(letters).toEqual([]);
  });
});
