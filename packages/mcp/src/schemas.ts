import { RECORD_KINDS, RECORD_SPECS, type RecordKind, type RecordSpecs } from '@qi/core';
import { z } from 'zod';

/**
 * Tool schemas. The record schemas come from core's DSL (zod), input side:
 * what a client may send (decimals as strings or numbers, timestamps as ISO
 * strings or epoch ms, defaults for exchange/vs_currency).
 *
 * Why records are not parsed by the SDK: the SDK validates a tool's arguments
 * as a whole, so one bad record would fail the whole call. Records are instead
 * validated one by one by the writer (core's same schemas), and a bad record
 * comes back as `rejected` with its reason while the rest is written. The
 * advertised JSON Schema is still exactly core's, converted by zod.
 */
type Json = Record<string, unknown>;

// JSON-RPC arguments reach the server already parsed by the SDK, so a number
// literal has become a double before Qi sees it: only a string keeps every digit.
const DECIMAL_HINT =
  'send it as a string (e.g. "67012.25") to keep every digit; a JSON number is exact only within double precision (about 15 significant digits)';
const HINTS: Record<string, string> = {
  decimal: `a decimal number; ${DECIMAL_HINT}`,
  amount: `a decimal number >= 0; ${DECIMAL_HINT}`,
  timestamp:
    'an instant on or after 2009-01-01, at most 5 minutes ahead of the server clock: ISO-8601 with a zone (e.g. "2025-01-31T12:00:00Z") or epoch milliseconds',
};

/** Drops what JSON cannot carry (bigint, Date branches) and Qi's generator tags from a converted schema. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$schema' || k === 'qiType' || k === 'nonNegative') continue;
    if (k === 'anyOf' && Array.isArray(v)) {
      const kept = v.filter((b) => !(b && typeof b === 'object' && Object.keys(b).length === 0)).map(tidy);
      if (kept.length === 1) Object.assign(out, kept[0] as Json);
      else out.anyOf = kept;
      continue;
    }
    out[k] = tidy(v);
  }
  const n = node as Json;
  const hint = HINTS[n.qiType === 'decimal' && n.nonNegative ? 'amount' : (n.qiType as string)];
  if (hint) out.description = `${out.description ?? ''} (${hint})`.trim();
  return out;
}

/** JSON Schema (draft-07, like the SDK's) of one record kind as clients send it. */
export function recordJsonSchema(
  kind: RecordKind,
  opts: { kindRequired: boolean; specs?: RecordSpecs },
): Json {
  const spec = (opts.specs ?? RECORD_SPECS)[kind];
  let schema = spec.schema;
  if (!opts.kindRequired) schema = schema.extend({ kind: (schema.shape.kind as z.ZodType).optional() });
  const json = tidy(
    z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }),
  ) as Json;
  return { ...json, title: `qi.${kind}`, description: spec.description };
}

/** A records argument: advertised with the DSL schema, accepted as any value (see the note above). */
function recordItem(json: Json) {
  return z.unknown().meta(json);
}

export const MAX_RECORDS_PER_CALL = 100_000;

export function recordsArg(kind: RecordKind | 'batch', specs: RecordSpecs = RECORD_SPECS) {
  const item =
    kind === 'batch'
      ? recordItem({
          anyOf: RECORD_KINDS.map((k) => recordJsonSchema(k, { kindRequired: true, specs })),
          description: 'a record of any kind; its "kind" field says which',
        })
      : recordItem(recordJsonSchema(kind, { kindRequired: false, specs }));
  return z
    .array(item)
    .min(1)
    .max(MAX_RECORDS_PER_CALL)
    .describe(
      kind === 'batch'
        ? 'records of any kinds mixed, each with its "kind" (price, ohlcv, analytics, level1)'
        : `${kind} records ("kind" may be omitted)`,
    );
}

/** The QiError a failed tool call carries in structuredContent.error. */
export const toolErrorShape = z
  .object({
    code: z
      .string()
      .describe('stable error code, e.g. QI_RETRIES_EXHAUSTED, QI_TARGET_TIMESCALE_UNAVAILABLE'),
    message: z.string(),
    category: z.string().describe('validation, config, network, unavailable, rate-limit, auth, data, …'),
    retryable: z.boolean().describe('true when the same call may succeed later: retry with backoff'),
    retryAfterMs: z.number().optional().describe('suggested wait before retrying, ms'),
  })
  .describe('present when ok is false');

export const recordResultShape = z.object({
  index: z.number().int().describe('position of the record in the call'),
  status: z.enum(['written', 'rejected']),
  code: z.string().optional().describe('why it was rejected: a stable error code'),
  reason: z.string().optional().describe('why it was rejected, naming the field'),
  category: z.string().optional().describe('error category of the rejection (validation or data)'),
  stage: z.enum(['validation', 'write']).optional().describe('rejected on validation, or by the destination'),
});
export type RecordResult = z.output<typeof recordResultShape>;

export const reportArg = z
  .enum(['all', 'rejected'])
  .default('all')
  .describe(
    '"all": one result per record (default); "rejected": only the rejected records, for bulk writers',
  );

export const publishOutput = {
  kind: z.string().describe('the record kind of the tool, or "batch"'),
  written: z.number().int().describe('records durably written (acknowledged by the destination)'),
  rejected: z.number().int().describe('records refused; see results for each reason'),
  results: z
    .array(recordResultShape)
    .describe('one entry per record sent, in order (with report "rejected": the rejected ones only)'),
};
export type PublishOutput = { [K in keyof typeof publishOutput]: z.output<(typeof publishOutput)[K]> };
