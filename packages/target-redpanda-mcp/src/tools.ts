import {
  CoreErrors,
  err,
  type Logger,
  ok,
  qiError,
  RECORD_KINDS,
  type RecordKind,
  type Result,
  type TopicConfig,
} from '@qi/core';
import { defineMcpTool, type McpTool } from '@qi/mcp';
import { connectionOf, createStreamingClient, type StreamingAdmin } from '@qi/streaming';
import {
  configForTopic,
  createTopicRouter,
  describeTopics,
  ensureTopics,
  type RedpandaTargetConfig,
  topicConfigs,
} from '@qi/target-redpanda';
import { z } from 'zod';

/** Topic configs worth showing an operator (the broker reports every default too). */
const SHOWN_CONFIGS = [
  'cleanup.policy',
  'retention.ms',
  'retention.bytes',
  'compression.type',
  'min.insync.replicas',
  'max.message.bytes',
  'message.timestamp.type',
];

/**
 * One admin connection per call: topic tools are rare, and a long-lived kafkajs
 * admin can fail after another client deletes a topic it has seen.
 */
async function withAdmin<T>(
  config: RedpandaTargetConfig,
  logger: Logger,
  fn: (admin: StreamingAdmin) => Promise<Result<T>>,
): Promise<Result<T>> {
  const s = await createStreamingClient(
    { ...connectionOf(config), clientId: `${config.clientId}-mcp-admin` },
    { logger },
  );
  if (!s.ok) return s;
  try {
    const admin = await s.value.getAdmin();
    if (!admin.ok) return admin;
    return await fn(admin.value);
  } finally {
    await s.value.disconnect();
  }
}

/** The kind topics this target writes to (with {exchange} routing: for the given exchanges). */
export function targetTopics(
  config: RedpandaTargetConfig,
  kinds: readonly RecordKind[],
  exchanges?: readonly string[],
): TopicConfig[] {
  const configs = topicConfigs(config);
  const route = createTopicRouter(config);
  const out = new Map<string, TopicConfig>();
  for (const kind of kinds)
    for (const exchange of exchanges?.length ? exchanges : [undefined]) {
      const topic = route({ kind, ...(exchange ? { exchange } : {}) } as never);
      out.set(topic, configForTopic(kind, topic, configs));
    }
  return [...out.values()];
}

const kindsArg = z
  .array(z.enum(RECORD_KINDS))
  .min(1)
  .optional()
  .describe('record kinds whose topics to create (price, ohlcv, analytics, level1); all when absent');

/** ensure_topics, list_topics, describe_topic over the target's own cluster settings. */
export function redpandaTopicTools(config: RedpandaTargetConfig, logger: Logger): McpTool[] {
  const perExchange = config.topicTemplate?.includes('{exchange}') ?? false;
  return [
    defineMcpTool({
      name: 'ensure_topics',
      title: 'Ensure topics',
      description: `Creates the topics this target writes to when they are missing, with the partitions (${config.partitions}), replication factor, retention and cleanup policy generated from the DSL; existing topics are left as they are and reported, with a warning when their partition count differs (changing it would move keys between partitions). Safe to call repeatedly.${perExchange ? ' Topics are routed per exchange here: pass the exchanges.' : ''}`,
      input: {
        kinds: kindsArg,
        exchanges: z
          .array(z.string().min(1).max(200))
          .min(1)
          .max(500)
          .optional()
          .describe('exchange ids, for targets that route topics per exchange ({exchange} in topicTemplate)'),
        dead_letter: z
          .boolean()
          .default(false)
          .describe(`also create the dead-letter topic (${config.deadLetterTopic})`),
      },
      output: {
        created: z.array(z.string()).describe('topics created by this call'),
        existing: z.array(z.string()).describe('topics that were already there'),
        mismatched: z
          .array(z.object({ topic: z.string(), expected: z.number(), actual: z.number() }))
          .describe('existing topics whose partition count differs from the config (left unchanged)'),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      async run(a) {
        if (perExchange && !a.exchanges)
          return err(
            qiError(
              CoreErrors.VALIDATION,
              `this target routes topics per exchange (${config.topicTemplate}): pass exchanges`,
            ),
          );
        const topics = targetTopics(config, a.kinds ?? RECORD_KINDS, a.exchanges);
        if (a.dead_letter) topics.push(configForTopic('price', config.deadLetterTopic, topicConfigs(config)));
        return withAdmin(config, logger, (admin) => ensureTopics(admin, topics, logger));
      },
      summarize: (v) =>
        `created: ${v.created.join(', ') || 'none'}; existing: ${v.existing.join(', ') || 'none'}${v.mismatched.length ? `; partition mismatches: ${JSON.stringify(v.mismatched)}` : ''}`,
    }),
    defineMcpTool({
      name: 'list_topics',
      title: 'List topics',
      description:
        "Read-only. Lists the cluster's topics (internal ones such as __consumer_offsets hidden unless asked), optionally those starting with a prefix, and says which topics this target writes to.",
      input: {
        prefix: z
          .string()
          .max(249)
          .optional()
          .describe('only topics whose name starts with this, e.g. "qi."'),
        include_internal: z.boolean().default(false).describe('include topics whose name starts with "_"'),
      },
      output: {
        count: z.number().int(),
        topics: z.array(z.string()).describe('topic names, sorted'),
        target_topics: z.array(z.string()).describe('the topics this target writes records of each kind to'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
      async run(a) {
        const listed = await withAdmin(config, logger, (admin) => admin.listTopics());
        if (!listed.ok) return listed;
        const topics = listed.value
          .filter((t) => (a.include_internal || !t.startsWith('_')) && (!a.prefix || t.startsWith(a.prefix)))
          .sort();
        const target = perExchange ? [] : targetTopics(config, RECORD_KINDS).map((t) => t.topic);
        return ok({ count: topics.length, topics, target_topics: target });
      },
      summarize: (v) => `${v.count} topic(s): ${v.topics.join(', ')}`,
    }),
    defineMcpTool({
      name: 'describe_topic',
      title: 'Describe topic',
      description:
        'Read-only. Partitions of one topic with their leader, replicas, in-sync replicas, start and end offsets (the end offset is the offset the next message gets; end - start = messages held), and its main configs (retention, cleanup policy, compression).',
      input: {
        topic: z
          .string()
          .regex(/^[a-zA-Z0-9._-]{1,249}$/)
          .describe('topic name, e.g. "qi.prices"'),
      },
      output: {
        topic: z.string(),
        partition_count: z.number().int(),
        messages: z
          .string()
          .describe('messages held across partitions (sum of end - start offsets), a decimal string'),
        partitions: z.array(
          z.object({
            partition: z.number().int(),
            leader: z.number().int(),
            replicas: z.array(z.number().int()),
            isr: z.array(z.number().int()),
            start_offset: z.string().describe('earliest offset still held'),
            end_offset: z.string().describe('high watermark: the offset the next message will get'),
          }),
        ),
        configs: z.record(z.string(), z.string()).describe(`topic configs: ${SHOWN_CONFIGS.join(', ')}`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
      async run(a) {
        return withAdmin(config, logger, async (admin) => {
          // describing a missing topic could auto-create it on brokers that allow that: look first
          const listed = await admin.listTopics();
          if (!listed.ok) return listed;
          if (!listed.value.includes(a.topic))
            return err(qiError(CoreErrors.NOT_FOUND, `no topic "${a.topic}": see list_topics`));
          const d = await describeTopics(admin, [a.topic]);
          if (!d.ok) return d;
          const t = d.value[0];
          if (!t) return err(qiError(CoreErrors.NOT_FOUND, `no topic "${a.topic}"`));
          const partitions = t.partitions.map((p) => ({
            partition: p.partition,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            start_offset: p.lowWatermark,
            end_offset: p.highWatermark,
          }));
          const messages = t.partitions.reduce(
            (n, p) => n + BigInt(p.highWatermark) - BigInt(p.lowWatermark),
            0n,
          );
          const configs = Object.fromEntries(
            SHOWN_CONFIGS.filter((k) => k in t.configs).map((k) => [k, t.configs[k]!]),
          );
          return ok({
            topic: t.topic,
            partition_count: partitions.length,
            messages: messages.toString(),
            partitions,
            configs,
          });
        });
      },
      summarize: (v) =>
        `${v.topic}: ${v.partition_count} partition(s), ${v.messages} message(s); end offsets ${v.partitions.map((p) => `${p.partition}:${p.end_offset}`).join(' ')}`,
    }),
  ] as McpTool[];
}
