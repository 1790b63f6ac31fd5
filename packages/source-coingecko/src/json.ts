import { parseJsonLossless } from '@qi/core';

/**
 * CoinGecko JSON without precision loss: every number comes back as its exact
 * source text (a string), so 1234567890123.45678 and 0.000000001234 reach the DSL
 * digit for digit. Core's lossless parser, in its numbers-as-text mode.
 */
export function parseExactJson(text: string): unknown {
  return parseJsonLossless(text, { numbersAsText: true });
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
