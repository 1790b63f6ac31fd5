import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type Logger, qiError } from '@qi/core';
import { classifyMcpError, isConnectionError, McpErrors } from './errors';

export interface McpConnectionOptions {
  /** the server's Streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp */
  url: string;
  /** bearer token, when the server requires one */
  token?: string | undefined;
  /** per tool call, ms */
  toolTimeoutMs?: number;
  /** tools the server must offer (checked on every connect) */
  requiredTools?: readonly string[];
  clientName?: string;
  logger?: Logger;
}

/**
 * One SDK client to one server, created lazily and rebuilt after a connection
 * failure: a restarted server (new process, new sessions) is reached again on
 * the next call without any state carried over.
 */
export class McpConnection {
  private client: Promise<Client> | undefined;
  readonly url: string;

  constructor(private readonly opts: McpConnectionOptions) {
    this.url = opts.url;
  }

  connect(): Promise<Client> {
    this.client ??= this.open().catch((e) => {
      this.client = undefined;
      throw classifyMcpError(e, this.url);
    });
    return this.client;
  }

  private async open(): Promise<Client> {
    const client = new Client({ name: this.opts.clientName ?? 'qi-mcp-writer', version: '1.0.0' });
    const headers: Record<string, string> = {};
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    const transport = new StreamableHTTPClientTransport(new URL(this.url), {
      requestInit: { headers },
      // the writer's own retry owns reconnection; the SDK's SSE reconnects would only add noise
      reconnectionOptions: {
        maxRetries: 0,
        initialReconnectionDelay: 1000,
        maxReconnectionDelay: 1000,
        reconnectionDelayGrowFactor: 1,
      },
    });
    client.onerror = () => {}; // surfaced through the failing request instead
    try {
      await client.connect(transport, { timeout: this.opts.toolTimeoutMs ?? 60_000 });
      if (this.opts.requiredTools?.length) {
        const { tools } = await client.listTools(undefined, { timeout: this.opts.toolTimeoutMs ?? 60_000 });
        const names = new Set(tools.map((t) => t.name));
        const missing = this.opts.requiredTools.filter((t) => !names.has(t));
        if (missing.length)
          throw qiError(
            McpErrors.NOT_QI_SERVER,
            `MCP server ${this.url} lacks the tool(s) ${missing.join(', ')}: is it a Qi target server (qi-timescale-mcp, qi-redpanda-mcp, qi mcp serve)?`,
            { context: { url: this.url, missing } },
          );
      }
    } catch (e) {
      await client.close().catch(() => {});
      throw e;
    }
    this.opts.logger?.debug({ event: 'mcp.connected', url: this.url }, 'connected to MCP server');
    return client;
  }

  /** Calls a tool; transport failures throw a QiError, and drop the client when the connection is at fault. */
  async callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const client = await this.connect();
    try {
      return (await client.callTool({ name, arguments: args }, undefined, {
        timeout: this.opts.toolTimeoutMs ?? 60_000,
      })) as CallToolResult;
    } catch (e) {
      const error = classifyMcpError(e, this.url);
      if (isConnectionError(error)) await this.drop(client);
      throw error;
    }
  }

  private async drop(client: Client): Promise<void> {
    const current = this.client;
    if (current && (await current.catch(() => undefined)) === client && this.client === current)
      this.client = undefined;
    this.opts.logger?.warn(
      { event: 'mcp.reconnect', url: this.url },
      'MCP connection lost; reconnecting on the next call',
    );
    await client.close().catch(() => {});
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await (await c.catch(() => undefined))?.close().catch(() => {});
  }
}
