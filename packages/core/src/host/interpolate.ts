/**
 * `${VAR}` and `${VAR:-default}` from the environment, in every string of the
 * config. `$${` escapes a literal `${`. A variable without a default that is
 * not set (or set to an empty string) is an issue naming the path, never a
 * silent empty string: an unset `DATABASE_URL` must not quietly change where
 * records go.
 */
const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface InterpolationIssue {
  path: string;
  message: string;
}

const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*):-\}$/;

/**
 * An object value that is exactly `${VAR:-}` (an explicit empty default) with
 * VAR unset or empty means "not set": the key is left out, so the plugin's
 * default applies (e.g. no connection string → embedded database). Only the
 * explicit empty default does this; a bare `${VAR}` never drops a key.
 */
function leavesKeyOut(value: unknown, env: NodeJS.ProcessEnv): boolean {
  if (typeof value !== 'string') return false;
  const m = WHOLE.exec(value);
  return m !== null && !env[m[1]!];
}

export function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path = '',
  issues: InterpolationIssue[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const v = env[name!];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      issues.push({
        path,
        message:
          v === undefined
            ? `environment variable ${name} is not set (use \${${name}:-default} for a default, or \${${name}:-} to leave the key unset)`
            : `environment variable ${name} is set to an empty string (use \${${name}:-} to leave the key unset, or \${${name}:-default})`,
      });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`, issues));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => !leavesKeyOut(v, env))
        .map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k, issues)]),
    );
  }
  return value;
}
