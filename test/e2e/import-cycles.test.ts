import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, tempDir } from './helpers';
import { describeCycles, importGraph } from './import-cycles';

// No package may import itself in a circle, not even through `import type`: a circle
// makes load order matter (a value read at module top level is undefined on one side)
// and leaves no file that can be read first.
const sources = ['packages', 'examples/plugins'].flatMap((d) =>
  readdirSync(path.join(REPO, d))
    .map((x) => `${d}/${x}/src`)
    .filter((x) => existsSync(path.join(REPO, x))),
);

describe('import cycles', () => {
  it('reads every package (the test reads what it thinks it reads)', () => {
    expect(sources.length).toBeGreaterThanOrEqual(10);
    const core = importGraph(path.join(REPO, 'packages/core/src'));
    expect(core.size).toBeGreaterThan(50);
    const edges = [...core.values()].reduce((n, t) => n + t.length, 0);
    expect(edges).toBeGreaterThan(core.size);
  });

  it.each(sources)('%s has none', (src) => {
    expect(describeCycles(path.join(REPO, src), REPO)).toEqual([]);
  });

  describe('the checker', () => {
    const files = (layout: Record<string, string>) => {
      const t = tempDir('qi-cycles-');
      for (const [name, text] of Object.entries(layout)) {
        mkdirSync(path.dirname(path.join(t.dir, name)), { recursive: true });
        writeFileSync(path.join(t.dir, name), text);
      }
      return t;
    };

    it('finds a value circle through an index, naming its path', () => {
      const t = files({
        'x/index.ts': "import { a } from './a';\nexport const base = 1;\nexport { a };\n",
        'x/a.ts': "import { base } from './index';\nexport const a = base;\n",
        'x/b.ts': "import { a } from './a';\nexport const b = a;\n",
      });
      try {
        expect(describeCycles(t.dir, t.dir)).toEqual(['x/a.ts → x/index.ts → x/a.ts']);
      } finally {
        t.cleanup();
      }
    });

    it('finds a type-only circle, a re-export and a folder import', () => {
      const t = files({
        'types.ts': "import type { Impl } from './impl/index.js';\nexport interface Api { impl: Impl }\n",
        'impl/index.ts': "export * from './impl';\n",
        'impl/impl.ts': "import type { Api } from '../types';\nexport interface Impl { api: Api }\n",
      });
      try {
        expect(describeCycles(t.dir, t.dir)).toEqual([
          'impl/impl.ts → types.ts → impl/index.ts → impl/impl.ts',
        ]);
      } finally {
        t.cleanup();
      }
    });

    it('passes a tree without circles and ignores package imports', () => {
      const t = files({
        'a.ts': "import { b } from './b';\nimport { ok } from '@qi/core';\nexport const a = b + ok;\n",
        'b.ts': 'export const b = 1;\n',
      });
      try {
        expect(describeCycles(t.dir, t.dir)).toEqual([]);
      } finally {
        t.cleanup();
      }
    });
  });
});
