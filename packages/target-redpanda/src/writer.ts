import {
  BaseWriter,
  type DeadLetter,
  type Logger,
  type MarketRecord,
  type PluginContext,
  type QiError,
  RECORD_SPECS,
  type RecordKind,
  type RecordOfKind,
  type RecordSpecs,
  type Result,
  type SchemaChange,
  type SchemaPlanner,
  silentLogger,
  type TopicConfig,
  type Writer,
  type WriterHandler,
  workflowOptions,
} from '@qi/core';
import {
  CONTENT_TYPES,
  createRegistryClient,
  type EncodedRecord,
  encodeConfluent,
  encodeError,
  encodeRecord,
  HEADERS,
  type RegistryClient,
} from '@qi/kafka-codec';
import { connectionOf, createStreamingClient, type StreamingMessage } from '@qi/streaming';
import { connectRedpanda, type RedpandaConnection } from './client';
import type { RedpandaTargetConfig } from './config';
import { classifyRedpandaError } from './errors';
import { applyRedpandaSchema, type PlanDeps, planRedpandaSchema } from './schema-plan';
import {
  configForTopic,
  createTopicRouter,
  type EnsureTopicsReport,
  ensureTopics,
  topicConfigs,
} from './topics';

export interface RedpandaHandler extends WriterHandler {
  /** what ensureTopics did so far (created, existing, partition mismatches) */
  readonly topicReport: EnsureTopicsReport;
  /** the Schema Registry client when `schemaRegistry` is set (Confluent wire format) */
  readonly registry: RegistryClient | undefined;
}

/**
 * The Kafka-protocol WriterHandler: one produce request per batch (all topics
 * of the batch at once), keyed by instrument so per-instrument order holds,
 * acknowledged by all in-sync replicas before the batch counts as written.
 * A Kafka append is not an upsert: a replayed batch appends again (consumers
 * dedupe by natural key); the idempotent producer only removes the duplicates
 * of its own internal retries.
 */
export function createRedpandaHandler(
  config: RedpandaTargetConfig,
  opts: { logger?: Logger; specs?: RecordSpecs } = {},
): RedpandaHandler {
  const logger = opts.logger ?? silentLogger();
  const specs = opts.specs ?? RECORD_SPECS;
  const route = createTopicRouter(config, specs);
  const configs = topicConfigs(config, specs);
  const keyOf = instrumentKeyFn(specs);
  const ensured = new Set<string>();
  const report: EnsureTopicsReport = { created: [], existing: [], mismatched: [] };
  let conn: RedpandaConnection | undefined;
  const registry = config.schemaRegistry ? createRegistryClient(config.schemaRegistry, specs) : undefined;

  const connection = (): RedpandaConnection => {
    if (!conn) throw new Error('@qi/target-redpanda: writeBatch before init');
    return conn;
  };

  async function ensure(topics: TopicConfig[]): Promise<void> {
    const todo = topics.filter((t) => !ensured.has(t.topic));
    if (!config.ensureTopics || todo.length === 0) return;
    const admin = await connection().admin();
    if (!admin.ok) throw admin.error;
    const r = await ensureTopics(admin.value, todo, logger);
    if (!r.ok) throw r.error;
    report.created.push(...r.value.created);
    report.existing.push(...r.value.existing);
    report.mismatched.push(...r.value.mismatched);
    for (const t of todo) ensured.add(t.topic);
  }

  return {
    topicReport: report,
    registry,

    async init() {
      // init is retried while the broker is down: a connection made by an earlier attempt is reused
      if (!conn) {
        const c = await connectRedpanda(config, logger);
        if (!c.ok) throw c.error;
        conn = c.value;
      }
      const dlq = configForTopic('price', config.deadLetterTopic, configs);
      // with {exchange} routing the kind topics are only known when records arrive
      const kindTopics = config.topicTemplate?.includes('{exchange}')
        ? []
        : (Object.keys(configs) as RecordKind[]).map((k) =>
            configForTopic(k, route({ kind: k } as never), configs),
          );
      await ensure([...kindTopics, dlq]);
    },

    async writeBatch<K extends RecordKind>(kind: K, records: readonly RecordOfKind<K>[]) {
      const byTopic = new Map<string, StreamingMessage[]>();
      const rejected: Array<{ index: number; error: QiError }> = [];
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        const topic = route(r);
        // registration fails the batch (retried when the registry is unreachable, config on 409), never one record
        const id = registry ? (registry.cachedId(topic) ?? (await registry.idFor(kind, topic))) : 0;
        let encoded: EncodedRecord;
        try {
          encoded = registry
            ? encodeConfluent(r, id, registry.frame, specs)
            : encodeRecord(r, config.serialization, specs);
        } catch (e) {
          rejected.push({ index: i, error: encodeError(kind, e) });
          continue;
        }
        const message = { key: keyOf(r), value: encoded.value, headers: encoded.headers };
        const list = byTopic.get(topic);
        if (list) list.push(message);
        else byTopic.set(topic, [message]);
      }
      if (byTopic.size > 0) {
        await ensure([...byTopic.keys()].map((t) => configForTopic(kind, t, configs)));
        const sent = await connection().producer.sendBatch(
          [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        );
        if (!sent.ok) throw sent.error;
      }
      return rejected.length ? { rejected } : undefined;
    },

    classifyError: classifyRedpandaError,

    async writeDeadLetters(letters: readonly DeadLetter[]) {
      const messages = letters.map((l) => ({
        key: l.pipeline ?? null,
        value: Buffer.from(JSON.stringify(l, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))),
        headers: {
          [HEADERS.contentType]: CONTENT_TYPES.json,
          [HEADERS.schema]: 'dead-letter',
          'qi-dead-letter-stage': l.stage,
          'qi-dead-letter-code': l.code,
        },
      }));
      const sent = await connection().producer.sendBatch([{ topic: config.deadLetterTopic, messages }]);
      if (!sent.ok) throw sent.error;
    },

    async close() {
      const c = conn;
      conn = undefined;
      if (c) {
        const r = await c.close();
        if (!r.ok) throw r.error;
      }
    },

    async health() {
      // not connected yet (init is lazy): can the cluster be reached at all?
      if (!conn) return probe(config, logger);
      const h = await conn.streaming.health();
      return { ...h.details, ok: h.ok, connected: conn.producer.isConnected() };
    },
  };
}

/**
 * Same string as core's instrumentKey(record) ("bitcoin|aggregate|usd"), with each kind's key
 * fields looked up once instead of per record: this runs for every message.
 */
export function instrumentKeyFn(specs: RecordSpecs): (record: MarketRecord) => string {
  const fields = Object.fromEntries(
    (Object.keys(specs) as RecordKind[]).map((k) => [k, specs[k].key.filter((f) => f !== specs[k].time)]),
  ) as Record<RecordKind, string[]>;
  return (record) => {
    const r = record as unknown as Record<string, unknown>;
    const f = fields[record.kind];
    let key = String(r[f[0]!] ?? '');
    for (let i = 1; i < f.length; i++) key += `|${String(r[f[i]!] ?? '')}`;
    return key;
  };
}

async function probe(config: RedpandaTargetConfig, logger: Logger): Promise<Record<string, unknown>> {
  const s = await createStreamingClient({ ...connectionOf(config), retries: 0 }, { logger });
  if (!s.ok) return { ok: false, connected: false, error: s.error.message };
  const h = await s.value.health();
  await s.value.disconnect();
  return { ...h.details, ok: h.ok, connected: false };
}

/** The plugin's writer: BaseWriter (validation, batching, retry, breaker, bisection) around the handler. */
export function createRedpandaWriter(
  config: RedpandaTargetConfig,
  ctx: Pick<PluginContext, 'name' | 'logger' | 'metrics' | 'pipeline'>,
  specs?: RecordSpecs,
): Writer & SchemaPlanner & { handler: RedpandaHandler } {
  const handler = createRedpandaHandler(config, { logger: ctx.logger, ...(specs ? { specs } : {}) });
  const writer = new BaseWriter({ ...workflowOptions(config, ctx), handler, ...(specs ? { specs } : {}) });
  // qi schema plan|apply: a connection of its own for the call, so a plan never needs init
  const withAdmin = async (
    fn: (d: PlanDeps) => Promise<Result<SchemaChange[]>>,
  ): Promise<Result<SchemaChange[]>> => {
    const c = await connectRedpanda(config, ctx.logger);
    if (!c.ok) return c;
    try {
      return await fn({
        config,
        specs: specs ?? RECORD_SPECS,
        registry: handler.registry,
        admin: async () => {
          const a = await c.value.admin();
          if (!a.ok) throw a.error;
          return a.value;
        },
      });
    } finally {
      await c.value.close();
    }
  };
  return Object.assign(writer, {
    handler,
    planSchema: () => withAdmin(planRedpandaSchema),
    applySchema: () => withAdmin(applyRedpandaSchema),
  });
}
