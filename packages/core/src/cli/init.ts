import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { EXIT, printError } from './context';
import { schemaConfigCommand } from './schema-config';

/** Written beside the config by qi init, and again by `qi schema config -o` once plugins are installed. */
export const SCHEMA_FILE = 'qi.schema.json';
const SCHEMA_LINE = `# yaml-language-server: $schema=./${SCHEMA_FILE}\n`;

const TEMPLATES: Record<string, string> = {
  quickstart: `# Qi pipelines. Reference: node_modules/@qi/core/README.md; a plugin's fields: npx qi describe <plugin>
# Values may use \${ENV_VAR} (an error when unset) or \${ENV_VAR:-default}.
pipelines:
  prices:
    source:
      use: "@qi/source-coingecko"        # npm install @qi/source-coingecko
      with:
        coins: [bitcoin, ethereum, solana]
        intervalMs: 30000
    targets:
      - use: "@qi/target-timescale"      # npm install @qi/target-timescale (embedded PostgreSQL when no connection is set)
        with:
          connectionString: \${DATABASE_URL:-}
      - use: stdout
`,
  file: `# Qi pipelines: replay an NDJSON file of records to stdout.
pipelines:
  replay:
    source:
      use: file
      with:
        path: records.ndjson
    targets:
      - use: stdout
`,
};

const SAMPLE_RECORDS = `${[
  { coin_id: 'bitcoin', symbol: 'btc', price: '97123.45', market_cap: '1923456789012.5' },
  { coin_id: 'ethereum', symbol: 'eth', price: '3456.789', market_cap: '415678901234.25' },
]
  .map((r) =>
    JSON.stringify({
      kind: 'price',
      ...r,
      exchange: 'aggregate',
      vs_currency: 'usd',
      ts: '2026-01-01T00:00:00.000Z',
      source: 'qi-init-sample',
      attribution: 'sample data written by qi init',
    }),
  )
  .join('\n')}\n`;

export async function initCommand(opts: {
  template?: string;
  force?: boolean;
  dir?: string;
  format?: string;
}): Promise<number> {
  const template = opts.template ?? 'quickstart';
  const yaml = TEMPLATES[template];
  const format = opts.format ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') {
    printError(`qi init: unknown format "${format}"; expected yaml or json`);
    return EXIT.USAGE;
  }
  if (!yaml) {
    printError(
      `qi init: unknown template "${template}"; expected one of ${Object.keys(TEMPLATES).join(', ')}`,
    );
    return EXIT.USAGE;
  }
  const file = path.resolve(opts.dir ?? process.cwd(), format === 'json' ? '.qirc.json' : 'qi.config.yaml');
  // editors find the schema through the first line (YAML) or the $schema key (JSON)
  const text =
    format === 'json'
      ? `${JSON.stringify({ $schema: `./${SCHEMA_FILE}`, ...YAML.parse(yaml) }, null, 2)}\n`
      : `${SCHEMA_LINE}${yaml}`;
  if (existsSync(file) && !opts.force) {
    printError(`qi init: ${file} already exists (use --force to overwrite)`);
    return EXIT.USAGE;
  }
  writeFileSync(file, text);
  const written = [file];
  // the file template replays records.ndjson: a sample one, so the first run works
  const sample = path.join(path.dirname(file), 'records.ndjson');
  if (template === 'file' && !existsSync(sample)) {
    writeFileSync(sample, SAMPLE_RECORDS);
    written.push(sample);
  }
  const schema = path.join(path.dirname(file), SCHEMA_FILE);
  await schemaConfigCommand({ config: file, output: schema, quiet: true });
  written.push(schema);
  process.stdout.write(
    `wrote ${written.join(', ')}\nnext: qi validate && qi run` +
      `\nafter installing plugins, refresh the editor schema: qi schema config -o ${SCHEMA_FILE}\n`,
  );
  return EXIT.OK;
}
