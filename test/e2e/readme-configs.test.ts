import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  BUILTIN_PLUGINS,
  configIssues,
  configJsonSchema,
  createHost,
  loadConfigFile,
  type QiPlugin,
} from '@qi/core';
import coingecko from '@qi/source-coingecko';
import kafkaSource from '@qi/source-redpanda';
import redpanda from '@qi/target-redpanda';
import mcpRedpanda from '@qi/target-redpanda-mcp';
import timescale from '@qi/target-timescale';
import mcpTimescale from '@qi/target-timescale-mcp';
import Ajv from 'ajv';
import { PG_URL, REPO, tempDir } from './helpers';

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
        DATABASE_URL: PG_URL,
        COINGECKO_API_KEY: 'CG-example',
        KAFKA_BROKERS: '127.0.0.1:9092',
        KAFKA_USER: 'qi',
        KAFKA_PASSWORD: 'secret',
        QI_MCP_TOKEN: 'token',
        QI_MCP_URL: 'http://127.0.0.1:8080/mcp',
      };
      const host = createHost({ plugins: [...BUILTIN_PLUGINS, ...PLUGINS], env });
      const r = await host.prepare({ configPath: path.join(t.dir, 'qi.config.yaml') });
      expect(r.ok ? [] : configIssues(r.error)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });
});

describe('qi schema config (JSON Schema of the config file)', () => {
  const QI = path.join(REPO, 'packages/core/bin/qi.cjs');
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(configJsonSchema([...BUILTIN_PLUGINS, ...PLUGINS]));
  const errorsOf = (doc: unknown) =>
    validate(doc) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`);

  // the file as written (${VAR} not yet interpolated), as an editor sees it; read by the host's own loader
  const raw = async (file: string) => {
    const r = await loadConfigFile({ configPath: file });
    if (!r.ok) throw new Error(r.error.message);
    return r.value.raw as Record<string, unknown>;
  };
  const rawYaml = async (yaml: string) => {
    const t = tempDir('qi-schema-');
    try {
      writeFileSync(path.join(t.dir, 'qi.config.yaml'), yaml);
      return await raw(path.join(t.dir, 'qi.config.yaml'));
    } finally {
      t.cleanup();
    }
  };

  it.each(blocks)('%s validates', async (_name, yaml) => {
    expect(errorsOf(await rawYaml(yaml))).toEqual([]);
  });

  const examples = readdirSync(path.join(REPO, 'examples'), { withFileTypes: true })
    .filter(
      (d) => d.isDirectory() && readdirSync(path.join(REPO, 'examples', d.name)).includes('qi.config.yaml'),
    )
    .map((d) => d.name);

  it.each(examples)(
    'examples/%s: the built CLI, run there, prints a schema its config validates against',
    async (ex) => {
      const dir = path.join(REPO, 'examples', ex);
      const schema = JSON.parse(
        execFileSync('node', [QI, 'schema', 'config'], { cwd: dir, encoding: 'utf8' }),
      );
      const config = await raw(path.join(dir, 'qi.config.yaml'));
      const check = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
      expect(check.errors ?? (check(config) ? [] : check.errors)).toEqual([]);
      // the project's plugins are typed, not just the built-ins
      const uses = [...JSON.stringify(config).matchAll(/"use":"([^"]+)"/g)].map((m) => m[1]);
      expect(JSON.stringify(schema.properties.pipelines)).toEqual(
        expect.stringContaining(`"const":"${uses.find((u) => u!.startsWith('@qi/')) ?? 'stdout'}"`),
      );
    },
  );

  const quickstart = () => raw(path.join(REPO, 'examples/quickstart/qi.config.yaml'));

  it('rejects a typo in a host key', async () => {
    const doc = { ...(await quickstart()), logLevl: 'debug' };
    expect(errorsOf(doc)).toEqual(expect.arrayContaining([expect.stringContaining('additional properties')]));
  });

  it("rejects a typo in a plugin's with, and a wrong type there", async () => {
    const doc = await quickstart();
    const source = Object.values(
      doc.pipelines as Record<string, { source: { with: Record<string, unknown> } }>,
    )[0]!.source;
    expect(errorsOf(doc)).toEqual([]);
    source.with.intervalMz = 1000;
    expect(errorsOf(doc)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/source\/with must NOT have additional properties/)]),
    );
    delete source.with.intervalMz;
    source.with.coins = 'bitcoin';
    expect(errorsOf(doc)).toEqual(expect.arrayContaining([expect.stringContaining('/source/with/coins')]));
  });

  it('takes ${VAR} where a number is expected, as the host does', async () => {
    const doc = await quickstart();
    const source = Object.values(
      doc.pipelines as Record<string, { source: { with: Record<string, unknown> } }>,
    )[0]!.source;
    source.with.intervalMs = '${INTERVAL_MS:-30000}';
    expect(errorsOf(doc)).toEqual([]);
    source.with.intervalMs = 'soon';
    expect(errorsOf(doc)).not.toEqual([]);
  });
});
