import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { encode as frame } from '@kafkajs/confluent-schema-registry/dist/wireEncoder.js';
import { avroSchema, RECORD_KINDS, RECORD_SPECS, type RecordKind, type RecordSpecs } from '@qi/core';
import type avro from 'avsc';
import { registryError } from './errors';
import { type SchemaRegistryConfig, safeUrl, subjectOf } from './registry-config';

/** What the target, the source and `qi schema plan` need from a Schema Registry. */
export interface RegistryClient {
  readonly url: string;
  /** the library client (for tools that need more than Qi uses) */
  readonly client: SchemaRegistry;
  /** registers the kind's DSL schema under "<topic>-value" once per topic; the schema id (cached) */
  idFor(kind: RecordKind, topic: string): Promise<number>;
  /** the cached id of a topic, if registered in this process */
  cachedId(topic: string): number | undefined;
  /** Confluent wire format: magic byte 0, big-endian schema id, Avro body */
  frame(id: number, body: Buffer): Buffer;
  /** the writer schema of an id (fetched once, then cached by the library) */
  writerType(id: number): Promise<avro.Type>;
  /** the DSL kind of an Avro record name ("dev.qi.dsl.PriceRecord"), if it is one */
  kindOfName(name: string | undefined): RecordKind | undefined;
  /** JSON text of the DSL schema registered for a kind */
  schemaText(kind: RecordKind): string;
}

export function createRegistryClient(
  config: SchemaRegistryConfig,
  specs: RecordSpecs = RECORD_SPECS,
): RegistryClient {
  const url = safeUrl(config.url);
  const client = new SchemaRegistry({
    host: config.url.replace(/\/$/, ''),
    clientId: config.clientId,
    ...(config.auth ? { auth: { username: config.auth.username, password: config.auth.password } } : {}),
    // BaseWriter owns retries and backoff; the full object because the library merges into a shared default
    retry: { retries: 0, maxRetryTimeInSecs: 5, initialRetryTimeInSecs: 0.1, factor: 0.2, multiplier: 2 },
  });
  const texts = new Map<RecordKind, string>();
  const names = new Map<string, RecordKind>();
  for (const k of RECORD_KINDS) {
    const s = avroSchema(specs[k]);
    texts.set(k, JSON.stringify(s));
    names.set(`${s.namespace}.${s.name}`, k);
  }
  const ids = new Map<string, number>();
  const pending = new Map<string, Promise<number>>();

  async function register(kind: RecordKind, topic: string): Promise<number> {
    const subject = subjectOf(topic);
    try {
      const { id } = await client.register(
        { type: SchemaType.AVRO, schema: texts.get(kind)! },
        { subject, compatibility: config.compatibility as never },
      );
      ids.set(topic, id);
      return id;
    } catch (e) {
      throw registryError(e, subject, url);
    }
  }

  return {
    url,
    client,
    idFor(kind, topic) {
      const id = ids.get(topic);
      if (id !== undefined) return Promise.resolve(id);
      // one registration per topic even when batches of several lanes ask at once
      let p = pending.get(topic);
      if (!p) {
        p = register(kind, topic).finally(() => pending.delete(topic));
        pending.set(topic, p);
      }
      return p;
    },
    cachedId: (topic) => ids.get(topic),
    frame,
    async writerType(id) {
      try {
        return (await client.getSchema(id)) as avro.Type;
      } catch (e) {
        throw registryError(e, `schema id ${id}`, url);
      }
    },
    kindOfName: (name) => (name ? names.get(name) : undefined),
    schemaText: (kind) => texts.get(kind)!,
  };
}
