import type { Reader } from '../src/contracts/reader';
import type { Writer } from '../src/contracts/writer';
import { qiError } from '../src/errors';
import { err, ok, type Result } from '../src/result';
import { closeAll } from '../src/runner/close';
import { captureLogs } from './helpers/runner-parts';

const broken = qiError({ code: 'T_CLOSE', category: 'unavailable', retryable: true }, 'socket hang up');

describe('runner close', () => {
  it('closes every target, then the dead-letter destination, then the source; returns the first failure and logs each', async () => {
    const order: string[] = [];
    const closing = (name: string, r: Result<void> = ok(undefined)) => ({
      close: async () => {
        order.push(name);
        return r;
      },
    });
    const { lines, log } = captureLogs();
    const first = await closeAll(
      closing('source') as unknown as Reader,
      [
        { name: 'a', writer: closing('a', err(broken)) as unknown as Writer },
        { name: 'b', writer: closing('b') as unknown as Writer },
      ],
      closing('dlq', err(qiError(broken, 'disk gone'))) as unknown as Writer,
      log,
    );
    expect(order).toEqual(['a', 'b', 'dlq', 'source']);
    expect(first?.message).toBe('socket hang up');
    expect(lines.map((l) => [l.event, l.what])).toEqual([
      ['pipeline.close_failed', 'target a'],
      ['pipeline.close_failed', 'dead-letter destination'],
    ]);
  });

  it('closes only what was opened (a start that failed half-way)', async () => {
    await expect(closeAll(undefined, [], undefined, captureLogs().log)).resolves.toBeUndefined();
  });
});
