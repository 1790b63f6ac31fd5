import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { samplePrice, sampleRecords } from '../../src/testkit/index';
import { makeProject, QI_BIN } from '../helpers/project';

// Part 6 of the trust issue: fuzzed NDJSON with 1 MB lines through `qi run --once`
// (the built CLI, a child process). Memory is the child's own peak RSS, reported by
// the child at exit (process.resourceUsage), not a timing.
const LINES = 10_000;
const MiB = 1024 * 1024;

/** mulberry32: a seeded PRNG, so a failure reproduces */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'good' | 'blank' | 'bad';

function fuzz(seed: number): { text: string; counts: Record<Kind, number> } {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const recent = Date.now() - 3_600_000;
  const good = (i: number): string => {
    const kind = pick(['price', 'ohlcv', 'analytics', 'level1'] as const);
    const r = sampleRecords(kind, 1, i)[0] as Record<string, unknown>;
    return JSON.stringify({ ...r, ts: recent + i });
  };
  const price = (i: number, patch: Record<string, unknown>) =>
    JSON.stringify({ ...samplePrice(i), ts: recent + i, ...patch });
  const bad: Array<(i: number) => string> = [
    (i) => price(i, { price: -1 }),
    (i) => price(i, { market_cap: '-0.5' }),
    (i) => price(i, { ts: -1 }),
    (i) => price(i, { ts: 12345 }),
    (i) => price(i, { ts: Date.now() + 86_400_000 }),
    (i) => price(i, { price: 'x'.repeat(1 + Math.floor(rnd() * 5000)) }),
    (i) => price(i, { coin_id: '' }),
    (i) => price(i, { kind: 'trade' }),
    (i) => price(i, { kind: 'y'.repeat(2000) }),
    (i) => price(i, { source: undefined }),
    (i) => price(i, {}).slice(0, 1 + Math.floor(rnd() * 80)), // truncated
    () => pick(['null', '[]', '42', '"str"', '{', '}', 'nope', '{"a":1e99999}', '\u0000\u0001']),
    () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(rnd() * 256))).toString('latin1'),
  ];
  const counts: Record<Kind, number> = { good: 0, blank: 0, bad: 0 };
  const out: string[] = [];
  // 1 MB lines: over the 1 MiB limit (never read), and just under it (read, then invalid)
  const huge = new Map<number, string>();
  for (const [n, size] of [
    [3, 1_100_000],
    [3, 3 * MiB],
    [4, 1_000_000],
  ] as const)
    for (let k = 0; k < n; k++) {
      const at = 1 + Math.floor(rnd() * (LINES - 2));
      huge.set(at, price(at, { coin_id: 'z'.repeat(size - 250) }));
    }
  for (let i = 0; i < LINES; i++) {
    const big = huge.get(i);
    const roll = rnd();
    let line: string;
    let kind: Kind;
    if (big !== undefined) [line, kind] = [big, 'bad'];
    else if (roll < 0.6) [line, kind] = [good(i), 'good'];
    else if (roll < 0.65) [line, kind] = [pick(['', ' ', '\t', '  \r']), 'blank'];
    else [line, kind] = [pick(bad)(i), 'bad'];
    if (line.includes('\n') || line.includes('\r\n')) line = line.replace(/\r?\n/g, ' ');
    counts[kind]++;
    out.push(line);
  }
  return { text: `${out.join('\n')}\n`, counts };
}

describe('qi run on fuzzed NDJSON with 1 MB lines', () => {
  const { text, counts } = fuzz(13);
  const project = makeProject({
    'in.ndjson': text,
    'rss.cjs':
      "process.on('exit', () => require('fs').writeFileSync(process.env.RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
    'qi.config.yaml':
      'pipelines:\n  fuzz:\n    source: { use: file, with: { path: in.ndjson } }\n    targets: [{ use: file, with: { path: out.ndjson, fsync: false } }]\n',
  });
  afterAll(() => project.cleanup());

  it('does not crash, dead-letters every bad line with a bounded reason, and stays under 300 MB', async () => {
    const at = (f: string) => path.join(project.dir, f);
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['-r', at('rss.cjs'), QI_BIN, 'run', '--once', '--no-progress'], {
        cwd: project.dir,
        env: { ...process.env, RSS_FILE: at('rss.txt') },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(0);

    const nonEmpty = (f: string) =>
      readFileSync(at(f), 'utf8')
        .split('\n')
        .filter((l) => l !== '');
    const written = nonEmpty('out.ndjson');
    const letters = nonEmpty('.qi/dead-letter/fuzz.ndjson').map(
      (l) => JSON.parse(l) as { reason: string; stage: string; record: unknown; context?: { line?: number } },
    );
    const done = r.stderr
      .split('\n')
      .filter((l) => l.includes('"event":"file.done"'))
      .map((l) => JSON.parse(l) as { lines: number; blank: number; oversized: number })[0];

    // nothing lost: every line is a row, a dead letter or a counted blank line
    expect(done).toMatchObject({ lines: LINES, blank: counts.blank, oversized: 6 });
    expect({ good: written.length, bad: letters.length }).toEqual({ good: counts.good, bad: counts.bad });
    expect(written.length + letters.length + done!.blank).toBe(LINES);

    // every dead letter says which line, whatever the stage
    expect(letters.filter((l) => typeof l.context?.line !== 'number')).toEqual([]);
    expect(new Set(letters.map((l) => l.context!.line)).size).toBe(letters.length);
    // bounded reasons; an oversized line is known by its size and line number only
    expect(Math.max(...letters.map((l) => l.reason.length))).toBeLessThan(400);
    const oversized = letters.filter((l) => /longer than maxLineBytes/.test(l.reason));
    expect(oversized).toHaveLength(6);
    for (const l of oversized) {
      expect(l.record).toEqual({
        file: at('in.ndjson'),
        line: expect.any(Number),
        bytes: expect.any(Number),
      });
      expect(JSON.stringify(l).length).toBeLessThan(1000);
    }
    expect(statSync(at('.qi/dead-letter/fuzz.ndjson')).size).toBeLessThan(statSync(at('in.ndjson')).size);

    const maxRssMb = Number(readFileSync(at('rss.txt'), 'utf8')) / 1024;
    const dlqMiB = statSync(at('.qi/dead-letter/fuzz.ndjson')).size / MiB;
    console.log(
      `fuzz: ${LINES} lines, ${(text.length / MiB).toFixed(1)} MiB in, ${dlqMiB.toFixed(1)} MiB dead letters, child max RSS ${maxRssMb.toFixed(0)} MB`,
    );
    expect(maxRssMb).toBeLessThan(300);
  });
});
