import { isQiPlugin, type QiPlugin } from '@qi/core';
import { runServeCli } from '@qi/mcp';
import * as timescale from '@qi/target-timescale';
import { mcpExtension } from './extension';

// CJS interop may hand over the module namespace instead of its default export
const plugin = (
  isQiPlugin(timescale.default)
    ? timescale.default
    : (timescale.default as unknown as { default: QiPlugin }).default
) as QiPlugin;

/** qi-timescale-mcp: serves the @qi/target-timescale target of a qi config as an MCP server. */
export function main(argv = process.argv.slice(2)): Promise<number> {
  return runServeCli({ bin: 'qi-timescale-mcp', plugin, extension: mcpExtension as never, argv });
}
