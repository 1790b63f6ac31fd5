import { createMcpTargetPlugin } from '@qi/mcp';

/** The writer half: `use: "@qi/target-timescale-mcp"`, `with: { url, token }`. */
export default createMcpTargetPlugin({
  name: '@qi/target-timescale-mcp',
  description:
    'Writes price, OHLCV, analytics and level1 records to TimescaleDB through a qi-timescale-mcp server (MCP over Streamable HTTP)',
});

export { main } from './bin';
export { mcpExtension } from './extension';
export { timescaleQueryTools } from './tools';
