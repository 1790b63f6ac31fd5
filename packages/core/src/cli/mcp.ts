import { createRequire } from 'node:module';
import path from 'node:path';
import { loadConfigFile } from '../host/load-config';
import { EXIT, printError } from './context';

const EXTENSIONS = ['@qi/target-timescale-mcp', '@qi/target-redpanda-mcp'];

/**
 * `qi mcp serve`: core never imports a plugin, so the MCP server package is
 * resolved from the user's project (directly, or through an installed *-mcp
 * target package that depends on it) and handed the rest of the command line.
 */
export async function mcpServeCommand(
  target: string | undefined,
  passthrough: string[],
  opts: { config?: string },
): Promise<number> {
  if (target?.startsWith('-')) {
    passthrough = [target, ...passthrough];
    target = undefined;
  }
  const file = await loadConfigFile({ configPath: opts.config });
  const baseDir = file.ok ? file.value.baseDir : process.cwd();
  const fromProject = createRequire(path.join(baseDir, 'noop.js'));
  let entry: string | undefined;
  for (const name of ['@qi/mcp', ...EXTENSIONS]) {
    try {
      const resolved = fromProject.resolve(name);
      entry = name === '@qi/mcp' ? resolved : createRequire(resolved).resolve('@qi/mcp');
      break;
    } catch {
      // try the next one
    }
  }
  if (!entry) {
    printError(
      `qi mcp serve: no MCP server package in ${baseDir}; install the MCP variant of your target, e.g. npm install @qi/target-timescale-mcp`,
    );
    return EXIT.USAGE;
  }
  const mcp = fromProject(entry) as { runServeCli(o: { bin: string; argv: string[] }): Promise<number> };
  const argv = [
    ...(opts.config ? ['--config', opts.config] : []),
    ...(target ? ['--target', target] : []),
    ...passthrough,
  ];
  return mcp.runServeCli({ bin: 'qi mcp serve', argv });
}
