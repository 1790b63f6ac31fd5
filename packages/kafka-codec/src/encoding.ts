import {
  avroSchema,
  err,
  fieldsOf,
  type MarketRecord,
  parseJsonLossless,
  parseRecordOfKind,
  qiError,
  quoteValue,
  RECORD_SPECS,
  type RecordKind,
  type RecordSpecs,
  type Result,
} from '@qi/core';
import avro from 'avsc';
import { CodecErrors } from './errors';

export type Serialization = 'json' | 'avro';

/** Header names every message carries. */
export const HEADERS = {
  contentType: 'content-type',
  schema: 'qi-schema',
  schemaVersion: 'qi-schema-version',
  source: 'qi-source',
  fingerprint: 'qi-schema-fingerprint',
} as const;

export const CONTENT_TYPES = {
  json: 'application/json',
  avro: 'avro/binary',
  /** Confluent wire format (magic byte, schema id, Avro body); the schema is in the registry */
  confluent: 'application/vnd.confluent.avro',
} as const;

interface AvroKind {
  type: avro.Type;
  fingerprint: string;
  /** timestamp fields: ISO strings in the DSL, long timestamp-millis in Avro */
  timestamps: string[];
}

const avroCache = new WeakMap<RecordSpecs, Map<string, AvroKind>>();

/** The avsc type of a kind, built from core's avroSchema(spec), with its SHA-256 fingerprint (hex). */
export function avroTypeOf(kind: RecordKind, specs: RecordSpecs = RECORD_SPECS): AvroKind {
  let byKind = avroCache.get(specs);
  if (!byKind) {
    byKind = new Map();
    avroCache.set(specs, byKind);
  }
  let a = byKind.get(kind);
  if (!a) {
    const spec = specs[kind];
    const type = avro.Type.forSchema(avroSchema(spec) as avro.Schema);
    a = {
      type,
      fingerprint: type.fingerprint('sha256').toString('hex'),
      timestamps: fieldsOf(spec)
        .filter((f) => f.type === 'timestamp')
        .map((f) => f.name),
    };
    byKind.set(kind, a);
  }
  return a;
}

export interface EncodedRecord {
  value: Buffer;
  /** shared between records of the same kind and source: read-only (frozen) */
  headers: Readonly<Record<string, string>>;
}

// One frozen headers object per (format, kind, version, fingerprint) and source: a batch shares
// a handful instead of allocating one per message; looked up without building a string key.
const headerCache = new WeakMap<object, Map<string, Readonly<Record<string, string>>>>();

/** `group` is the kind's RecordSpec (JSON) or AvroKind (Avro): one identity per format, kind and schema. */
function headersFor(
  group: object,
  serialization: Serialization | 'confluent',
  record: MarketRecord,
  version: number,
  fingerprint?: string,
): Readonly<Record<string, string>> {
  let bySource = headerCache.get(group);
  if (!bySource) {
    bySource = new Map();
    headerCache.set(group, bySource);
  }
  let h = bySource.get(record.source);
  if (!h) {
    if (bySource.size >= 1024) bySource.clear();
    h = Object.freeze({
      [HEADERS.contentType]: CONTENT_TYPES[serialization],
      [HEADERS.schema]: record.kind,
      [HEADERS.schemaVersion]: String(version),
      [HEADERS.source]: record.source,
      ...(fingerprint ? { [HEADERS.fingerprint]: fingerprint } : {}),
    });
    bySource.set(record.source, h);
  }
  return h;
}

/** DSL record -> message value and headers. Throws on a record the format cannot carry (a `data` error). */
export function encodeRecord(
  record: MarketRecord,
  serialization: Serialization = 'json',
  specs: RecordSpecs = RECORD_SPECS,
): EncodedRecord {
  const spec = specs[record.kind];
  if (serialization === 'json')
    return {
      value: Buffer.from(JSON.stringify(record)),
      headers: headersFor(spec, 'json', record, spec.version),
    };
  const a = avroTypeOf(record.kind, specs);
  return { value: avroBody(a, record), headers: headersFor(a, 'avro', record, spec.version, a.fingerprint) };
}

function avroBody(a: AvroKind, record: MarketRecord): Buffer {
  const obj: Record<string, unknown> = { ...record };
  for (const f of a.timestamps) if (typeof obj[f] === 'string') obj[f] = Date.parse(obj[f] as string);
  return a.type.toBuffer(obj);
}

/**
 * DSL record -> Confluent wire format (`frame(id, avro body)`, the registry
 * client's framing) under the schema id registered for its topic. The headers
 * are Qi's (kind, version, source); Confluent consumers ignore them.
 */
export function encodeConfluent(
  record: MarketRecord,
  id: number,
  frame: (id: number, body: Buffer) => Buffer,
  specs: RecordSpecs = RECORD_SPECS,
): EncodedRecord {
  const a = avroTypeOf(record.kind, specs);
  let group = confluentGroups.get(a);
  if (!group) {
    group = {};
    confluentGroups.set(a, group);
  }
  return {
    value: frame(id, avroBody(a, record)),
    headers: headersFor(group, 'confluent', record, specs[record.kind].version),
  };
}

// Confluent messages share headers per kind, apart from Qi Avro's (those carry the fingerprint)
const confluentGroups = new WeakMap<AvroKind, object>();

/**
 * Message value + headers -> validated DSL record. The format comes from the
 * content-type header (JSON when absent); Avro needs the kind header and a
 * fingerprint that matches this build's schema (else SCHEMA_MISMATCH).
 */
export function decodeRecord(
  value: Buffer | null,
  headers: Record<string, string> = {},
  specs: RecordSpecs = RECORD_SPECS,
): Result<MarketRecord> {
  if (!value) return err(qiError(CodecErrors.DECODE, 'message has no value (tombstone)'));
  const contentType = headers[HEADERS.contentType] ?? CONTENT_TYPES.json;
  let obj: Record<string, unknown>;
  let kind = headers[HEADERS.schema] as RecordKind | undefined;
  try {
    if (contentType === CONTENT_TYPES.avro) {
      if (!kind || !(kind in specs))
        return err(
          qiError(
            CodecErrors.DECODE,
            `Avro message without a known ${HEADERS.schema} header (got ${quoteValue(kind)})`,
          ),
        );
      const a = avroTypeOf(kind, specs);
      const fp = headers[HEADERS.fingerprint];
      if (fp && fp !== a.fingerprint) {
        return err(
          qiError(
            CodecErrors.SCHEMA_MISMATCH,
            `Avro ${kind} message written with schema ${fp.slice(0, 12)}…, this reader has ${a.fingerprint.slice(0, 12)}… (schema version ${headers[HEADERS.schemaVersion] ?? '?'})`,
            { context: { kind, fingerprint: fp } },
          ),
        );
      }
      obj = a.type.fromBuffer(value) as Record<string, unknown>;
      for (const f of a.timestamps)
        if (typeof obj[f] === 'number') obj[f] = new Date(obj[f] as number).toISOString();
    } else if (contentType === CONTENT_TYPES.json) {
      // other producers may write decimals as number literals: keep their digits
      obj = parseJsonLossless(value.toString('utf8')) as Record<string, unknown>;
      kind ??= obj.kind as RecordKind;
    } else {
      return err(qiError(CodecErrors.DECODE, `unsupported content-type ${JSON.stringify(contentType)}`));
    }
  } catch (e) {
    return err(
      qiError(CodecErrors.DECODE, `cannot decode ${contentType} message: ${(e as Error).message}`, {
        cause: e,
      }),
    );
  }
  if (!kind || !(kind in specs))
    return err(qiError(CodecErrors.DECODE, `message of unknown kind ${quoteValue(kind)}`));
  return parseRecordOfKind(kind, obj, specs);
}
