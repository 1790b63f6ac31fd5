/**
 * JSON without precision loss: every number is kept as its source text, so
 * 1234567890123.45678 and 0.000000001234 reach the DSL digit for digit (the
 * DSL's decimals are strings). Needs the reviver's third argument (Node >= 21).
 */
type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

const keepSource: Reviver = (_key, value, context) =>
  typeof value === 'number' && context?.source !== undefined ? context.source : value;

/** Parses JSON; numbers come back as their exact source text (strings). Throws SyntaxError on bad JSON. */
export function parseExactJson(text: string): unknown {
  return JSON.parse(text, keepSource as Parameters<typeof JSON.parse>[1]);
}

/** A number field read by parseExactJson: its text, or null when absent, null or not numeric. */
export function num(value: unknown): string | null {
  if (typeof value === 'string' && value !== '' && Number.isFinite(Number(value))) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** An integer-valued field (epoch seconds, counts) as a JS number, or null. */
export function int(value: unknown): number | null {
  const s = num(value);
  if (s === null) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : Math.trunc(n);
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
