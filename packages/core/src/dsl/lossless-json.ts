import { normalizeDecimal } from './decimal';

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

export interface LosslessJsonOptions {
  /** every number as its source text (a string), exact or not; default: only those a double would change */
  numbersAsText?: boolean;
}

/**
 * A number literal is kept as a JS number only when the double denotes exactly the
 * decimal its source text denotes (`12`, `0.5`, `1e3`, `-0`); otherwise it comes back
 * as the source text (`"3456789012345678.123456789"`, `"0.99999999999999999"`), which
 * the DSL's decimals take digit for digit. Decided from the text, never from the
 * double: a double that happens to be a safe integer can still be a rounded literal.
 */
function exactOrText(value: number, source: string): number | string {
  const shortest = String(value);
  if (shortest === source) return value; // the common case: no parse needed
  const exact = normalizeDecimal(shortest); // undefined for Infinity (1e999): kept as text
  return exact !== undefined && exact === normalizeDecimal(source) ? value : source;
}

const auto: Reviver = (_key, value, context) =>
  typeof value === 'number' && context?.source !== undefined ? exactOrText(value, context.source) : value;

const text: Reviver = (_key, value, context) =>
  typeof value === 'number' && context?.source !== undefined ? context.source : value;

/**
 * JSON.parse without precision loss, for every path where JSON enters Qi (file
 * source, Kafka messages, HTTP APIs). Uses the reviver's source text (Node >= 21,
 * TC39 JSON.parse source text access): no second parser. Throws SyntaxError on bad JSON.
 */
export function parseJsonLossless(json: string, opts: LosslessJsonOptions = {}): unknown {
  return JSON.parse(json, (opts.numbersAsText ? text : auto) as Parameters<typeof JSON.parse>[1]);
}
