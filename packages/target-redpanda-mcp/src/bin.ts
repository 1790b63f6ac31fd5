import { isQiPlugin, type QiPlugin } from '@qi/core';
import { runServeCli } from '@qi/mcp';
import * as redpanda from '@qi/target-redpanda';
import { mcpExtension } from './extension';

// CJS interop may hand over the module namespace instead of its default export
const plugin = (
  isQiPlugin(redpanda.default)
    ? redpanda.default
    : (redpanda.default as unknown as { default: QiPlugin }).default
) as QiPlugin;

/** qi-redpanda-mcp: serves the @qi/target-redpanda target of a qi config as an MCP server. */
export function main(argv = process.argv.slice(2)): Promise<number> {
  return runServeCli({ bin: 'qi-redpanda-mcp', plugin, extension: mcpExtension as never, argv });
}
