import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './helpers';

// docs/architecture.md is a map of the code: every path it names must exist, every
// `file:name` must still contain the name, its dependency table must be the real
// imports, and its list of per-kind places must match the files that name a kind.
// A refactor that moves things fails here instead of leaving the map wrong.
const DOC = 'docs/architecture.md';
const text = readFileSync(path.join(REPO, DOC), 'utf8');
const read = (rel: string) => readFileSync(path.join(REPO, rel), 'utf8');

const PATH = /^(?:packages|docs|scripts|test|examples)\/[\w.@/-]*?(?::[\w-]+)?$/;
const spans = (s: string) => [...s.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
const paths = (s: string) =>
  [...new Set(spans(s).filter((x) => PATH.test(x)))].map((x) => {
    const [file, name] = x.split(':') as [string, string | undefined];
    return { file, name };
  });

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

const section = (from: string, to: string) => {
  const start = text.indexOf(from);
  const end = text.indexOf(to, start);
  if (start < 0 || end < 0) throw new Error(`${DOC}: no section from "${from}" to "${to}"`);
  return text.slice(start, end);
};

describe(DOC, () => {
  const named = paths(text);

  it('names paths (the test reads what it thinks it reads)', () => {
    expect(named.length).toBeGreaterThanOrEqual(60);
    expect(named.filter((p) => p.name).length).toBeGreaterThanOrEqual(20);
  });

  it.each(named.map((p) => [p.name ? `${p.file}:${p.name}` : p.file, p] as const))(
    '%s exists',
    (_label, { file, name }) => {
      expect(existsSync(path.join(REPO, file)) ? file : `${file} (missing)`).toBe(file);
      if (name) {
        expect(statSync(path.join(REPO, file)).isFile()).toBe(true);
        expect(read(file).includes(name) ? name : `${name} (not in ${file})`).toBe(name);
      }
    },
  );

  it('links only to files that exist', () => {
    const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(0);
    const missing = links.filter((l) => !existsSync(path.resolve(REPO, 'docs', l)));
    expect(missing).toEqual([]);
  });

  describe('the dependency table is the real imports', () => {
    const table = section('## Packages and which way they depend', 'What the table means');
    const rows = [...table.matchAll(/^\| `([^`]+)` \| `([^`]+)` \| ([^|]+) \|$/gm)].map((m) => ({
      name: m[1]!,
      folder: m[2]!,
      // "none (its templates import `@qi/core`)": what is in parentheses is a remark
      documented: spans(m[3]!.replace(/\(.*\)/, '')).sort(),
    }));
    const workspace = ['packages', 'examples/plugins'].flatMap((d) =>
      readdirSync(path.join(REPO, d))
        .map((x) => `${d}/${x}`)
        .filter((x) => existsSync(path.join(REPO, x, 'package.json'))),
    );

    it('covers every workspace package', () => {
      expect(rows.map((r) => r.folder).sort()).toEqual([...workspace].sort());
    });

    it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
      const manifest = JSON.parse(read(`${row.folder}/package.json`)) as {
        name: string;
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      };
      expect(manifest.name).toBe(row.name);
      const declared = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })
        .filter((d) => d.startsWith('@qi/'))
        .sort();
      const imported = new Set<string>();
      for (const f of tsFiles(path.join(REPO, row.folder, 'src')))
        for (const m of readFileSync(f, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*)['"](@qi\/[a-z-]+)/g))
          if (m[1] !== row.name) imported.add(m[1]!);
      expect({ declared, imported: [...imported].sort() }).toEqual({
        declared: row.documented,
        imported: row.documented,
      });
    });
  });

  it('is linked from the root README and every package README', () => {
    const readmes = [
      'README.md',
      ...readdirSync(path.join(REPO, 'packages')).map((p) => `packages/${p}/README.md`),
    ].filter((f) => existsSync(path.join(REPO, f)));
    expect(readmes.length).toBeGreaterThanOrEqual(11);
    const link = (f: string) =>
      f === 'README.md' ? '(docs/architecture.md)' : '(../../docs/architecture.md)';
    expect(readmes.filter((f) => !read(f).includes(link(f)))).toEqual([]);
  });

  it('streaming knows no DSL (as the map says)', () => {
    const dsl =
      /\b(MarketRecord|RecordKind|RecordSpecs?|RECORD_SPECS|RECORD_KINDS|parseRecord\w*|\w+Schema)\b/;
    const hits = tsFiles(path.join(REPO, 'packages/streaming/src')).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/import[^;]*?from '@qi\/core'/gs)]
        .filter((m) => dsl.test(m[0]))
        .map((m) => `${path.relative(REPO, f)}: ${m[0]}`),
    );
    expect(hits).toEqual([]);
  });

  it('no source imports a target (as the map says)', () => {
    const sources = readdirSync(path.join(REPO, 'packages')).filter((p) => p.startsWith('source-'));
    const hits = sources
      .flatMap((p) => tsFiles(path.join(REPO, 'packages', p, 'src')))
      .filter((f) => /from '@qi\/target-/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(REPO, f));
    expect(sources.length).toBeGreaterThanOrEqual(2);
    expect(hits).toEqual([]);
  });

  describe('the places a fifth record kind touches', () => {
    const toEdit = section('## What a fifth record kind touches today', '**Derived, no edit**');
    const listed = new Set(paths(toEdit).map((p) => p.file));
    const namesAKind = (file: string) => /level1/i.test(read(file));

    it('are each a place that names a kind', () => {
      expect(listed.size).toBeGreaterThanOrEqual(20);
      expect([...listed].filter((f) => statSync(path.join(REPO, f)).isFile() && !namesAKind(f))).toEqual([]);
    });

    it('are every source file that names a kind (but the CoinGecko source, a producer)', () => {
      const pkgs = readdirSync(path.join(REPO, 'packages')).filter((p) => p !== 'source-coingecko');
      const naming = pkgs
        .flatMap((p) => tsFiles(path.join(REPO, 'packages', p, 'src')))
        .map((f) => path.relative(REPO, f).split(path.sep).join('/'))
        .filter(namesAKind);
      expect(naming.length).toBeGreaterThan(10);
      expect(naming.filter((f) => !listed.has(f))).toEqual([]);
    });
  });
});
