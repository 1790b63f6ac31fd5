import { defineMcpExtension } from '@qi/mcp';
import type { TimescaleTargetConfig } from '@qi/target-timescale';
import { timescaleQueryTools } from './tools';

export const SERVER_NAME = 'qi-timescale';
export const VERSION = '0.0.0';

/** What `qi mcp serve` adds for an @qi/target-timescale target: the query tools, on the writer's own pool. */
export const mcpExtension = defineMcpExtension<TimescaleTargetConfig>({
  target: '@qi/target-timescale',
  serverName: SERVER_NAME,
  version: VERSION,
  extras: (config, _ctx, writer) => ({
    tools: timescaleQueryTools(writer),
    destination: `PostgreSQL/TimescaleDB (schema ${config.schema})`,
  }),
});
