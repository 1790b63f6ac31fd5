import {
  err,
  generateTopics,
  type Logger,
  type MarketRecord,
  ok,
  RECORD_KINDS,
  RECORD_SPECS,
  type RecordKind,
  type RecordSpecs,
  type Result,
  type RetryPolicy,
  retry,
  type TopicConfig,
  toQiError,
} from '@qi/core';
import { classifyStreamingError, type StreamingAdmin, type TopicDescription } from '@qi/streaming';
import type { RedpandaTargetConfig } from './config';

type TopicSettings = Pick<
  RedpandaTargetConfig,
  | 'topicPrefix'
  | 'topics'
  | 'topicTemplate'
  | 'partitions'
  | 'replicationFactor'
  | 'retentionMs'
  | 'topicCompression'
>;

/** The DSL-generated topic config of each kind, with this target's prefix, partitions, retention and compression. */
export function topicConfigs(
  c: TopicSettings,
  specs: RecordSpecs = RECORD_SPECS,
): Record<RecordKind, TopicConfig> {
  const generated = generateTopics({
    prefix: c.topicPrefix,
    partitions: c.partitions,
    replicationFactor: c.replicationFactor,
    retentionMs: c.retentionMs,
    compression: c.topicCompression,
    specs,
  });
  return Object.fromEntries(
    generated.map((t) => [t.kind, { ...t, topic: c.topics[t.kind as RecordKind] ?? t.topic }]),
  ) as Record<RecordKind, TopicConfig>;
}

const SAFE = /[^a-zA-Z0-9._-]/g;

/**
 * Picks the topic of each record. Without a template a kind has one topic; with
 * one, `{exchange}` routes per exchange ("all" for kinds without an exchange).
 */
export function createTopicRouter(
  c: TopicSettings,
  specs: RecordSpecs = RECORD_SPECS,
): (record: MarketRecord) => string {
  const configs = topicConfigs(c, specs);
  const template = c.topicTemplate;
  if (!template) return (r) => configs[r.kind].topic;
  const perKind = Object.fromEntries(
    RECORD_KINDS.map((k) => [
      k,
      template
        .replaceAll('{prefix}', c.topicPrefix)
        .replaceAll('{name}', specs[k].name)
        .replaceAll('{kind}', k),
    ]),
  ) as Record<RecordKind, string>;
  if (!template.includes('{exchange}')) return (r) => perKind[r.kind];
  return (r) => {
    const exchange = (r as { exchange?: string }).exchange;
    return perKind[r.kind].replaceAll('{exchange}', exchange ? exchange.replace(SAFE, '_') : 'all');
  };
}

export interface PartitionMismatch {
  topic: string;
  expected: number;
  actual: number;
}

export interface EnsureTopicsReport {
  created: string[];
  existing: string[];
  /** existing topics whose partition count differs from the config (never changed by Qi: that would move keys) */
  mismatched: PartitionMismatch[];
}

/** Retries of ensureTopics' admin calls on retryable errors: about 30 s in all. */
export const ENSURE_RETRY: RetryPolicy = {
  maxAttempts: 8,
  initialDelayMs: 250,
  maxDelayMs: 8000,
  factor: 2,
  jitter: true,
};

/**
 * Creates the missing topics with their generated configs and reports existing
 * ones whose partition count differs. Safe to call repeatedly and concurrently
 * with other writers (an already-existing topic is not an error). Retryable
 * broker errors (NOT_LEADER, LEADER_NOT_AVAILABLE, a timeout) are retried with
 * backoff, one log line each.
 */
export async function ensureTopics(
  admin: StreamingAdmin,
  topics: readonly TopicConfig[],
  logger?: Logger,
  policy: RetryPolicy = ENSURE_RETRY,
): Promise<Result<EnsureTopicsReport>> {
  // a cluster answers NOT_LEADER / LEADER_NOT_AVAILABLE for a moment after topics are created or a leader moves
  const retried = async <T>(what: string, call: () => Promise<Result<T>>): Promise<Result<T>> => {
    try {
      return ok(
        await retry(
          async () => {
            const r = await call();
            if (!r.ok) throw r.error;
            return r.value;
          },
          (e) => classifyStreamingError(e),
          policy,
          {
            onRetry: (e, attempt, delayMs) =>
              logger?.warn(
                { event: 'redpanda.topic.retry', what, attempt, delayMs, code: e.code, err: e.message },
                `${what} failed (attempt ${attempt}), next try in ${delayMs} ms: ${e.message}`,
              ),
          },
        ),
      );
    } catch (e) {
      return err(toQiError(e));
    }
  };
  // "created" is judged against the topics present before the first attempt: a create request
  // that timed out after the broker made the topic is retried, and the retry finds it existing
  const before = await retried('list topics', () => admin.listTopics());
  if (!before.ok) return before;
  const present = new Set(before.value);
  const made = await retried('create topics', () =>
    admin.createTopics(
      topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions,
        replicationFactor: t.replicationFactor,
        configs: t.configs,
      })),
    ),
  );
  if (!made.ok) return made;
  const created = topics
    .filter((t) => !present.has(t.topic) || made.value.includes(t.topic))
    .map((t) => t.topic);
  const existing = topics.filter((t) => !created.includes(t.topic));
  const mismatched: PartitionMismatch[] = [];
  if (existing.length) {
    const described = await retried('describe topics', () =>
      admin.describeTopics(existing.map((t) => t.topic)),
    );
    if (!described.ok) return described;
    for (const t of existing) {
      const d = described.value.find((x) => x.topic === t.topic);
      if (d && d.partitions.length !== t.partitions)
        mismatched.push({ topic: t.topic, expected: t.partitions, actual: d.partitions.length });
    }
  }
  for (const m of mismatched) {
    logger?.warn(
      { event: 'redpanda.topic.partitions_mismatch', ...m },
      `topic ${m.topic} has ${m.actual} partitions, config says ${m.expected}; left as is (changing it would move keys between partitions)`,
    );
  }
  if (created.length)
    logger?.info(
      { event: 'redpanda.topic.created', topics: created },
      `created topics ${created.join(', ')}`,
    );
  return ok({ created, existing: existing.map((t) => t.topic), mismatched });
}

/** Partitions, offsets and configs of topics (for operators and the MCP package). */
export function describeTopics(
  admin: StreamingAdmin,
  topics: readonly string[],
): Promise<Result<TopicDescription[]>> {
  return admin.describeTopics(topics);
}

/** The generated config of a routed topic name (template topics share their kind's settings). */
export function configForTopic(
  kind: RecordKind,
  topic: string,
  configs: Record<RecordKind, TopicConfig>,
): TopicConfig {
  return { ...configs[kind], topic };
}
