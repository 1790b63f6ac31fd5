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
        issues: r.error.issues.map((i) => ({
          path: joinPath(basePath, i.path),
          message: describeIssue(i, schema),
        })),
      };
  }
  return { ok: false, issues: [{ path: basePath, message: 'could not be parsed' }] };
}

/** The keys an object schema at `path` accepts (through optional, default, nullable and unions), best effort. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const unwrap = (s: unknown): unknown[] => {
    const def = (s as { def?: Record<string, unknown> } | undefined)?.def;
    if (!def) return [];
    if (def.type === 'object') return [s];
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === 'pipe') return unwrap(def.in);
    if (def.type === 'union') return (def.options as unknown[]).flatMap(unwrap);
    return [];
  };
  let candidates = unwrap(schema);
  for (const seg of path)
    candidates = unwrap(
      candidates
        .map((c) => (c as { shape: Record<PropertyKey, unknown> }).shape[seg])
        .find((x) => x !== undefined),
    );
  return candidates.flatMap((c) => Object.keys((c as { shape: object }).shape));
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = d[j]!;
      d[j] = next;
    }
  }
  return d[b.length]!;
}

/** "coinz" → "coins": the closest known key within a third of its length, case-insensitively. */
function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function describeIssue(i: z.core.$ZodIssue, schema?: z.ZodType): string {
  if (i.code === 'invalid_type') {
    const received = (i as { input?: unknown }).input;
    return `expected ${i.expected}, received ${received === undefined ? 'nothing (required)' : Array.isArray(received) ? 'array' : typeof received}`;
  }
  if (i.code === 'unrecognized_keys') {
    const known = schema ? keysAt(schema, i.path) : [];
    const keys = i.keys.map((k) => {
      const hint = didYouMean(k, known);
      return hint ? `"${k}" (did you mean "${hint}"?)` : `"${k}"`;
    });
    return `unknown key(s) ${keys.join(', ')}${known.length ? `; known keys: ${known.join(', ')}` : ''}`;
  }
  if (i.code === 'invalid_union') {
    // say what is wrong with the option the value was meant for (the one it has the type of)
    const branches = (i as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
    const typeMiss = (b: z.core.$ZodIssue[]) =>
      b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0;
    const meant = branches.find((b) => b.length > 0 && !typeMiss(b));
    if (meant)
      return meant
        .map((sub) => {
          const text = describeIssue({ ...sub, path: [...i.path, ...sub.path] } as z.core.$ZodIssue, schema);
          return sub.path.length ? `${joinPath('', sub.path)}: ${text}` : text;
        })
        .join('; ');
    const expected = branches
      .map((b) => (b[0] as { expected?: string } | undefined)?.expected)
      .filter(Boolean);
    if (expected.length) return `expected ${expected.join(' or ')}`;
  }
  if (i.code === 'invalid_value')
    return `expected one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return i.message;
}
