export { DEFAULT_TOKEN_ENV, isLoopback } from './auth';
export { runServeCli, type ServeCliOptions } from './cli';
export { McpConnection, type McpConnectionOptions } from './client';
export { type McpWriterConfig, mcpWriterConfigSchema, mcpWriterConfigShape } from './config';
export { classifyMcpError, McpErrors } from './errors';
export { defineMcpExtension, type McpExtension, type McpServerExtras } from './extension';
export { DEFAULT_HTTP, type HttpHandle, type HttpServeOptions } from './http';
export { createMcpTargetPlugin } from './plugin';
export { PUBLISH_TOOLS, type WriterToolsOptions, writerTools } from './publish-tools';
export { perRecordResults } from './results';
export {
  type PublishOutput,
  type RecordResult,
  recordJsonSchema,
  recordsArg,
  toolErrorShape,
} from './schemas';
export { type ServeTargetOptions, type ServingTarget, serveTargetFromConfig } from './serve-config';
export {
  createTargetMcpServer,
  type StdioHandle,
  type StdioServeOptions,
  type TargetMcpServer,
  type TargetMcpServerOptions,
} from './server';
export { defineMcpTool, errorResult, type McpTool, toolError } from './tool';
export { createMcpWriterHandler, type McpWriterHandlerOptions } from './writer';
