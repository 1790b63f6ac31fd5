import { parseArgs } from 'node:util';
import { BUILTIN_PLUGINS } from '../builtins/index';
import { CoreErrors, qiError } from '../errors';
import { createHost } from '../host/host';
import { resolvePackage } from '../host/resolve-plugin';
import { err, ok, type Result } from '../result';
import { EXIT, printError } from './context';

type McpServerModule = { runServeCli(o: { bin: string; argv: string[] }): Promise<number> };

/**
 * The MCP server for a target plugin `use`, found the way plugins are, from the
 * config file's folder: `<use>-mcp` (which brings `@qi/mcp` and the target's own
 * tools), else `@qi/mcp` installed in the project (the publish tools only).
 */
async function mcpServerFor(use: string, baseDir: string, where: string): Promise<Result<McpServerModule>> {
  const variant = await resolvePackage(`${use}-mcp`, baseDir, where);
  const server = variant.ok
    ? await resolvePackage('@qi/mcp', variant.value.location, where)
    : await resolvePackage('@qi/mcp', baseDir, where);
  if (server.ok && typeof (server.value.module as McpServerModule).runServeCli === 'function')
    return ok(server.value.module as McpServerModule);
  if (variant.ok || server.ok)
    return err(
      qiError(
        CoreErrors.PLUGIN_INVALID,
        `${where}: ${variant.ok ? `${use}-mcp` : '@qi/mcp'} in ${baseDir} brings no usable @qi/mcp (runServeCli)`,
      ),
    );
  return err(
    qiError(
      CoreErrors.PLUGIN_NOT_FOUND,
      `${where}: no MCP server for ${use} in ${baseDir}; install its MCP variant (npm install ${use}-mcp) or @qi/mcp for the publish tools only`,
      { context: { plugin: use, install: `npm install ${use}-mcp` } },
    ),
  );
}

/**
 * `qi mcp serve`: core never imports a plugin, so the MCP server package is
 * resolved from the user's project by the target the config names, and handed
 * the rest of the command line.
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
  const flags = parseArgs({
    args: passthrough,
    options: { target: { type: 'string', short: 't' } },
    strict: false,
    allowPositionals: true,
  }).values;
  const selector = target ?? (typeof flags.target === 'string' ? flags.target : undefined);
  const prepared = await createHost({ plugins: BUILTIN_PLUGINS }).prepareTarget({
    configPath: opts.config,
    target: selector,
  });
  if (!prepared.ok) {
    printError(`qi mcp serve: ${prepared.error.message}`);
    return EXIT.USAGE;
  }
  const { file, target: use, secrets } = prepared.value;
  const mcp = await mcpServerFor(use.resolved.packageName, file.baseDir, use.where);
  if (!mcp.ok) {
    printError(`qi mcp serve: ${mcp.error.message}`, secrets);
    return EXIT.USAGE;
  }
  const argv = [
    ...(opts.config ? ['--config', opts.config] : []),
    ...(target ? ['--target', target] : []),
    ...passthrough,
  ];
  return mcp.value.runServeCli({ bin: 'qi mcp serve', argv });
}
