import path from 'node:path';
import {
  checkName,
  defaultDescription,
  defaultDir,
  followsConvention,
  type ParsedArgs,
  parseCliArgs,
  parseKind,
  parseKinds,
  type ScaffoldOptions,
  USAGE,
  UsageError,
} from './options';
import { promptMissing } from './prompt';
import { renderPlugin } from './render';
import { ownVersion } from './versions';

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

interface CliIo {
  cwd?: string;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** create-qi-plugin [name] [options]; returns the exit code. */
export async function main(argv: string[] = process.argv.slice(2), io: CliIo = {}): Promise<number> {
  const stdin = io.stdin ?? process.stdin;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const cwd = io.cwd ?? process.cwd();
  try {
    let args = parseCliArgs(argv);
    if (args.help || args.version) {
      stdout.write(`${args.help ? USAGE : ownVersion()}\n`);
      return EXIT.OK;
    }
    if (!args.yes && stdin.isTTY) args = await promptMissing(args, stdin as never, stdout as never);
    const opts = resolveOptions(args, cwd);
    const files = renderPlugin(opts);
    const rel = path.relative(cwd, opts.dir) || '.';
    stdout.write(
      `Created ${opts.kind} plugin ${opts.name} in ${opts.dir} (${files.length} files), handling ${opts.kinds.join(', ')}.\n`,
    );
    if (!followsConvention(opts.name)) {
      stdout.write(
        `Tip: third-party plugins are easiest to find when named qi-plugin-<technology> (or @scope/qi-plugin-<technology>).\n`,
      );
    }
    stdout.write(
      `\nNext:\n  cd ${rel}\n  npm install\n  npm run build && npm test\n\nThe handler is a working file-backed skeleton: replace the parts marked TODO with your technology (see README.md).\n`,
    );
    return EXIT.OK;
  } catch (e) {
    stderr.write(`create-qi-plugin: ${(e as Error).message}\n`);
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      stderr.write('Run create-qi-plugin --help for the options.\n');
      return EXIT.USAGE;
    }
    return EXIT.FAILURE;
  }
}

/** Flags (and answers) to options; without a terminal, what is missing takes its default, except the name. */
export function resolveOptions(args: ParsedArgs, cwd: string): ScaffoldOptions {
  if (!args.name)
    throw new UsageError('a package name is required: create-qi-plugin <name> (or --name <name>)');
  const problem = checkName(args.name);
  if (problem) throw new UsageError(problem);
  const kind = parseKind(args.kind ?? 'target');
  return {
    name: args.name,
    kind,
    kinds: parseKinds(args.kinds ?? 'all'),
    dir: args.dir ? path.resolve(cwd, args.dir) : defaultDir(args.name, cwd),
    description: args.description ?? defaultDescription(kind, args.name),
    ...(args.qiCore ? { qiCore: args.qiCore } : {}),
    force: args.force,
  };
}
