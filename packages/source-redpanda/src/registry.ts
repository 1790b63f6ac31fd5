import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, QiError } from '@qi/core';
import type { RegistryCodec } from '@qi/kafka-codec';
import type { ConsumedMessage } from '@qi/streaming';

/**
 * Fetches the writer schemas of the Confluent-framed messages' ids before they
 * are decoded. An unreachable registry is retried with backoff (100 ms to 10 s)
 * until it answers or the stream stops: nothing is skipped meanwhile. Any
 * other registry error (auth, bad URL) ends the stream with that error.
 */
export async function prepareRegistry(
  registry: RegistryCodec,
  messages: readonly ConsumedMessage[],
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await registry.prepare(messages);
    } catch (e) {
      const error = e as QiError;
      if (!error.retryable || signal.aborted) throw e;
      log.warn(
        {
          event: 'redpanda.source.registry_retry',
          code: error.code,
          attempt: attempt + 1,
          err: error.message,
        },
        'Schema Registry unavailable; retrying',
      );
      await sleep(Math.min(10_000, 100 * 2 ** attempt), undefined, { signal }).catch(() => undefined);
    }
  }
}
