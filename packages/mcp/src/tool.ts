import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { isQiError, type QiError, type Result, toQiError } from '@qi/core';
import { z } from 'zod';
import { toolErrorShape } from './schemas';

type Shape = Record<string, z.ZodType>;
type Out<S extends Shape> = z.output<z.ZodObject<S>>;

/**
 * One MCP tool, written against Results: `run` returns ok(value) or err(QiError)
 * and the wrapper makes the MCP result: structuredContent `{ ok: true, ...value }`,
 * or `isError: true` with `{ ok: false, error: { code, message, category, retryable } }`.
 * Every output field but `ok`/`error` is optional in the advertised schema
 * because an error result carries none of them (and SDK clients validate error
 * results against the output schema too).
 */
export interface McpTool<I extends Shape = Shape, O extends Shape = Shape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations?: ToolAnnotations;
  run(args: Out<I>): Promise<Result<Out<O>>>;
  /** the text content for a successful call (default: the JSON of the value) */
  summarize?(value: Out<O>, args: Out<I>): string;
}

/** Types a tool definition (identity). */
export function defineMcpTool<I extends Shape, O extends Shape>(tool: McpTool<I, O>): McpTool<I, O> {
  return tool;
}

export function outputShape(output: Shape): Shape {
  const partial = Object.fromEntries(Object.entries(output).map(([k, s]) => [k, s.optional()]));
  return {
    ok: z.boolean().describe('true when the call succeeded; false with error otherwise'),
    error: toolErrorShape.optional(),
    ...partial,
  };
}

/** The error object clients see. Secrets are scrubbed from the message. */
export function toolError(
  e: unknown,
  scrub: (s: string) => string = (s) => s,
): z.output<typeof toolErrorShape> {
  const error: QiError = isQiError(e) ? (e as QiError) : toQiError(e);
  // The server's writer gives up after its own retries; the cause is usually
  // still transient, so a remote caller is told whether *that* is retryable.
  const cause = (error as { cause?: unknown }).cause;
  const retryable =
    error.code === 'QI_RETRIES_EXHAUSTED' && isQiError(cause)
      ? (cause as QiError).retryable
      : error.retryable;
  return {
    code: error.code,
    message: scrub(error.message),
    category: error.category,
    retryable,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}

export function errorResult(e: unknown, scrub?: (s: string) => string): CallToolResult {
  const error = toolError(e, scrub);
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: `${error.code}: ${error.message} (${error.retryable ? 'retryable: try again later' : 'not retryable'})`,
      },
    ],
    structuredContent: { ok: false, error },
  };
}

export function registerTool(server: McpServer, tool: McpTool, scrub?: (s: string) => string): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: outputShape(tool.output),
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
    },
    (async (args: Record<string, unknown>): Promise<CallToolResult> => {
      try {
        const r = await tool.run(args as never);
        if (!r.ok) return errorResult(r.error, scrub);
        const value = r.value as Record<string, unknown>;
        const text = tool.summarize ? tool.summarize(value as never, args as never) : JSON.stringify(value);
        return { content: [{ type: 'text', text }], structuredContent: { ok: true, ...value } };
      } catch (e) {
        return errorResult(e, scrub);
      }
    }) as never,
  );
}
