import { Command, CommanderError } from 'commander';
import { PLUGIN_API_VERSION } from '../plugin';
import { EXIT, printError } from './context';
import { describeCommand } from './describe';
import { initCommand } from './init';
import { mcpServeCommand } from './mcp';
import { pluginsCommand } from './plugins';
import { queryCommand } from './query';
import { runCommand } from './run';
import { schemaCommand } from './schema';
import { schemaConfigCommand } from './schema-config';
import { schemaPlanCommand } from './schema-plan';
import { topCommand } from './top';
import { validateCommand } from './validate';
import { muteKnownWarnings } from './warnings';

declare const __QI_VERSION__: string | undefined;

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('qi')
    .description('Qi: crypto market-data pipelines from a config file')
    .version(typeof __QI_VERSION__ === 'string' ? __QI_VERSION__ : `plugin API ${PLUGIN_API_VERSION}`)
    .option(
      '-c, --config <file>',
      'config file (default: searched from the current directory: qi.config.{ts,mjs,js,yaml,json}, .qirc*, package.json#qi)',
    )
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('run')
    .description('run pipelines until SIGINT/SIGTERM (graceful: stop reading, drain, flush, close)')
    .argument('[pipelines...]', 'only these pipelines (default: all)')
    .option('--once', 'one cycle of the source, then drain and exit')
    .option('--metrics-port <port>', 'serve Prometheus /metrics and /healthz on this port')
    .option('--no-progress', 'no live progress line on a TTY')
    .action(async (names: string[], o) => setExit(await runCommand(names, { ...program.opts(), ...o })));

  program
    .command('top')
    .description(
      'live view of a running `qi run` (its /status): per pipeline and target the rates, in-flight batches, retries, breaker, dead letters, last error; q quits',
    )
    .option('--url <url>', 'where `qi run` serves /status (default: http://127.0.0.1:<port>)')
    .option('--port <port>', "the run's --metrics-port (default: the config's metrics.port, else 9464)")
    .option('--interval <ms>', 'refresh every this many ms', '1000')
    .option('--once', 'print one screen (rates over one interval) and exit')
    .action(async (o) => setExit(await topCommand({ ...program.opts(), ...o })));

  program
    .command('validate')
    .description('check the config and every plugin in it; print every problem')
    .option('--print', 'print the resolved config (secrets redacted)')
    .option(
      '--connect',
      'also connect to every database and broker (and close again); exit 1 naming one that cannot be reached',
    )
    .action(async (o) => setExit(await validateCommand({ ...program.opts(), ...o })));

  program
    .command('query')
    .description(
      "one read-only query against a pipeline's target when the pipeline does not run (e.g. SQL on PostgreSQL)",
    )
    .argument('<query>', 'e.g. "SELECT coin_id, price, ts FROM prices ORDER BY ts DESC LIMIT 5"')
    .option('-t, --target <pipeline.target>', 'which target (default: the only one that can be queried)')
    .option('--json', 'rows as JSON')
    .action(async (text: string, o) => setExit(await queryCommand(text, { ...program.opts(), ...o })));

  program
    .command('plugins')
    .description('list the plugins the config uses: version and where each was resolved from')
    .option('--json', 'machine-readable output')
    .action(async (o) => setExit(await pluginsCommand({ ...program.opts(), ...o })));

  program
    .command('describe')
    .description("a plugin's config reference: every field, its type, default and description")
    .argument('<plugin>', 'package name (resolved from the project, like in a config) or a built-in')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o) => setExit(await describeCommand(name, { ...program.opts(), ...o })));

  program
    .command('schema')
    .description(
      'print artifacts generated from the DSL; plan|apply: what applying the DSL to the targets of the config changes (SQL columns, topics, registry subjects); config: the JSON Schema of the config file',
    )
    .argument('<format>', 'sql | topics | json | avro | plan | apply | config')
    .argument('[pipelines...]', 'plan|apply: only these pipelines (default: all)')
    .option('--schema <name>', 'sql: PostgreSQL schema for the tables')
    .option('--timescale', 'sql: include TimescaleDB hypertable and compression statements')
    .option('--prefix <prefix>', 'topics: topic name prefix', 'qi.')
    .option('--partitions <n>', 'topics: partitions per topic')
    .option('--json', 'plan|apply: machine-readable output')
    .option(
      '--plugin <names...>',
      'config: also type the `with` of these plugins (resolved from the project)',
    )
    .option('-o, --output <file>', 'config: write the schema to this file')
    .action(async (format: string, names: string[], o) =>
      setExit(
        format === 'plan' || format === 'apply'
          ? await schemaPlanCommand(format, names, { ...program.opts(), ...o })
          : format === 'config'
            ? await schemaConfigCommand({ ...program.opts(), ...o })
            : schemaCommand(format, o),
      ),
    );

  program
    .command('init')
    .description('write a starter qi.config.yaml (or .qirc.json) and its JSON Schema for editors')
    .option('-t, --template <name>', 'quickstart | file', 'quickstart')
    .option('-f, --force', 'overwrite an existing file')
    .option('--format <format>', 'yaml (qi.config.yaml) | json (.qirc.json)', 'yaml')
    .action(async (o) => setExit(await initCommand(o)));

  program
    .command('mcp')
    .description("MCP servers for targets (needs the target's MCP variant, e.g. @qi/target-timescale-mcp)")
    .command('serve')
    .description(
      'serve a configured target as MCP tools: qi mcp serve <pipeline>.<target> [--transport http|stdio] [--host] [--port] [--path] [--token-env]',
    )
    .argument('[target]', '<pipeline>.<target name> (optional when the config has one target)')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(async (target: string | undefined, _o, cmd: Command) =>
      setExit(await mcpServeCommand(target, cmd.args.slice(target ? 1 : 0), program.opts())),
    );

  return program;
}

export async function main(argv = process.argv): Promise<number> {
  muteKnownWarnings();
  let code: number = EXIT.OK;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are not errors; everything else commander rejects is usage
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    printError(`qi: ${(e as Error).stack ?? String(e)}`);
    return EXIT.RUNTIME;
  }
  return code;
}
