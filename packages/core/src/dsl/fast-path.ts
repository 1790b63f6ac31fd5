import type { MarketRecord } from './records';
import { fieldsOf, type RecordSpec } from './specs';

// Most records reach a writer already canonical (sources and the wire produce
// them that way). Checking that is ~10x cheaper than running the zod
// transforms, and zod still handles everything else, so outputs are identical.
const CANONICAL_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;
const CANONICAL_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Check = (v: unknown) => boolean;

const CHECKS: Record<string, Check> = {
  text: (v) => typeof v === 'string' && v.length >= 1 && v.length <= 512,
  decimal: (v) => typeof v === 'string' && CANONICAL_DECIMAL.test(v) && v !== '-0',
  integer: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
  timestamp: (v) => typeof v === 'string' && CANONICAL_TS.test(v) && new Date(v).toISOString() === v,
};

export type FastParser = (input: unknown) => MarketRecord | undefined;

const cache = new WeakMap<object, FastParser>();

/** A parser that accepts only records already in canonical form, else returns undefined. */
export function fastParser(spec: RecordSpec<string>): FastParser {
  const cached = cache.get(spec.schema);
  if (cached) return cached;
  const fields = fieldsOf(spec).map((f) => ({ name: f.name, nullable: f.nullable, check: f.type === 'kind' ? (v: unknown) => v === spec.kind : CHECKS[f.type]! }));
  const parser: FastParser = (input) => {
    if (typeof input !== 'object' || input === null) return undefined;
    const r = input as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = r[f.name];
      if (v === undefined || v === null) {
        if (!f.nullable) return undefined;
        out[f.name] = null;
      } else if (f.check(v)) out[f.name] = v;
      else return undefined;
    }
    return out as unknown as MarketRecord;
  };
  cache.set(spec.schema, parser);
  return parser;
}
