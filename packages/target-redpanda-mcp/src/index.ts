import { createMcpTargetPlugin } from '@qi/mcp';

/** The writer half: `use: "@qi/target-redpanda-mcp"`, `with: { url, token }`. */
export default createMcpTargetPlugin({
  name: '@qi/target-redpanda-mcp',
  description:
    'Writes price, OHLCV, analytics and level1 records to Redpanda/Kafka topics through a qi-redpanda-mcp server (MCP over Streamable HTTP)',
});

export { main } from './bin';
export { mcpExtension } from './extension';
export { redpandaTopicTools, targetTopics } from './tools';
