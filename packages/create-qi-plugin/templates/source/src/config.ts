import { z } from '@qi/core';

/**
 * The plugin's config: `with:` of a source in qi.config.yaml. Every field has a
 * description (qi validate, the README table and the JSON Schema come from it).
 * TODO: replace `path` with your technology's settings (URL, API key, instruments,
 * poll interval…); wrap credentials in `secret()` from @qi/core so they never reach logs.
 */
export const configSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe(
      'NDJSON file of records the skeleton replays, relative to the config file; replace with your connection settings',
    ),
  batchSize: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(500)
    .describe('records per batch handed to the targets'),
});

export type PluginConfig = z.output<typeof configSchema>;
