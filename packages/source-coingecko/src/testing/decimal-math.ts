/**
 * Just enough exact decimal arithmetic for the stand-in to serve prices that
 * no JS number can hold (1234567890123.45678, 0.000000001234…) and still move.
 */
export interface Dec {
  units: bigint;
  scale: number;
}

export function dec(s: string): Dec {
  const neg = s.startsWith('-');
  const [int = '0', frac = ''] = (neg ? s.slice(1) : s).split('.');
  const units = BigInt(int + frac);
  return { units: neg ? -units : units, scale: frac.length };
}

export function str(d: Dec): string {
  const neg = d.units < 0n;
  const digits = (neg ? -d.units : d.units).toString().padStart(d.scale + 1, '0');
  const int = digits.slice(0, digits.length - d.scale);
  const frac = digits.slice(digits.length - d.scale).replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

const rescale = (d: Dec, scale: number): bigint => d.units * 10n ** BigInt(scale - d.scale);

export function add(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function mul(a: Dec, b: Dec): Dec {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** `k` units of the digit three places below the last one of `d`: a move that keeps d's digits and adds three. */
export function nudge(d: Dec, k: number): Dec {
  return add(d, { units: BigInt(k), scale: d.scale + 3 });
}

export const cmp = (a: Dec, b: Dec): number => {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
};
