import { defineMcpExtension } from '@qi/mcp';
import type { RedpandaTargetConfig } from '@qi/target-redpanda';
import { redpandaTopicTools } from './tools';

export const SERVER_NAME = 'qi-redpanda';
export const VERSION = '0.0.0';

/** What `qi mcp serve` adds for an @qi/target-redpanda target: topic admin tools on the same cluster settings. */
export const mcpExtension = defineMcpExtension<RedpandaTargetConfig>({
  target: '@qi/target-redpanda',
  serverName: SERVER_NAME,
  version: VERSION,
  extras: (config, ctx) => ({
    tools: redpandaTopicTools(config, ctx.logger),
    destination: `Kafka/Redpanda (${config.brokers.join(', ')}, topics ${config.topicTemplate ?? `${config.topicPrefix}*`})`,
  }),
});
