import { BaseWriter, definePlugin, PLUGIN_API_VERSION, workflowOptions } from '@qi/core';
import { mcpWriterConfigSchema } from './config';
import { createMcpWriterHandler } from './writer';

/**
 * The writer half of a `-mcp` package: a target plugin that publishes through
 * a Qi MCP server. Each package is one call of this, so the two stay identical.
 */
export function createMcpTargetPlugin(opts: { name: string; description: string }) {
  return definePlugin({
    name: opts.name,
    kind: 'target',
    apiVersion: `^${PLUGIN_API_VERSION}`,
    description: opts.description,
    configSchema: mcpWriterConfigSchema,
    create(config, ctx) {
      return new BaseWriter({
        ...workflowOptions(config, ctx),
        handler: createMcpWriterHandler({
          url: config.url,
          token: config.token,
          toolTimeoutMs: config.toolTimeoutMs,
          logger: ctx.logger,
        }),
      });
    },
  });
}
