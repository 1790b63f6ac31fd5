import { z } from 'zod';
import { RECORD_KINDS, RECORD_SPECS, type RecordSpecs } from '../specs';

/** JSON Schema (draft 2020-12) of each kind's wire form: decimals are strings, timestamps ISO strings. */
export function generateJsonSchemas(specs: RecordSpecs = RECORD_SPECS): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kind of RECORD_KINDS) {
    const spec = specs[kind];
    out[kind] = {
      ...(z.toJSONSchema(spec.schema, { io: 'output', unrepresentable: 'any' }) as object),
      $id: `https://qi.dev/schemas/${kind}.v${spec.version}.json`,
      title: `qi.${kind}`,
      description: spec.description,
    };
  }
  return out;
}
