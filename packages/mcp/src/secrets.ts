import { SecretRegistry, type z } from '@qi/core';

/**
 * Collects the values of config fields marked with core's `secret()`, so
 * messages sent to MCP clients never quote them. (Core's own walker is not
 * exported; this is the same walk, for the wrappers config schemas use.)
 */
export function secretsOf(
  schema: z.ZodType,
  value: unknown,
  registry = new SecretRegistry(),
): SecretRegistry {
  if ((schema.meta() as { secret?: boolean } | undefined)?.secret === true) registry.add(value);
  const def = (schema as unknown as { def: Record<string, unknown> }).def;
  switch (def.type) {
    case 'object':
      if (value && typeof value === 'object')
        for (const [k, s] of Object.entries(
          (schema as unknown as { shape: Record<string, z.ZodType> }).shape,
        ))
          secretsOf(s, (value as Record<string, unknown>)[k], registry);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      secretsOf(def.innerType as z.ZodType, value, registry);
      break;
    case 'pipe':
      secretsOf(def.in as z.ZodType, value, registry);
      break;
    case 'array':
      if (Array.isArray(value)) for (const v of value) secretsOf(def.element as z.ZodType, v, registry);
      break;
    case 'union':
      for (const o of def.options as z.ZodType[]) secretsOf(o, value, registry);
      break;
    default:
  }
  return registry;
}
