import { silentLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { PLUGIN_API_VERSION, type PluginContext } from '../plugin';

/** A plugin context for tests: silent logger, a private metrics registry, a live signal. */
export function testContext(overrides: Partial<PluginContext> = {}): PluginContext {
  return {
    name: 'test',
    pipeline: 'test',
    logger: silentLogger(),
    metrics: createMetrics(),
    signal: new AbortController().signal,
    apiVersion: PLUGIN_API_VERSION,
    baseDir: process.cwd(),
    ...overrides,
  };
}
