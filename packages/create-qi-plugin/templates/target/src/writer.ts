import path from 'node:path';
import { qiError, type WriterHandler } from '@qi/core';
import { Store } from './client';
import type { PluginConfig } from './config';
import { handles, KINDS } from './encoding';
import { classifyError, PluginErrors } from './errors';

/**
 * The technology part of the target. @qi/core's BaseWriter calls it with
 * batches of valid, normalised records of one kind and does the rest:
 * validation, batching, retries, circuit breaker, metrics, dead letters.
 */
export function createWriterHandler(config: PluginConfig, baseDir: string): WriterHandler {
  const store = new Store(path.resolve(baseDir, config.directory));
  return {
    init: () => store.open(),

    async writeBatch(kind, records) {
      if (!handles(kind)) {
        // refused one by one: the runner dead-letters them with this reason, the rest of the pipeline goes on
        const error = qiError(
          PluginErrors.NOT_SUPPORTED,
          `__PLUGIN_NAME__ does not handle ${kind} records (it handles ${KINDS.join(', ')})`,
        );
        return { rejected: records.map((_, index) => ({ index, error })) };
      }
      // TODO: write the batch to your technology, all or nothing, and idempotently (upsert on the natural key)
      await store.write(kind, records);
    },

    classifyError,
    close: () => store.close(),
    health: async () => ({ directory: store.directory }),
  };
}
