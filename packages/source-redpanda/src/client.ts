import { generateTopics, type Logger, RECORD_SPECS, type RecordSpecs } from '@qi/core';
import {
  type ConsumerOptions,
  createStreamingClient,
  type StreamingAdmin,
  type StreamingClient,
  type StreamingConfigInput,
} from '@qi/streaming';
import { ensureTopics } from '@qi/target-redpanda';
import type { RedpandaSourceConfig } from './config';

/** The transport settings of this source's config. */
export function connectionOf(c: RedpandaSourceConfig): StreamingConfigInput {
  const { client, clientId, brokers, ssl, sasl, connectionTimeoutMs, requestTimeoutMs, retries } = c;
  return {
    client,
    clientId,
    brokers,
    ssl,
    ...(sasl ? { sasl } : {}),
    connectionTimeoutMs,
    requestTimeoutMs,
    retries,
  };
}

export function consumerOptions(c: RedpandaSourceConfig, groupId: string): ConsumerOptions {
  return {
    groupId,
    fromBeginning: c.fromBeginning,
    sessionTimeoutMs: c.sessionTimeoutMs,
    heartbeatIntervalMs: c.heartbeatIntervalMs,
    maxBytes: c.maxBytes,
    maxWaitMs: c.maxWaitMs,
  };
}

/** A transport client; throws the transport's QiError (config, client library missing). */
export async function openStreaming(c: RedpandaSourceConfig, logger: Logger): Promise<StreamingClient> {
  const s = await createStreamingClient(connectionOf(c), { logger });
  if (!s.ok) throw s.error;
  return s.value;
}

export async function adminOf(streaming: StreamingClient): Promise<StreamingAdmin> {
  const a = await streaming.getAdmin();
  if (!a.ok) throw a.error;
  return a.value;
}

/**
 * Creates the subscribed topics that are missing, with the DSL topic configs
 * (the same the Redpanda target uses), so a consumer may start before its producer.
 */
export async function ensureSourceTopics(
  admin: StreamingAdmin,
  topics: readonly string[],
  c: RedpandaSourceConfig,
  logger: Logger,
  specs: RecordSpecs = RECORD_SPECS,
) {
  const generated = generateTopics({
    prefix: c.topicPrefix,
    partitions: c.partitions,
    replicationFactor: c.replicationFactor,
    specs,
  });
  const base = generated[0]!;
  const configs = topics.map((topic) => ({ ...(generated.find((g) => g.topic === topic) ?? base), topic }));
  const r = await ensureTopics(admin, configs, logger);
  if (!r.ok) throw r.error;
  return r.value;
}
