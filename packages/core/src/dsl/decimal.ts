/**
 * Prices travel as decimal strings: a JS number cannot hold 1234567890123.45678,
 * and NUMERIC, JSON strings and Avro strings keep every digit. Inputs may be
 * numbers (their shortest round-trip form is taken), bigints or numeric strings.
 */
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Canonical plain-notation decimal ("-0.000000001234"), or undefined if not a finite number. */
export function normalizeDecimal(input: string | number | bigint): string | undefined {
  if (typeof input === 'bigint') return input.toString();
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    input = String(input);
  }
  const m = DECIMAL_RE.exec(input.trim());
  if (!m) return undefined;
  const [, sign = '', intPart = '', fracPart = '', expPart] = m;
  if (intPart === '' && fracPart === '') return undefined;
  let digits = intPart + fracPart;
  let point = intPart.length; // position of the decimal point within digits
  if (expPart !== undefined) {
    const exp = Number(expPart);
    if (!Number.isSafeInteger(exp) || Math.abs(exp) > 1000) return undefined;
    point += exp;
  }
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  } else if (point > digits.length) {
    digits = digits + '0'.repeat(point - digits.length);
  }
  const int = digits.slice(0, point).replace(/^0+/, '') || '0';
  const frac = digits.slice(point).replace(/0+$/, '');
  const zero = int === '0' && frac === '';
  const out = frac ? `${int}.${frac}` : int;
  return sign === '-' && !zero ? `-${out}` : out;
}

export function isDecimalString(s: string): boolean {
  return normalizeDecimal(s) === s;
}
