import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { BaseWriter, type WriterHandler } from '@qi/core';
import { createMemoryHandler } from '@qi/core/testkit';
import { createTargetMcpServer, type HttpServeOptions } from '../src/index';

/** An MCP server over a BaseWriter over core's in-memory handler (upserts by natural key). */
export async function memoryServer(
  opts: {
    memory?: Parameters<typeof createMemoryHandler>[0];
    handler?: (h: WriterHandler) => WriterHandler;
    http?: HttpServeOptions;
    retry?: { maxAttempts: number; initialDelayMs?: number };
  } = {},
) {
  const mem = createMemoryHandler(opts.memory);
  const writer = new BaseWriter({
    name: 'memory',
    handler: opts.handler ? opts.handler(mem.handler) : mem.handler,
    batch: { lingerMs: 1 },
    retry: { initialDelayMs: 1, maxDelayMs: 5, ...(opts.retry ?? {}) },
  });
  const server = createTargetMcpServer({ name: 'qi-test', version: '0.0.0', writer, destination: 'memory' });
  const http = await server.serveHttp({ port: 0, ...opts.http });
  return { mem, writer, server, http, url: http.url };
}

export async function connectClient(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'qi-test-client', version: '0.0.0' });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** A raw POST of one JSON-RPC message, to see HTTP statuses the SDK client hides. */
export async function rawPost(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
};

export const TOKEN = 'test-token-0123456789abcdef';
