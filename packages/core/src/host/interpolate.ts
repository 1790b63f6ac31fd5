/**
 * `${VAR}` and `${VAR:-default}` from the environment, in every string of the
 * config. `$${` escapes a literal `${`. A missing variable without a default is
 * an issue naming the path, never a silent empty string.
 */
const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface InterpolationIssue {
  path: string;
  message: string;
}

export function interpolate(value: unknown, env: NodeJS.ProcessEnv, path = '', issues: InterpolationIssue[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const v = env[name!];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      issues.push({ path, message: `environment variable ${name} is not set (use \${${name}:-default} for a default)` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`, issues));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k, issues)]));
  }
  return value;
}

/** Numbers and booleans written as `${VAR}` arrive as strings; zod coerces where a schema says so. */
export function collectEnvRefs(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(PATTERN)) if (m[1]) out.add(m[1]);
  else if (Array.isArray(value)) value.forEach((v) => collectEnvRefs(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collectEnvRefs(v, out));
  return out;
}
