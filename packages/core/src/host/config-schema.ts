import { z } from 'zod';
import { RECORD_KINDS } from '../dsl/specs';

/** `use` + `with`: which plugin, and its own config (validated by the plugin's schema). */
const pluginRef = {
  use: z
    .string()
    .min(1)
    .describe('plugin package name (e.g. "@qi/target-timescale") or a built-in ("stdout", "file")'),
  with: z.record(z.string(), z.unknown()).default({}).describe("the plugin's own configuration"),
};

export const targetConfigSchema = z.strictObject({
  ...pluginRef,
  name: z
    .string()
    .min(1)
    .optional()
    .describe('instance name in logs and metrics (default: the plugin name, or name#index)'),
  kinds: z
    .array(z.enum(RECORD_KINDS))
    .min(1)
    .optional()
    .describe(
      'only records of these kinds go to this target (default: every kind); the others are counted in qi_records_filtered_total',
    ),
  required: z
    .boolean()
    .default(true)
    .describe('the source position is committed only after every required target acknowledged a batch'),
  onError: z
    .enum(['fail', 'dead-letter', 'skip-target'])
    .default('fail')
    .describe(
      'when a batch cannot be written after retries: stop the pipeline (fail), send the batch to the dead-letter destination, or drop it for this target (skip-target)',
    ),
});

export const pipelineConfigSchema = z.strictObject({
  source: z.strictObject(pluginRef).describe('where records come from'),
  targets: z.array(targetConfigSchema).min(1).describe('where records go, in parallel'),
  deadLetter: z
    .strictObject(pluginRef)
    .optional()
    .describe('where invalid and refused records go (default: file .qi/dead-letter/<pipeline>.ndjson)'),
  maxInFlight: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(4)
    .describe('batches being delivered at once (backpressure bound)'),
});

export const qiConfigSchema = z.strictObject({
  $schema: z
    .string()
    .optional()
    .describe('the JSON Schema of this file, for editors (`qi schema config`); ignored by the host'),
  pipelines: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, 'pipeline names use letters, digits, _ . -'),
      pipelineConfigSchema,
    )
    .refine((p) => Object.keys(p).length > 0, 'declare at least one pipeline'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  metrics: z
    .object({
      port: z
        .number()
        .int()
        .min(0)
        .max(65535)
        .describe('serve /metrics, /healthz, /ready and /status on this port'),
      host: z.string().default('127.0.0.1'),
    })
    .optional()
    .describe('Prometheus metrics and health endpoints'),
  health: z
    .strictObject({
      sourceFailures: z
        .number()
        .int()
        .min(1)
        .default(3)
        .describe('consecutive failed source reads after which /healthz turns 503'),
      breakerOpenMs: z
        .number()
        .int()
        .min(0)
        .default(60_000)
        .describe("how long a target's circuit breaker may stay open before /healthz turns 503, ms"),
      maxDeliveryAgeMs: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe("/healthz turns 503 when a target's last delivery is older than this, ms (0: never)"),
    })
    .prefault({})
    .describe('when /healthz reports a pipeline unhealthy'),
  startTimeoutMs: z
    .number()
    .int()
    .min(0)
    .default(300_000)
    .describe(
      'how long plugins may take to start (a database or broker that is down or booting is retried with backoff), ms; 0: no limit',
    ),
  dataDir: z
    .string()
    .default('.qi')
    .describe(
      'folder for local state (embedded database, default dead letters), relative to the config file',
    ),
});

export type QiConfig = z.output<typeof qiConfigSchema>;
export type QiConfigInput = z.input<typeof qiConfigSchema>;
export type PipelineConfig = z.output<typeof pipelineConfigSchema>;
export type TargetConfig = z.output<typeof targetConfigSchema>;

type PipelineInput = z.input<typeof pipelineConfigSchema>;
type TargetInput = z.input<typeof targetConfigSchema>;
type AnyRef = { use: string; with?: Record<string, unknown> };

/**
 * `use` + `with` typed by a map of plugin name → config input type. With an empty map
 * (the default) any plugin and any `with`; with a map, only its plugins (and the
 * built-ins `stdout` and `file`), each `with` checked by its own type.
 */
export type PluginRefInput<P> = [keyof P] extends [never]
  ? AnyRef
  :
      | { [K in keyof P & string]: { use: K; with?: P[K] } }[keyof P & string]
      | { use: 'stdout' | 'file'; with?: Record<string, unknown> };

/** A config whose `with`s are typed by `P` (see {@link PluginRefInput}). */
export type TypedConfigInput<P = Record<never, never>> = Omit<QiConfigInput, 'pipelines'> & {
  pipelines: Record<
    string,
    Omit<PipelineInput, 'source' | 'targets' | 'deadLetter'> & {
      source: PluginRefInput<P>;
      targets: Array<Omit<TargetInput, 'use' | 'with'> & PluginRefInput<P>>;
      deadLetter?: PluginRefInput<P>;
    }
  >;
};

/**
 * Identity function that types a `qi.config.ts`. Give it the config types the plugin
 * packages export to type their `with`:
 * `defineConfig<{ '@qi/target-timescale': TimescaleTargetConfigInput }>({ ... })`.
 */
export function defineConfig<P extends object = Record<never, never>>(
  config: TypedConfigInput<P>,
): TypedConfigInput<P> {
  return config;
}
