import { writerWorkflowShape, z } from '@qi/core';

/**
 * The plugin's config: `with:` of a target in qi.config.yaml. Every field has a
 * description (qi validate, the README table and the JSON Schema come from it).
 * TODO: replace `directory` with your technology's settings (URL, database or
 * topic names…); wrap credentials in `secret()` from @qi/core so they never reach logs.
 */
export const configSchema = z.strictObject({
  directory: z
    .string()
    .min(1)
    .default('.qi/__PLUGIN_SLUG__')
    .describe(
      'where the skeleton stores records (one NDJSON file per kind), relative to the config file; replace with your connection settings',
    ),
  // batchSize, lingerMs, concurrency, retry, breaker: the workflow @qi/core runs for every target
  ...writerWorkflowShape,
});

export type PluginConfig = z.output<typeof configSchema>;
