import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_PLUGINS, createHost, type QiPlugin } from '@qi/core';
import coingecko from '@qi/source-coingecko';
import kafkaSource from '@qi/source-redpanda';
import redpanda from '@qi/target-redpanda';
import mcpRedpanda from '@qi/target-redpanda-mcp';
import timescale from '@qi/target-timescale';
import mcpTimescale from '@qi/target-timescale-mcp';
import { REPO, tempDir } from './helpers';

// Every pipeline config a README shows is validated by the same host `qi validate` uses, with
// the real plugin schemas (which refuse unknown keys): documentation cannot drift from the code.
const READMES = [
  'README.md',
  'docs/plugins.md',
  ...[
    'source-coingecko',
    'source-redpanda',
    'target-redpanda',
    'target-timescale',
    'target-redpanda-mcp',
    'target-timescale-mcp',
  ].map((p) => `packages/${p}/README.md`),
];
const PLUGINS = [
  coingecko,
  kafkaSource,
  redpanda,
  timescale,
  mcpTimescale,
  mcpRedpanda,
] as unknown as QiPlugin[];

const blocks = READMES.flatMap((file) =>
  [...readFileSync(path.join(REPO, file), 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((yaml) => /^pipelines:/m.test(yaml))
    .map((yaml, i) => [`${file} #${i + 1}`, yaml] as const),
);

describe('pipeline configs shown in the READMEs', () => {
  it('are found (the test reads what it thinks it reads)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(7);
  });

  it.each(blocks)('%s is valid', async (_name, yaml) => {
    const t = tempDir('qi-readme-');
    try {
      writeFileSync(path.join(t.dir, 'qi.config.yaml'), yaml);
      // the variables the snippets use, as a user would have them set
      const env = {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        COINGECKO_API_KEY: 'CG-example',
        KAFKA_BROKERS: '127.0.0.1:9092',
        KAFKA_USER: 'qi',
        KAFKA_PASSWORD: 'secret',
        QI_MCP_TOKEN: 'token',
        QI_MCP_URL: 'http://127.0.0.1:8080/mcp',
      };
      const host = createHost({ plugins: [...BUILTIN_PLUGINS, ...PLUGINS], env });
      const r = await host.prepare({ configPath: path.join(t.dir, 'qi.config.yaml') });
      expect(r.ok ? [] : r.issues).toEqual([]);
    } finally {
      t.cleanup();
    }
  });
});
