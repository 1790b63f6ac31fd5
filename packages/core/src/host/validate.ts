import type { z } from 'zod';

export interface ConfigIssue {
  /** e.g. "pipelines.prices.targets[1].with.brokers" */
  path: string;
  message: string;
}

export function joinPath(base: string, segs: readonly PropertyKey[]): string {
  let out = base;
  for (const s of segs) out += typeof s === 'number' ? `[${s}]` : out ? `.${String(s)}` : String(s);
  return out;
}

function getAt(obj: unknown, segs: readonly PropertyKey[]): unknown {
  return segs.reduce<unknown>(
    (o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined),
    obj,
  );
}

function setAt(obj: unknown, segs: readonly PropertyKey[], v: unknown): void {
  const parent = getAt(obj, segs.slice(0, -1));
  if (parent && typeof parent === 'object')
    (parent as Record<PropertyKey, unknown>)[segs[segs.length - 1]!] = v;
}

/**
 * Parses with a schema, reporting every issue as `path: message`. Values that
 * came from `${VAR}` are strings; where the schema wants a number or boolean
 * and the string is one, it is converted and parsing tried again.
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  input: unknown,
  basePath = '',
): { ok: true; value: z.output<S> } | { ok: false; issues: ConfigIssue[] } {
  const value = structuredClone(input);
  for (let round = 0; round < 50; round++) {
    const r = schema.safeParse(value, { reportInput: true });
    if (r.success) return { ok: true, value: r.data };
    let changed = false;
    for (const issue of r.error.issues) {
      if (issue.code !== 'invalid_type') continue;
      const current = getAt(value, issue.path);
      if (typeof current !== 'string') continue;
      if (issue.expected === 'number' && /^-?\d+(\.\d+)?$/.test(current.trim())) {
        setAt(value, issue.path, Number(current));
        changed = true;
      } else if (issue.expected === 'boolean' && /^(true|false)$/i.test(current.trim())) {
        setAt(value, issue.path, current.trim().toLowerCase() === 'true');
        changed = true;
      }
    }
    if (!changed)
      return {
        ok: false,
        issues: r.error.issues.map((i) => ({ path: joinPath(basePath, i.path), message: describeIssue(i) })),
      };
  }
  return { ok: false, issues: [{ path: basePath, message: 'could not be parsed' }] };
}

function describeIssue(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_type') {
    const received = (i as { input?: unknown }).input;
    return `expected ${i.expected}, received ${received === undefined ? 'nothing (required)' : Array.isArray(received) ? 'array' : typeof received}`;
  }
  if (i.code === 'unrecognized_keys') return `unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
  if (i.code === 'invalid_value')
    return `expected one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return i.message;
}
