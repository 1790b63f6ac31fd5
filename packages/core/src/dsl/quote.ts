/** Longest part of a received value an error message repeats. */
export const QUOTE_MAX_CHARS = 40;

/**
 * A received value for an error message: JSON-quoted, cut to a short prefix with
 * its full length, so a 1 MB bad value makes a reason of a few dozen bytes (reasons
 * go to logs and into every dead letter; the record itself travels beside them).
 */
export function quoteValue(value: unknown, max = QUOTE_MAX_CHARS): string {
  const s = typeof value === 'string' ? value : value === undefined ? 'undefined' : safeString(value);
  if (s.length <= max) return JSON.stringify(s);
  return `${JSON.stringify(s.slice(0, max))}… (${s.length} chars)`;
}

function safeString(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
