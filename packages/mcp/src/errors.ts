import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CoreErrors, type ErrorSpec, isQiError, NETWORK_ERRNOS, type QiError, qiError } from '@qi/core';

/**
 * Stable codes of @qi/mcp. The writer turns every transport failure into one of
 * these, so BaseWriter decides retries from `retryable` alone: connection
 * failures, timeouts and 5xx are retried; auth and protocol errors are not; a
 * body the server refuses as too large is a `data` error, which makes
 * BaseWriter split the batch in two until the halves fit.
 */
export const McpErrors = {
  UNAUTHORIZED: { code: 'QI_MCP_UNAUTHORIZED', category: 'auth', retryable: false },
  FORBIDDEN: { code: 'QI_MCP_FORBIDDEN', category: 'auth', retryable: false },
  NETWORK: { code: 'QI_MCP_NETWORK', category: 'network', retryable: true },
  TIMEOUT: { code: 'QI_MCP_TIMEOUT', category: 'network', retryable: true },
  SESSION_EXPIRED: { code: 'QI_MCP_SESSION_EXPIRED', category: 'network', retryable: true },
  UNAVAILABLE: { code: 'QI_MCP_UNAVAILABLE', category: 'unavailable', retryable: true },
  RATE_LIMITED: { code: 'QI_MCP_RATE_LIMITED', category: 'rate-limit', retryable: true },
  TOO_LARGE: { code: 'QI_MCP_TOO_LARGE', category: 'data', retryable: false },
  INVALID_INPUT: { code: 'QI_MCP_INVALID_INPUT', category: 'data', retryable: false },
  NOT_FOUND: { code: 'QI_MCP_NOT_FOUND', category: 'config', retryable: false },
  HTTP: { code: 'QI_MCP_HTTP', category: 'config', retryable: false },
  NOT_QI_SERVER: { code: 'QI_MCP_NOT_QI_SERVER', category: 'config', retryable: false },
  PROTOCOL: { code: 'QI_MCP_PROTOCOL', category: 'internal', retryable: false },
  TOOL_ERROR: { code: 'QI_MCP_TOOL_ERROR', category: 'internal', retryable: false },
  CONFIG: { code: 'QI_MCP_CONFIG', category: 'config', retryable: false },
  /** a record the server refused without saying why in a code of its own */
  REJECTED: { code: 'QI_MCP_REJECTED', category: 'data', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

// fetch (undici) adds its own codes for the same failures
const NETWORK_CODES = new Set([
  ...NETWORK_ERRNOS,
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The first errno-like code along an error's cause chain (fetch wraps the socket error). */
function causeCode(e: unknown): string | undefined {
  for (let c: unknown = e, i = 0; c && i < 5; c = (c as { cause?: unknown }).cause, i++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function fromHttp(status: number, message: string, url: string): QiError {
  const context = { status, url };
  if (status === 401)
    return qiError(
      McpErrors.UNAUTHORIZED,
      `MCP server ${url} refused the bearer token (401): set the writer's token to the server's QI_MCP_TOKEN`,
      { context },
    );
  if (status === 403)
    return qiError(McpErrors.FORBIDDEN, `MCP server ${url} forbids this request: ${message}`, { context });
  if (status === 413)
    return qiError(
      McpErrors.TOO_LARGE,
      `MCP server ${url} refused the request body as too large: ${message}`,
      { context },
    );
  if (status === 429)
    return qiError(McpErrors.RATE_LIMITED, `MCP server ${url} is throttling: ${message}`, { context });
  if (status === 404 && /session not found/i.test(message))
    return qiError(McpErrors.SESSION_EXPIRED, `MCP session expired at ${url}; reconnecting`, { context });
  if (status === 404)
    return qiError(McpErrors.NOT_FOUND, `no MCP endpoint at ${url} (404): check the url's path`, { context });
  if (status >= 500)
    return qiError(McpErrors.UNAVAILABLE, `MCP server ${url} failed (${status}): ${message}`, { context });
  return qiError(McpErrors.HTTP, `MCP server ${url} answered ${status}: ${message}`, { context });
}

/** Maps anything the SDK client throws to a QiError. */
export function classifyMcpError(e: unknown, url: string): QiError {
  if (isQiError(e)) return e as QiError;
  if (e instanceof StreamableHTTPError && typeof e.code === 'number' && e.code > 0)
    return fromHttp(e.code, e.message, url);
  if (e instanceof McpError) {
    const context = { url, mcpCode: e.code };
    if (e.code === ErrorCode.RequestTimeout)
      return qiError(McpErrors.TIMEOUT, `MCP tool call to ${url} timed out: ${e.message}`, {
        context,
        cause: e,
      });
    if (e.code === ErrorCode.ConnectionClosed)
      return qiError(McpErrors.NETWORK, `MCP connection to ${url} closed: ${e.message}`, {
        context,
        cause: e,
      });
    if (e.code === ErrorCode.InvalidParams)
      return qiError(McpErrors.INVALID_INPUT, `MCP server ${url} refused the arguments: ${e.message}`, {
        context,
        cause: e,
      });
    return qiError(McpErrors.PROTOCOL, `MCP error from ${url}: ${e.message}`, { context, cause: e });
  }
  const code = causeCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if ((code && NETWORK_CODES.has(code)) || message === 'fetch failed' || (e as Error)?.name === 'AbortError')
    return qiError(McpErrors.NETWORK, `cannot reach MCP server ${url}: ${code ?? message}`, {
      context: { url, errno: code },
      cause: e,
    });
  return qiError(CoreErrors.INTERNAL, `MCP client error (${url}): ${message}`, {
    context: { url },
    cause: e,
  });
}

/** Connection-level failures after which the client is dropped and rebuilt on the next call. */
export function isConnectionError(error: QiError): boolean {
  return ['QI_MCP_NETWORK', 'QI_MCP_SESSION_EXPIRED', 'QI_MCP_UNAVAILABLE'].includes(error.code);
}
