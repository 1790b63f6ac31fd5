export { z } from 'zod';
export { BUILTIN_PLUGINS, fileSource, fileTarget, stdoutTarget } from './builtins/index';
export { main as runCli } from './cli/main';
export { muteKnownWarnings } from './cli/warnings';
export * from './contracts/reader';
export * from './contracts/schema-plan';
export * from './contracts/writer';
export * from './dsl/index';
export * from './errors';
export { configJsonSchema } from './host/config-json-schema';
export {
  defineConfig,
  type PipelineConfig,
  type PluginRefInput,
  type QiConfig,
  type QiConfigInput,
  qiConfigSchema,
  type TargetConfig,
  type TypedConfigInput,
} from './host/config-schema';
export {
  configIssues,
  createHost,
  type Host,
  type HostOptions,
  type PluginUse,
  type PreparedConfig,
  type PreparedPipeline,
  type PreparedTarget,
} from './host/host';
export { deadLetterUse, type Instance, type InstantiateOptions, instantiate } from './host/instantiate';
export { interpolate } from './host/interpolate';
export { loadConfigFile } from './host/load-config';
export {
  checkPlugin,
  type ResolvedPackage,
  type ResolvedPlugin,
  resolvePackage,
  resolvePlugin,
} from './host/resolve-plugin';
export { collectSecrets, redactValue, SecretRegistry } from './host/secrets';
export { type ConfigIssue, parseWithSchema } from './host/validate';
export {
  createHealth,
  DEFAULT_HEALTH,
  type Health,
  type HealthThresholds,
  type PipelineHealth,
  type PipelineState,
} from './observability/health';
export { createLogger, type Logger, type LogLevel, silentLogger } from './observability/logger';
export { createMetrics, type QiMetrics } from './observability/metrics';
export { startMetricsServer } from './observability/server';
export type { ErrorStatus, PipelineStatus, StatusReport, TargetStatus } from './observability/status';
export * from './plugin';
export * from './result';
export { boundHeap, HEAP_FLAGS, type HeapBound } from './runner/heap';
export { runPipeline } from './runner/pipeline';
export type { RunOptions } from './runner/run-options';
export { DEFAULT_START_TIMEOUT_MS, START_RETRY, startWithRetry } from './runner/start';
export { newStats, type PipelineStats } from './runner/stats';
export { BaseReader, type BaseReaderOptions } from './workflow/base-reader';
export { BaseWriter, type BaseWriterOptions, type BatchOptions, DEFAULT_BATCH } from './workflow/base-writer';
export * from './workflow/breaker';
export * from './workflow/clock';
export * from './workflow/options';
export * from './workflow/retry';
