import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from '@qi/core';
import { bearerMatches, isLoopback, resolveToken } from './auth';

export interface HttpServeOptions {
  /** interface to listen on (default 127.0.0.1); anything but loopback needs a token */
  host?: string;
  /** port (default 8080; 0 picks a free one) */
  port?: number;
  /** endpoint path (default /mcp) */
  path?: string;
  /** bearer token; default: the environment variable named by tokenEnv */
  token?: string;
  /** environment variable holding the token (default QI_MCP_TOKEN) */
  tokenEnv?: string;
  env?: NodeJS.ProcessEnv;
  /** largest request body, bytes (default 8 MiB); larger ones get 413 */
  maxBodyBytes?: number;
}

export interface HttpHandle {
  url: string;
  host: string;
  port: number;
  path: string;
  /** whether requests must carry the bearer token */
  authenticated: boolean;
  close(): Promise<void>;
}

export const DEFAULT_HTTP = { host: '127.0.0.1', port: 8080, path: '/mcp', maxBodyBytes: 8 * 1024 * 1024 };

function sendJson(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/**
 * Streamable HTTP, stateless: each POST gets its own McpServer and transport
 * (the SDK's stateless pattern), all sharing one writer. Tool calls from
 * different clients run concurrently; nothing is kept between requests, so a
 * restarted server is indistinguishable from a running one.
 */
export async function serveHttp(
  createMcpServer: () => McpServer,
  opts: HttpServeOptions & { logger?: Logger } = {},
): Promise<HttpHandle> {
  const host = opts.host ?? DEFAULT_HTTP.host;
  const path = opts.path ?? DEFAULT_HTTP.path;
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_HTTP.maxBodyBytes;
  const token = resolveToken({ host, token: opts.token, tokenEnv: opts.tokenEnv, env: opts.env });
  const loopback = isLoopback(host);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return sendJson(res, 404, `not found: the MCP endpoint is ${path}`);
    // DNS rebinding: a web page must not reach a loopback server under another name
    if (loopback && !isLoopback((req.headers.host ?? '').replace(/:\d+$/, '')))
      return sendJson(res, 403, `Host ${req.headers.host} not allowed on a loopback server`);
    if (token && !bearerMatches(req.headers.authorization, token))
      return sendJson(res, 401, 'Unauthorized: send Authorization: Bearer <token>', {
        'www-authenticate': 'Bearer realm="qi-mcp"',
      });
    if (req.method !== 'POST')
      return sendJson(res, 405, 'Method not allowed: this server is stateless, POST JSON-RPC requests', {
        allow: 'POST',
      });
    const server = createMcpServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: maxBodyBytes,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      opts.logger?.error({ event: 'mcp.http.error', err: (e as Error).message }, 'MCP request failed');
      sendJson(res, 500, 'internal server error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? DEFAULT_HTTP.port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}${path}`,
    host,
    port,
    path,
    authenticated: token !== undefined,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
