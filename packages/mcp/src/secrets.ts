import { collectSecrets, SecretRegistry, type z } from '@qi/core';

/** The values of config fields marked with core's `secret()`, so messages sent to MCP clients never quote them. */
export function secretsOf(
  schema: z.ZodType,
  value: unknown,
  registry = new SecretRegistry(),
): SecretRegistry {
  collectSecrets(schema, value, registry);
  return registry;
}
