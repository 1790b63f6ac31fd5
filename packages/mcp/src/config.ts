import { secret, writerWorkflowShape } from '@qi/core';
import { z } from 'zod';

/** `with:` of an MCP writer target (`use: "@qi/target-timescale-mcp"` …). */
export const mcpWriterConfigShape = {
  ...writerWorkflowShape,
  url: z
    .url({ protocol: /^https?$/ })
    .default('http://127.0.0.1:8080/mcp')
    .describe(
      "the MCP server's Streamable HTTP endpoint (qi-timescale-mcp, qi-redpanda-mcp or qi mcp serve)",
    ),
  token: secret(z.string().min(1))
    .optional()
    .describe(
      'bearer token the server expects (its QI_MCP_TOKEN); write "${QI_MCP_TOKEN}" to take it from the environment',
    ),
  toolTimeoutMs: z
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(60_000)
    .describe(
      'how long one publish call may take before it is retried, ms (the server retries the destination itself meanwhile)',
    ),
};

export const mcpWriterConfigSchema = z.strictObject(mcpWriterConfigShape);
export type McpWriterConfig = z.output<typeof mcpWriterConfigSchema>;
