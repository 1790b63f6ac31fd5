import type { FieldType } from '../fields';
import { fieldsOf, RECORD_KINDS, RECORD_SPECS, type RecordSpec, type RecordSpecs } from '../specs';

export interface AvroSchema {
  type: 'record';
  name: string;
  namespace: string;
  doc: string;
  fields: Array<{ name: string; type: unknown; doc: string; default?: null }>;
}

// Decimals are Avro strings: Avro's decimal needs one fixed scale, and Qi prices
// span 1e-12..1e12 and beyond, so the exact text is carried instead.
const AVRO_TYPES: Record<FieldType, unknown> = {
  text: 'string',
  kind: 'string',
  decimal: 'string',
  integer: 'long',
  timestamp: { type: 'long', logicalType: 'timestamp-millis' },
};

export function avroSchema(spec: RecordSpec<string>): AvroSchema {
  return {
    type: 'record',
    name: `${spec.kind[0]!.toUpperCase()}${spec.kind.slice(1)}Record`,
    namespace: 'dev.qi.dsl',
    doc: `${spec.description} (schema version ${spec.version})`,
    fields: fieldsOf(spec).map((f) =>
      f.nullable
        ? { name: f.name, type: ['null', AVRO_TYPES[f.type]], doc: f.description, default: null }
        : { name: f.name, type: AVRO_TYPES[f.type], doc: f.description },
    ),
  };
}

export function generateAvroSchemas(specs: RecordSpecs = RECORD_SPECS): Record<string, AvroSchema> {
  return Object.fromEntries(RECORD_KINDS.map((k) => [k, avroSchema(specs[k])]));
}
