import path from 'node:path';
import { parseArgs } from 'node:util';

export const RECORD_KINDS = ['price', 'ohlcv', 'analytics', 'level1'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];
export type PluginKind = 'source' | 'target';

/** Everything the generator needs; the CLI fills it from flags, then prompts. */
export interface ScaffoldOptions {
  /** npm package name, e.g. qi-plugin-nats or @acme/qi-plugin-kdb */
  name: string;
  kind: PluginKind;
  kinds: RecordKind[];
  /** where to write, absolute */
  dir: string;
  description: string;
  /** the devDependency spec of @qi/core (default: the peer range) */
  qiCore?: string;
  /** write into a directory that is not empty */
  force?: boolean;
}

export interface ParsedArgs {
  name?: string;
  kind?: string;
  kinds?: string;
  dir?: string;
  description?: string;
  qiCore?: string;
  yes: boolean;
  force: boolean;
  help: boolean;
  version: boolean;
}

export const USAGE = `Usage: npm init qi-plugin [name] -- [options]
       create-qi-plugin [name] [options]

Writes a ready Qi plugin package: definePlugin, zod config, a working handler
skeleton, conformance tests, tsup build, README and changesets.

Options:
  --name <name>          npm package name (convention: qi-plugin-<technology>)
  --kind <kind>          source or target (default: target)
  --kinds <kinds>        record kinds it handles: comma list of price,ohlcv,analytics,level1, or "all" (default: all)
  --dir <dir>            where to write it (default: ./<name without scope>)
  --description <text>   package description
  --qi-core <spec>       @qi/core devDependency spec, e.g. file:../qi-core-0.1.0.tgz (default: the peer range)
  -y, --yes              take defaults for everything not given; never prompt
  -f, --force            write into a directory that is not empty
  -h, --help             this help
  -v, --version          the version of create-qi-plugin

Prompts for what is missing only when stdin is a terminal.`;

export function parseCliArgs(argv: string[]): ParsedArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      kind: { type: 'string' },
      kinds: { type: 'string' },
      dir: { type: 'string' },
      description: { type: 'string' },
      'qi-core': { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
      force: { type: 'boolean', short: 'f', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError(`expected at most one name, got ${positionals.join(' ')}`);
  return {
    name: values.name ?? positionals[0],
    kind: values.kind,
    kinds: values.kinds,
    dir: values.dir,
    description: values.description,
    qiCore: values['qi-core'],
    yes: values.yes === true,
    force: values.force === true,
    help: values.help === true,
    version: values.version === true,
  };
}

export class UsageError extends Error {}

const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/** An npm package name, or the reason it is not one. */
export function checkName(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.length > 214) return 'npm names are at most 214 characters';
  if (!NPM_NAME.test(name))
    return `"${name}" is not a valid npm package name (lowercase letters, digits, "-", "." and "_", optionally @scope/)`;
  return undefined;
}

/** Whether the name follows the convention that makes the plugin easy to find. */
export function followsConvention(name: string): boolean {
  return /^(?:@[^/]+\/)?qi-plugin-[a-z0-9]/.test(name);
}

export function parseKind(kind: string): PluginKind {
  const k = kind.trim().toLowerCase();
  if (k === 'source' || k === 'target') return k;
  throw new UsageError(`--kind must be "source" or "target", got "${kind}"`);
}

export function parseKinds(kinds: string): RecordKind[] {
  const list = kinds
    .split(/[\s,]+/)
    .map((k) => k.trim().toLowerCase())
    .filter(Boolean);
  if (list.length === 0 || (list.length === 1 && list[0] === 'all')) return [...RECORD_KINDS];
  const unknown = list.filter((k) => !(RECORD_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown record kind(s) ${unknown.join(', ')}; expected some of ${RECORD_KINDS.join(', ')} or "all"`,
    );
  // keep the DSL's order and drop repeats, so generated code is the same whatever order was typed
  return RECORD_KINDS.filter((k) => list.includes(k));
}

/** The directory a name goes to by default: the name without its scope. */
export function defaultDir(name: string, cwd: string): string {
  return path.resolve(cwd, name.replace(/^@[^/]+\//, ''));
}

export function defaultDescription(kind: PluginKind, name: string): string {
  return kind === 'source'
    ? `Qi source plugin ${name}: reads market data into Qi pipelines`
    : `Qi target plugin ${name}: writes market data from Qi pipelines`;
}
