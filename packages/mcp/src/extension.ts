import type { PluginContext, Writer } from '@qi/core';
import type { McpTool } from './tool';

/** What a target adds to its MCP server beyond the publish tools. */
export interface McpServerExtras {
  tools: McpTool[];
  health?: () => Promise<Record<string, unknown>>;
  /** releases what `tools` opened (connections), after the writer is closed */
  close?: () => Promise<void>;
  /** e.g. "TimescaleDB schema public" */
  destination?: string;
}

/**
 * Exported as `mcpExtension` by a `<target>-mcp` package: `qi mcp serve` finds
 * it next to the target plugin and adds its tools (queries, topic admin).
 */
export interface McpExtension<C = never> {
  /** the direct target plugin this extends, e.g. "@qi/target-timescale" */
  target: string;
  /** server name clients see, e.g. "qi-timescale" */
  serverName: string;
  version: string;
  /** tools over the target's parsed config and the writer the server wraps (reuse its connection) */
  extras(config: C, ctx: PluginContext, writer: Writer): Promise<McpServerExtras> | McpServerExtras;
}

export function defineMcpExtension<C>(ext: McpExtension<C>): McpExtension<C> {
  return ext;
}
