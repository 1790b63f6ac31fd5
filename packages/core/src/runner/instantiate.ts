import path from 'node:path';
import { fileTarget } from '../builtins/file-target';
import type { Reader } from '../contracts/reader';
import type { Writer } from '../contracts/writer';
import { qiError } from '../errors';
import type { PluginUse } from '../host/host';
import { PLUGIN_API_VERSION, type PluginContext } from '../plugin';
import type { Result } from '../result';
import { realClock } from '../workflow/clock';
import type { RunOptions } from './run-options';
import { DEFAULT_START_TIMEOUT_MS, startWithRetry } from './start';

type Startable = (Reader | Writer) & { init?(): Promise<Result<void>> };

/**
 * Creates one plugin instance of a pipeline (`plugin.create(config, ctx)`), then starts it:
 * `init()` is retried until the start timeout, and whatever a failed init opened is closed.
 * The host checked the plugin's kind, so the caller names what it gets back.
 */
export async function instantiate<T extends Reader | Writer>(
  use: PluginUse,
  pipeline: string,
  opts: RunOptions,
  signal: AbortSignal,
): Promise<T> {
  const ctx: PluginContext = {
    name: use.name,
    pipeline,
    logger: opts.logger.child({ pipeline, plugin: use.resolved.packageName, instance: use.name }),
    metrics: opts.metrics,
    signal,
    apiVersion: PLUGIN_API_VERSION,
    baseDir: opts.baseDir,
  };
  const created: Startable = await use.resolved.plugin.create(use.config, ctx);
  if (typeof created.init === 'function') {
    const what = `${use.where} (${use.resolved.packageName})`;
    const r = await startWithRetry(what, () => created.init!(), {
      timeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      clock: opts.clock ?? realClock,
      signal,
      logger: opts.logger.child({ pipeline }),
      onRetry: () => opts.metrics.startRetries.inc({ pipeline, plugin: use.name }),
    });
    if (!r.ok) {
      // a plugin written in JavaScript may lack close()
      await created.close?.().catch(() => {});
      throw qiError(r.error, `${what} failed to start: ${r.error.message}`, {
        cause: r.error,
        context: r.error.context,
      });
    }
  }
  return created as T;
}

/** Where a pipeline without `deadLetter` sends its dead letters: `<dataDir>/dead-letter/<pipeline>.ndjson`. */
export function defaultDeadLetterUse(pipeline: string, dataDir: string): PluginUse {
  return {
    where: `pipelines.${pipeline}.deadLetter`,
    name: 'dead-letter',
    resolved: { plugin: fileTarget, packageName: 'file', version: PLUGIN_API_VERSION, location: 'built-in' },
    config: fileTarget.configSchema.parse({
      path: path.join(dataDir, 'dead-letter', `${pipeline}.ndjson`),
      lingerMs: 0,
    }),
  };
}
