import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Logger, Writer } from '@qi/core';
import { DEFAULT_HTTP, type HttpHandle, type HttpServeOptions, serveHttp } from './http';
import { writerTools } from './publish-tools';
import { type McpTool, registerTool } from './tool';

export interface TargetMcpServerOptions {
  /** server name clients see, e.g. "qi-timescale" */
  name: string;
  version: string;
  /** the direct target's writer; the server owns it and closes it on close() */
  writer: Writer;
  /** what the writer writes to, for tool descriptions (default: the writer's name) */
  destination?: string;
  /** extra health details, merged into the health tool's answer */
  health?: () => Promise<Record<string, unknown>>;
  /** tools next to publish_*, flush and health (queries, topic admin …) */
  extraTools?: McpTool[];
  /** called on close() after the writer is closed (extension connections) */
  onClose?: () => Promise<void>;
  /** scrubs secrets from every message sent to clients */
  scrub?: (s: string) => string;
  logger?: Logger;
  instructions?: string;
}

export interface StdioServeOptions {
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  /** largest message, bytes (default 8 MiB) */
  maxBodyBytes?: number;
}

export interface StdioHandle {
  /** resolves when the client closes stdin */
  closed: Promise<void>;
  close(): Promise<void>;
}

export interface TargetMcpServer {
  readonly tools: readonly McpTool[];
  /** a fresh McpServer with every tool registered, over the shared writer */
  createMcpServer(): McpServer;
  serveHttp(opts?: HttpServeOptions): Promise<HttpHandle>;
  serveStdio(opts?: StdioServeOptions): Promise<StdioHandle>;
  /** stops listening, flushes and closes the writer; idempotent */
  close(): Promise<void>;
}

/**
 * An MCP server over any Qi Writer: publish_prices, publish_ohlcv,
 * publish_analytics, publish_level1, publish_batch, flush and health, plus the
 * target's own tools. One writer serves every client, so records from
 * concurrent calls share batches and the destination's connections.
 */
export function createTargetMcpServer(opts: TargetMcpServerOptions): TargetMcpServer {
  const tools: McpTool[] = [
    ...writerTools(opts.writer, {
      destination: opts.destination ?? opts.writer.name,
      ...(opts.scrub ? { scrub: opts.scrub } : {}),
      ...(opts.health ? { health: opts.health } : {}),
    }),
    ...(opts.extraTools ?? []),
  ];
  const seen = new Set<string>();
  for (const t of tools) {
    if (seen.has(t.name)) throw new Error(`duplicate MCP tool name "${t.name}"`);
    seen.add(t.name);
  }
  const instructions =
    opts.instructions ??
    `Writes crypto market data (prices, OHLCV candles, market analytics, level1 quotes) to ${opts.destination ?? opts.writer.name} through Qi. ` +
      "Use publish_prices / publish_ohlcv / publish_analytics / publish_level1 for one kind, publish_batch for mixed kinds; each record is validated on its own and rejections come back with the reason. Writes are idempotent on each record's natural key.";

  // one validator for every per-request server: the SDK would otherwise build an Ajv per request
  const jsonSchemaValidator = new AjvJsonSchemaValidator();
  const createMcpServer = () => {
    const server = new McpServer(
      { name: opts.name, version: opts.version },
      { capabilities: { tools: {} }, instructions, jsonSchemaValidator },
    );
    for (const t of tools) registerTool(server, t, opts.scrub);
    return server;
  };

  const https: HttpHandle[] = [];
  const stdios: StdioHandle[] = [];
  let closing: Promise<void> | undefined;

  return {
    tools,
    createMcpServer,
    async serveHttp(httpOpts = {}) {
      const h = await serveHttp(createMcpServer, {
        ...httpOpts,
        ...(opts.logger ? { logger: opts.logger } : {}),
      });
      https.push(h);
      opts.logger?.info(
        { event: 'mcp.listening', url: h.url, authenticated: h.authenticated },
        `MCP server on ${h.url}`,
      );
      return h;
    },
    async serveStdio(stdioOpts = {}) {
      const server = createMcpServer();
      const transport = new StdioServerTransport(
        (stdioOpts.stdin ?? process.stdin) as never,
        (stdioOpts.stdout ?? process.stdout) as never,
        { maxBufferSize: stdioOpts.maxBodyBytes ?? DEFAULT_HTTP.maxBodyBytes },
      );
      let resolveClosed!: () => void;
      const closed = new Promise<void>((r) => {
        resolveClosed = r;
      });
      (stdioOpts.stdin ?? process.stdin).once('end', () => resolveClosed());
      transport.onclose = () => resolveClosed();
      await server.connect(transport);
      const handle = {
        closed,
        close: async () => {
          await server.close();
          resolveClosed();
        },
      };
      stdios.push(handle);
      return handle;
    },
    close() {
      closing ??= (async () => {
        await Promise.all([...https.map((h) => h.close()), ...stdios.map((s) => s.close())]);
        const r = await opts.writer.close();
        await opts.onClose?.();
        if (!r.ok)
          opts.logger?.error(
            { event: 'mcp.close', code: r.error.code, err: r.error.message },
            'writer close failed',
          );
      })();
      return closing;
    },
  };
}
