import { type Clock, type Logger, type RetryPolicy, realClock, retry, toQiError } from '@qi/core';
import type { RegistryCodec } from '@qi/kafka-codec';
import type { ConsumedMessage } from '@qi/streaming';

/** 100 ms, 200 ms … up to 10 s between tries, until the registry answers or the stream stops. */
const REGISTRY_RETRY: RetryPolicy = {
  maxAttempts: 0,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: false,
};

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
  clock: Clock = realClock,
): Promise<void> {
  await retry(() => registry.prepare(messages), toQiError, REGISTRY_RETRY, {
    clock,
    signal,
    onRetry: (error, attempt) =>
      log.warn(
        { event: 'redpanda.source.registry_retry', code: error.code, attempt, err: error.message },
        'Schema Registry unavailable; retrying',
      ),
  });
}
