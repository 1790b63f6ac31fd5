import { execFileSync } from 'node:child_process';
import { boundHeap, HEAP_FLAGS } from '../src/index';

describe('boundHeap (qi run)', () => {
  it("leaves Node's defaults when told to", () => {
    expect(boundHeap({ QI_NODE_HEAP: 'node' }, [])).toBe('node-defaults');
  });

  it("leaves a user's own heap-growth flags, from NODE_OPTIONS or node's command line", () => {
    expect(boundHeap({ NODE_OPTIONS: '--max-semi-space-size=16' }, [])).toBe('user-flags');
    expect(boundHeap({}, ['--heap-growing-percent=100'])).toBe('user-flags');
  });

  it('bounds the growth otherwise, with flags V8 knows', () => {
    expect(boundHeap({ NODE_OPTIONS: '--max-old-space-size=512' }, [])).toBe('bounded');
    // setFlagsFromString ignores a flag it does not know: check this node knows each one
    const known = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(HEAP_FLAGS.filter((f) => !known.includes(`  ${f.split('=')[0]} `))).toEqual([]);
  });
});
