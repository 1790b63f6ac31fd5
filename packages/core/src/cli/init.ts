import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, printError } from './context';

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

export function initCommand(opts: { template?: string; force?: boolean; dir?: string }): number {
  const template = opts.template ?? 'quickstart';
  const text = TEMPLATES[template];
  if (!text) {
    printError(
      `qi init: unknown template "${template}"; expected one of ${Object.keys(TEMPLATES).join(', ')}`,
    );
    return EXIT.USAGE;
  }
  const file = path.resolve(opts.dir ?? process.cwd(), 'qi.config.yaml');
  if (existsSync(file) && !opts.force) {
    printError(`qi init: ${file} already exists (use --force to overwrite)`);
    return EXIT.USAGE;
  }
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file}\nnext: qi validate && qi run\n`);
  return EXIT.OK;
}
