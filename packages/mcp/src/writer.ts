import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  type ErrorCategory,
  type Logger,
  type QiError,
  qiError,
  type RecordKind,
  type WriterHandler,
} from '@qi/core';
import { McpConnection } from './client';
import { classifyMcpError, McpErrors } from './errors';
import { PUBLISH_TOOLS } from './publish-tools';
import type { PublishOutput } from './schemas';

export interface McpWriterHandlerOptions {
  /** the server's Streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp */
  url: string;
  token?: string | undefined;
  /** per tool call, ms (default 60 s); a timed-out call is retried, which is safe because writes are idempotent */
  toolTimeoutMs?: number;
  logger?: Logger;
}

type ToolErrorContent = {
  ok?: boolean;
  error?: { code: string; message: string; category: string; retryable: boolean; retryAfterMs?: number };
};

/** A tool result with isError: the server's QiError when it sent one. */
function toolFailure(tool: string, result: CallToolResult, url: string): QiError {
  const e = (result.structuredContent as ToolErrorContent | undefined)?.error;
  if (e)
    return qiError(
      { code: e.code, category: e.category as ErrorCategory, retryable: e.retryable },
      `MCP server ${url}: ${e.message}`,
      { context: { url, tool }, ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }) },
    );
  const text = result.content?.map((c) => (c.type === 'text' ? c.text : '')).join(' ') ?? '';
  // the SDK answers unknown tools and invalid arguments with a plain-text error result
  if (/input validation error|invalid arguments/i.test(text))
    return qiError(McpErrors.INVALID_INPUT, `MCP server ${url} refused the arguments of ${tool}: ${text}`, {
      context: { url, tool },
    });
  return qiError(McpErrors.TOOL_ERROR, `MCP tool ${tool} at ${url} failed: ${text}`, {
    context: { url, tool },
  });
}

/**
 * A core WriterHandler that writes through a Qi MCP server's publish tools.
 * Wrapped in BaseWriter it gets batching, retries (transport errors and tool
 * errors the server marks retryable), the breaker and dead-lettering of the
 * records the server rejected, with the server's code and reason.
 */
export function createMcpWriterHandler(
  opts: McpWriterHandlerOptions,
): WriterHandler & { connection: McpConnection } {
  const connection = new McpConnection({
    url: opts.url,
    token: opts.token,
    toolTimeoutMs: opts.toolTimeoutMs ?? 60_000,
    requiredTools: Object.values(PUBLISH_TOOLS),
    clientName: 'qi-mcp-writer',
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  return {
    connection,
    async init() {
      await connection.connect();
    },
    async writeBatch(kind: RecordKind, records) {
      const tool = PUBLISH_TOOLS[kind];
      // only the rejections come back: the others are written by definition
      const result = await connection.callTool(tool, { records: records as unknown[], report: 'rejected' });
      if (result.isError) throw toolFailure(tool, result, opts.url);
      const out = result.structuredContent as PublishOutput | undefined;
      if (!out || !Array.isArray(out.results) || out.written + out.rejected !== records.length)
        throw qiError(
          McpErrors.PROTOCOL,
          `MCP tool ${tool} at ${opts.url} did not account for every record`,
          {
            context: { url: opts.url, sent: records.length, written: out?.written, rejected: out?.rejected },
          },
        );
      const refused = out.results.filter((r) => r.status === 'rejected');
      if (refused.length !== out.rejected)
        throw qiError(
          McpErrors.PROTOCOL,
          `MCP tool ${tool} at ${opts.url} listed ${refused.length} of ${out.rejected} rejections`,
          {
            context: { url: opts.url },
          },
        );
      const rejected = refused.map((r) => ({
        index: r.index,
        error: qiError(
          {
            code: r.code ?? McpErrors.REJECTED.code,
            category: (r.category as ErrorCategory) ?? 'data',
            retryable: false,
          },
          r.reason ?? 'rejected by the MCP server',
          { context: { url: opts.url, tool, stage: r.stage } },
        ),
      }));
      return rejected.length ? { rejected } : undefined;
    },
    classifyError: (e) => classifyMcpError(e, opts.url),
    async health() {
      try {
        const r = await connection.callTool('health', {});
        const sc = r.structuredContent as { healthy?: boolean; details?: unknown } | undefined;
        return { url: opts.url, ok: !r.isError && sc?.healthy === true, server: sc?.details };
      } catch (e) {
        return { url: opts.url, ok: false, error: classifyMcpError(e, opts.url).message };
      }
    },
    close: () => connection.close(),
  };
}
