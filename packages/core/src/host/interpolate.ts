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

const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;

/**
 * A value that is exactly `${VAR:-}` and comes out empty means "not set": the
 * key is left out, so the plugin's default applies (e.g. no connection string →
 * embedded database).
 */
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
        message: `environment variable ${name} is not set (use \${${name}:-default} for a default)`,
      });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`, issues));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => !(typeof v === 'string' && WHOLE.test(v) && interpolate(v, env, '', []) === ''))
        .map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k, issues)]),
    );
  }
  return value;
}
