import type { Result } from '../result';

type Fn = (...args: never[]) => unknown;
interface TestApi {
  describe: (name: string, fn: () => void) => void;
  it: ((name: string, fn: () => unknown, timeout?: number) => void) & {
    each: <T>(cases: readonly T[]) => (name: string, fn: (c: T) => unknown, timeout?: number) => void;
  };
  // biome-ignore lint/suspicious/noExplicitAny: the runner's matcher type is its own
  expect: ((v: unknown) => any) & Fn;
  beforeEach: (fn: () => unknown, timeout?: number) => void;
  afterEach: (fn: () => unknown, timeout?: number) => void;
}

/** The test runner's globals (jest or vitest with globals). The testkit has no runtime dependency on either. */
export function testApi(): TestApi {
  const g = globalThis as unknown as Partial<TestApi>;
  if (!g.describe || !g.it || !g.expect) {
    throw new Error(
      '@qi/core/testkit needs the test runner globals describe/it/expect (jest, or vitest with globals: true)',
    );
  }
  return g as TestApi;
}

/** Asserts a Result is ok and returns its value; the failure message shows the QiError. */
export function expectOk<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}
