import {
  err,
  type MarketRecord,
  parseRecordOfKind,
  qiError,
  RECORD_SPECS,
  type RecordKind,
  type RecordSpecs,
  type Result,
} from '@qi/core';
import type avro from 'avsc';
import { avroTypeOf, CONTENT_TYPES, decodeRecord, HEADERS } from './encoding';
import { CodecErrors } from './errors';
import type { RegistryClient } from './registry';

interface Reading {
  kind: RecordKind;
  /** writer schema (the id's) -> this build's DSL schema: Avro schema resolution */
  resolver: avro.Resolver;
}

/**
 * Decodes Confluent-framed Avro by schema id next to Qi's own JSON and Avro.
 * `prepare` fetches the writer schemas of ids not seen yet (async, once per id);
 * `decode` is then synchronous. The record is read into this build's DSL
 * schema with Avro resolution, so a message written by an older or newer
 * compatible version (a field added with a default) decodes.
 */
export interface RegistryCodec {
  prepare(messages: ReadonlyArray<{ value: Buffer | null; headers?: Record<string, string> }>): Promise<void>;
  decode(value: Buffer | null, headers?: Record<string, string>): Result<MarketRecord>;
}

/** A Confluent frame: no Qi content type (or the Confluent one), magic byte 0 and an id. */
export function isConfluentFrame(value: Buffer | null, headers: Record<string, string> = {}): boolean {
  const ct = headers[HEADERS.contentType];
  return (
    value !== null &&
    value.length >= 5 &&
    value[0] === 0 &&
    (ct === undefined || ct === CONTENT_TYPES.confluent)
  );
}

export function createRegistryCodec(
  registry: RegistryClient,
  specs: RecordSpecs = RECORD_SPECS,
): RegistryCodec {
  const readings = new Map<number, Reading | string>();

  async function load(id: number, kindHeader: string | undefined): Promise<void> {
    const writer = await registry.writerType(id);
    const kind =
      registry.kindOfName(writer.name) ??
      (kindHeader && kindHeader in specs ? (kindHeader as RecordKind) : undefined);
    if (!kind) {
      readings.set(id, `schema id ${id} (${writer.name ?? 'unnamed'}) is not a Qi record schema`);
      return;
    }
    const reader = avroTypeOf(kind, specs).type;
    try {
      readings.set(id, { kind, resolver: reader.createResolver(writer) });
    } catch (e) {
      readings.set(id, `schema id ${id} cannot be read as a ${kind} record: ${(e as Error).message}`);
    }
  }

  return {
    async prepare(messages) {
      const todo = new Map<number, string | undefined>();
      for (const m of messages) {
        if (!isConfluentFrame(m.value, m.headers)) continue;
        const id = m.value!.readInt32BE(1);
        if (!readings.has(id)) todo.set(id, m.headers?.[HEADERS.schema]);
      }
      await Promise.all([...todo].map(([id, kind]) => load(id, kind)));
    },

    decode(value, headers = {}) {
      if (!isConfluentFrame(value, headers)) return decodeRecord(value, headers, specs);
      // the frame isConfluentFrame checked: byte 0 magic, bytes 1-4 the id (the library's decoder is a
      // CommonJS default export that ESM cannot import by name)
      const registryId = value!.readInt32BE(1);
      const payload = value!.subarray(5);
      const r = readings.get(registryId);
      if (r === undefined)
        return err(qiError(CodecErrors.DECODE, `schema id ${registryId} not loaded (prepare first)`));
      if (typeof r === 'string') return err(qiError(CodecErrors.DECODE, r, { context: { registryId } }));
      let obj: Record<string, unknown>;
      try {
        obj = avroTypeOf(r.kind, specs).type.fromBuffer(payload, r.resolver) as Record<string, unknown>;
      } catch (e) {
        return err(
          qiError(
            CodecErrors.DECODE,
            `cannot decode Avro (schema id ${registryId}): ${(e as Error).message}`,
            {
              cause: e,
              context: { registryId, kind: r.kind },
            },
          ),
        );
      }
      for (const f of avroTypeOf(r.kind, specs).timestamps)
        if (typeof obj[f] === 'number') obj[f] = new Date(obj[f] as number).toISOString();
      return parseRecordOfKind(r.kind, { ...obj }, specs);
    },
  };
}
