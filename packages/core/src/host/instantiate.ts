import path from 'node:path';
import type { Logger } from 'pino';
import { fileTarget } from '../builtins/file-target';
import { qiError, toQiError } from '../errors';
import type { QiMetrics } from '../observability/metrics';
import { PLUGIN_API_VERSION, type PluginContext } from '../plugin';
import { err, ok, type Result } from '../result';
import { DEFAULT_START_TIMEOUT_MS, startWithRetry } from '../runner/start';
import { type Clock, realClock } from '../workflow/clock';
import type { PluginUse, PreparedPipeline } from './host';

export interface InstantiateOptions {
  pipeline: string;
  logger: Logger;
  metrics: QiMetrics;
  /** aborted when the pipeline (or server) stops: plugins stop waiting and reading */
  signal: AbortSignal;
  baseDir: string;
  /** how long `init()` may keep failing with retryable errors, ms (default 5 min); 0: no limit */
  startTimeoutMs?: number;
  clock?: Clock;
}

export interface Instance<T> {
  instance: T;
  /** the context the plugin was created with (extensions that wrap the instance get the same) */
  ctx: PluginContext;
}

/**
 * The one way a prepared plugin becomes a running instance, for `qi run` and
 * `qi mcp serve` alike: `create(config, ctx)` with its `PluginContext`, then
 * `init()` retried with backoff while it fails with retryable errors (a database
 * or broker still booting), until the start timeout. A failed start releases
 * what `init` opened.
 */
export async function instantiate<T>(use: PluginUse, opts: InstantiateOptions): Promise<Result<Instance<T>>> {
  const { pipeline } = opts;
  const what = `${use.where} (${use.resolved.packageName})`;
  const ctx: PluginContext = {
    name: use.name,
    pipeline,
    logger: opts.logger.child({ pipeline, plugin: use.resolved.packageName, instance: use.name }),
    metrics: opts.metrics,
    signal: opts.signal,
    apiVersion: PLUGIN_API_VERSION,
    baseDir: opts.baseDir,
  };
  let created: T & { init?: () => Promise<Result<void>>; close?: () => Promise<unknown> };
  try {
    created = (await use.resolved.plugin.create(use.config, ctx)) as unknown as typeof created;
  } catch (e) {
    return err(toQiError(e));
  }
  if (typeof created.init === 'function') {
    const r = await startWithRetry(what, () => created.init!(), {
      timeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      clock: opts.clock ?? realClock,
      signal: opts.signal,
      logger: opts.logger.child({ pipeline }),
      onRetry: () => opts.metrics.startRetries.inc({ pipeline, plugin: use.name }),
    });
    if (!r.ok) {
      await created.close?.().catch(() => {});
      return err(
        qiError(r.error, `${what} failed to start: ${r.error.message}`, {
          cause: r.error,
          context: r.error.context,
        }),
      );
    }
  }
  return ok({ instance: created, ctx });
}

/**
 * A pipeline's dead-letter destination: the configured one, or the `file` target
 * at `<dataDir>/dead-letter/<pipeline>.ndjson`.
 */
export function deadLetterUse(p: PreparedPipeline, dataDir: string): PluginUse {
  return (
    p.deadLetter ?? {
      where: `pipelines.${p.name}.deadLetter`,
      name: 'dead-letter',
      resolved: {
        plugin: fileTarget,
        packageName: 'file',
        version: PLUGIN_API_VERSION,
        location: 'built-in',
      },
      config: fileTarget.configSchema.parse({
        path: path.join(dataDir, 'dead-letter', `${p.name}.ndjson`),
        lingerMs: 0,
      }),
    }
  );
}
