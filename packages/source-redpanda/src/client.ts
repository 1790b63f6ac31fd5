import { generateTopics, type Logger, RECORD_SPECS, type RecordSpecs } from '@qi/core';
import {
  type ConsumerOptions,
  connectionOf,
  createStreamingClient,
  type StreamingAdmin,
  type StreamingClient,
} from '@qi/streaming';
import { fetchBytes, heldBound, type RedpandaSourceConfig } from './config';

// the transport settings of this source's config (kept as an export of this package)
export { connectionOf };

export function consumerOptions(c: RedpandaSourceConfig, groupId: string): ConsumerOptions {
  return {
    groupId,
    fromBeginning: c.fromBeginning,
    sessionTimeoutMs: c.sessionTimeoutMs,
    heartbeatIntervalMs: c.heartbeatIntervalMs,
    maxBytes: fetchBytes(c),
    maxWaitMs: c.maxWaitMs,
    ...heldBound(c),
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
 * (the same the Redpanda target uses), so a consumer may start before its
 * producer. Existing topics are left as they are. Returns the created names.
 */
export async function ensureSourceTopics(
  admin: StreamingAdmin,
  topics: readonly string[],
  c: RedpandaSourceConfig,
  logger: Logger,
  specs: RecordSpecs = RECORD_SPECS,
): Promise<string[]> {
  const generated = generateTopics({
    prefix: c.topicPrefix,
    partitions: c.partitions,
    replicationFactor: c.replicationFactor,
    specs,
  });
  const base = generated[0]!;
  const wanted = topics.map((topic) => {
    const g = generated.find((t) => t.topic === topic) ?? base;
    return { topic, partitions: g.partitions, replicationFactor: g.replicationFactor, configs: g.configs };
  });
  const r = await admin.createTopics(wanted);
  if (!r.ok) throw r.error;
  if (r.value.length)
    logger.info(
      { event: 'redpanda.source.topics_created', topics: r.value },
      `created topics ${r.value.join(', ')}`,
    );
  return r.value;
}
