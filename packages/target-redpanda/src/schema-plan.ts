import { SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  err,
  isQiError,
  ok,
  type QiError,
  qiError,
  RECORD_KINDS,
  type RecordKind,
  type RecordSpecs,
  type Result,
  type SchemaChange,
  type TopicConfig,
} from '@qi/core';
import { type RegistryClient, registryError, subjectOf } from '@qi/kafka-codec';
import type { StreamingAdmin } from '@qi/streaming';
import type { RedpandaTargetConfig } from './config';
import { RedpandaErrors } from './errors';
import { configForTopic, createTopicRouter, ensureTopics, topicConfigs } from './topics';

interface AvroField {
  name: string;
  type: unknown;
  default?: unknown;
}

/**
 * Why `next` cannot replace `prev` under `level`, naming each field (the
 * registry says only yes or no through the Confluent API). BACKWARD: readers
 * with `next` must read data written with `prev`, so a new field needs a
 * default; FORWARD: the reverse, so a removed field needs one in `prev`.
 */
export function incompatibleFields(
  prev: { fields: AvroField[] },
  next: { fields: AvroField[] },
  level: string,
): string[] {
  const before = new Map(prev.fields.map((f) => [f.name, f]));
  const after = new Map(next.fields.map((f) => [f.name, f]));
  const out: string[] = [];
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  for (const f of next.fields) {
    const old = before.get(f.name);
    if (!old && backward && !('default' in f)) out.push(`field "${f.name}" is new and required (no default)`);
    if (old && JSON.stringify(old.type) !== JSON.stringify(f.type))
      out.push(`field "${f.name}" changes type ${JSON.stringify(old.type)} -> ${JSON.stringify(f.type)}`);
  }
  for (const f of prev.fields)
    if (!after.has(f.name) && forward && !('default' in f))
      out.push(`field "${f.name}" is removed and has no default`);
  return out;
}

// The library has no compatibility or latest-version-with-number call of its own, and keeps its
// HTTP client (the Confluent API's resources) private: these two go through that client.
interface Api {
  Subject: {
    latestVersion(a: { subject: string }): Promise<{ data(): { version: number; schema: string } }>;
    compatible(a: unknown): Promise<{ data(): { is_compatible: boolean } }>;
  };
}
const apiOf = (registry: RegistryClient) => (registry.client as unknown as { api: Api }).api;

/** The registry's verdict for one topic's subject: nothing to do, register version N, or refused. */
async function planSubject(
  registry: RegistryClient,
  kind: RecordKind,
  topic: string,
  level: string,
): Promise<SchemaChange | undefined> {
  const subject = subjectOf(topic);
  const schema = registry.schemaText(kind);
  const api = apiOf(registry);
  let latest: { version: number; schema: string } | undefined;
  try {
    latest = (await api.Subject.latestVersion({ subject })).data();
  } catch (e) {
    if ((e as { status?: number }).status !== 404) throw registryError(e, subject, registry.url);
  }
  if (!latest) return { area: 'registry', target: subject, action: 'register version 1', ok: true };
  // already registered under this subject (any version; the registry compares its canonical form)?
  try {
    await registry.client.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema });
    return undefined;
  } catch (e) {
    // the library turns exactly this lookup's 404 into its base error class (not exported), other failures pass
    if ((e as Error).name !== 'ConfluentSchemaRegistryError') throw registryError(e, subject, registry.url);
  }
  try {
    const verdict = (await api.Subject.compatible({ subject, version: 'latest', body: { schema } })).data();
    const fields = incompatibleFields(JSON.parse(latest.schema), JSON.parse(schema), level);
    if (verdict.is_compatible)
      return {
        area: 'registry',
        target: subject,
        action: `register version ${latest.version + 1}`,
        ok: true,
      };
    return {
      area: 'registry',
      target: subject,
      action: `register version ${latest.version + 1}`,
      ok: false,
      reason: `incompatible with version ${latest.version} under ${level}: ${fields.length ? fields.join('; ') : 'the registry refuses it'}`,
    };
  } catch (e) {
    throw registryError(e, subject, registry.url);
  }
}

export interface PlanDeps {
  config: RedpandaTargetConfig;
  specs: RecordSpecs;
  registry: RegistryClient | undefined;
  admin(): Promise<StreamingAdmin>;
}

/** Topics to create, partition counts that differ, registry subjects to register (with the verdict). */
export async function planRedpandaSchema(d: PlanDeps): Promise<Result<SchemaChange[]>> {
  const route = createTopicRouter(d.config, d.specs);
  const configs = topicConfigs(d.config, d.specs);
  const changes: SchemaChange[] = [];
  if (d.config.topicTemplate?.includes('{exchange}'))
    changes.push({
      area: 'topic',
      target: d.config.topicTemplate,
      action: 'per-exchange topics are created and registered when first written',
      ok: true,
    });
  const topics = d.config.topicTemplate?.includes('{exchange}')
    ? []
    : RECORD_KINDS.map((k) => ({ kind: k, config: configForTopic(k, route({ kind: k } as never), configs) }));
  try {
    const admin = await d.admin();
    const names = topics.map((t) => t.config.topic);
    const existing = await admin.listTopics();
    if (!existing.ok) return existing;
    const present = names.filter((n) => existing.value.includes(n));
    const described = present.length ? await admin.describeTopics(present) : ok([]);
    if (!described.ok) return described;
    for (const { config: t } of topics) {
      const found = described.value.find((x) => x.topic === t.topic);
      if (!found)
        changes.push({
          area: 'topic',
          target: t.topic,
          action: `create (${t.partitions} partitions, ${configText(t)})`,
          ok: true,
        });
      else if (found.partitions.length !== t.partitions)
        changes.push({
          area: 'topic',
          target: t.topic,
          action: `partitions ${found.partitions.length}, config says ${t.partitions}: left as is (changing it moves keys)`,
          ok: true,
        });
    }
    if (d.registry)
      for (const { kind, config: t } of topics) {
        const c = await planSubject(d.registry, kind, t.topic, d.config.schemaRegistry!.compatibility);
        if (c) changes.push(c);
      }
    return ok(changes);
  } catch (e) {
    if (isQiError(e)) return err(e as QiError);
    throw e;
  }
}

/** Applies a plan: creates the missing topics, registers each subject. Refuses a plan with a refused change. */
export async function applyRedpandaSchema(d: PlanDeps): Promise<Result<SchemaChange[]>> {
  const plan = await planRedpandaSchema(d);
  if (!plan.ok) return plan;
  const refused = plan.value.filter((c) => !c.ok);
  if (refused.length)
    return err(
      qiError(RedpandaErrors.SCHEMA_INCOMPATIBLE, refused.map((c) => `${c.target}: ${c.reason}`).join('; ')),
    );
  try {
    const route = createTopicRouter(d.config, d.specs);
    const configs = topicConfigs(d.config, d.specs);
    const creates: TopicConfig[] = plan.value
      .filter((c) => c.area === 'topic' && c.action.startsWith('create'))
      .map(
        (c) =>
          RECORD_KINDS.map((k) => configForTopic(k, route({ kind: k } as never), configs)).find(
            (t) => t.topic === c.target,
          )!,
      );
    if (creates.length) {
      const r = await ensureTopics(await d.admin(), creates);
      if (!r.ok) return r;
    }
    for (const c of plan.value.filter((x) => x.area === 'registry')) {
      const kind = RECORD_KINDS.find((k) => subjectOf(route({ kind: k } as never)) === c.target)!;
      await d.registry!.idFor(kind, route({ kind } as never));
    }
    return ok(plan.value);
  } catch (e) {
    if (isQiError(e)) return err(e as QiError);
    throw e;
  }
}

const configText = (t: TopicConfig) =>
  Object.entries(t.configs)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
