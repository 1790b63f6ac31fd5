import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { checkName, type ParsedArgs, parseKind, parseKinds, RECORD_KINDS } from './options';

/**
 * Asks for what the flags left out. Each answer is checked at once and asked
 * again while it is wrong, so a typo costs one line, not a restart.
 */
export async function promptMissing(
  args: ParsedArgs,
  input: Readable,
  output: Writable,
): Promise<ParsedArgs> {
  const rl = createInterface({ input, terminal: false });
  // the iterator buffers lines, so answers typed (or piped) ahead are not lost
  const lines = rl[Symbol.asyncIterator]();
  const ask = async <T>(question: string, fallback: string, check: (answer: string) => T): Promise<T> => {
    for (;;) {
      output.write(`${question} (${fallback}) `);
      const next = await lines.next();
      if (next.done) throw new Error('no answer: input ended');
      const answer = String(next.value).trim() || fallback;
      try {
        return check(answer);
      } catch (e) {
        output.write(`  ${(e as Error).message}\n`);
      }
    }
  };
  try {
    const out = { ...args };
    out.name ??= await ask('Package name?', 'qi-plugin-example', (a) => {
      const problem = checkName(a);
      if (problem) throw new Error(problem);
      return a;
    });
    out.kind ??= await ask('Kind: source or target?', 'target', (a) => parseKind(a));
    out.kinds ??= await ask(`Record kinds (comma list of ${RECORD_KINDS.join(', ')}, or all)?`, 'all', (a) =>
      parseKinds(a).join(','),
    );
    return out;
  } finally {
    rl.close();
  }
}
