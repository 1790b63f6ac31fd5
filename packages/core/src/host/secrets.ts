import type { z } from 'zod';

/**
 * Secret values known to this process (from config fields marked secret).
 * Logs and CLI error output pass through `scrub`, so a secret never reaches
 * them even when a vendor error message quotes it back.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();

  add(value: unknown): void {
    if (typeof value !== 'string' || value.length < 4) return;
    const parts = urlSecrets(value);
    if (parts) for (const p of parts) this.values.add(p);
    else this.values.add(value);
  }

  scrub(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('[redacted]');
    // credentials inside URLs: scheme://user:pass@host
    return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]+:)[^@\s"]+@/gi, '$1[redacted]@');
  }
}

// query parameters of a connection URL that carry credentials (libpq's password, sslkey, …)
const SECRET_PARAM = /pass|secret|token|key|auth|cred/i;
const CONNECTION_SCHEME = /^(postgres(ql)?|mysql|mariadb|mongodb(\+srv)?|rediss?|amqps?|nats|tls):\/\//i;

/**
 * The secret parts of a secret connection URL (`postgres://qi:pw@db:5432/market`): its
 * password and credential-like query values, so logs still say which host and database;
 * undefined for anything else, which is then secret whole.
 */
function urlSecrets(value: string): string[] | undefined {
  // only connection strings: in an https URL (a webhook) the path itself may be the secret
  if (!CONNECTION_SCHEME.test(value)) return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  const parts = [u.password, ...[...u.searchParams].filter(([k]) => SECRET_PARAM.test(k)).map(([, v]) => v)];
  return parts.flatMap((p) => [p, safeDecode(p)]).filter((p) => p.length >= 4);
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const isSecret = (s: z.ZodType): boolean => (s.meta() as { secret?: boolean } | undefined)?.secret === true;

/** Walks a schema alongside a parsed value, collecting the values of fields marked secret. */
export function collectSecrets(schema: z.ZodType, value: unknown, registry: SecretRegistry): void {
  if (isSecret(schema)) registry.add(value);
  const def = (schema as unknown as { def: Record<string, unknown> }).def;
  switch (def.type) {
    case 'object': {
      const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
      if (value && typeof value === 'object')
        for (const [k, s] of Object.entries(shape))
          collectSecrets(s, (value as Record<string, unknown>)[k], registry);
      return;
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      collectSecrets(def.innerType as z.ZodType, value, registry);
      return;
    case 'pipe':
      collectSecrets(def.in as z.ZodType, value, registry);
      collectSecrets(def.out as z.ZodType, value, registry);
      return;
    case 'array':
      if (Array.isArray(value)) for (const v of value) collectSecrets(def.element as z.ZodType, v, registry);
      return;
    case 'union':
      for (const o of def.options as z.ZodType[]) collectSecrets(o, value, registry);
      return;
    default:
  }
}

/** A copy of a config value with secret fields replaced, for display. */
export function redactValue(value: unknown, registry: SecretRegistry): unknown {
  return JSON.parse(registry.scrub(JSON.stringify(value ?? null)));
}
