import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Reader } from './contracts/reader';
import type { Writer } from './contracts/writer';
import type { RecordKind } from './dsl/records';
import type { QiMetrics } from './observability/metrics';
import type { Result } from './result';

/** The plugin API this host provides. Plugins declare the semver range they need. */
export const PLUGIN_API_VERSION = '1.0.0';

/** Brand checked by the host instead of instanceof, which breaks across two copies of core. */
export const PLUGIN_BRAND: unique symbol = Symbol.for('qi.plugin') as never;

export type PluginKind = 'source' | 'target';

export interface PluginContext {
  /** the instance name (e.g. the target's `name` in the config) */
  name: string;
  pipeline: string;
  logger: Logger;
  metrics: QiMetrics;
  signal: AbortSignal;
  /** the host's plugin API version */
  apiVersion: string;
  /** the directory of the config file: relative paths in plugin config resolve from here */
  baseDir: string;
}

/** What a plugin's `check` gets. */
export interface CheckContext {
  /** the directory of the config file: relative paths resolve from here */
  baseDir: string;
  /** false: static checks only, no network; true: also reach the service (`qi validate --connect`) */
  connect: boolean;
  /** aborted when the check takes too long: stop and return */
  signal: AbortSignal;
}

/** One thing a plugin checked, for `qi validate`. */
export interface CheckResult {
  /** what was checked, without secrets, e.g. "input file /data/in.ndjson", "PostgreSQL 127.0.0.1:5432/market" */
  what: string;
  /** why it failed; absent when it passed */
  problem?: string;
  /** the `with` field the problem is about, e.g. "path" or "brokers" */
  field?: string;
}

// method syntax: checked bivariantly, like `create` and `check`, so a plugin stays a QiPlugin
type ProducesFn<C> = { produces(config: C): readonly RecordKind[] }['produces'];

/** What `qi query` gets back from a target. */
export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** What a target's `query` gets. */
export interface QueryContext {
  /** the directory of the config file: relative paths resolve from here */
  baseDir: string;
  logger: Logger;
}

export interface PluginDefinition<K extends PluginKind = PluginKind, S extends z.ZodType = z.ZodType> {
  name: string;
  kind: K;
  /** semver range of the host plugin API this plugin works with, e.g. "^1.0.0" */
  apiVersion: string;
  description?: string;
  /**
   * Optional: the record kinds a source produces (given its config, as some kinds are
   * switched on and off there). `qi validate` warns when a target cannot take one of them.
   */
  produces?: readonly RecordKind[] | ProducesFn<z.output<S>>;
  /** Optional: the record kinds a target can write (absent: every kind). */
  accepts?: readonly RecordKind[];
  configSchema: S;
  create(
    config: z.output<S>,
    ctx: PluginContext,
  ): Promise<K extends 'source' ? Reader : Writer> | (K extends 'source' ? Reader : Writer);
  /**
   * Optional checks beyond the schema, made before anything runs and never writing:
   * without `ctx.connect` only static ones (a file exists, a client library is installed),
   * which every command that loads the config makes; with it (`qi validate --connect`),
   * also connect to the service and close again. A plugin without it is simply not checked.
   */
  check?(config: z.output<S>, ctx: CheckContext): Promise<CheckResult[]> | CheckResult[];
  /**
   * Optional, targets: one read-only query of what the target wrote (`qi query`), when the
   * pipeline does not run. It must not be able to write (e.g. a READ ONLY transaction).
   */
  query?(config: z.output<S>, text: string, ctx: QueryContext): Promise<Result<QueryResult>>;
}

export type QiPlugin<K extends PluginKind = PluginKind, S extends z.ZodType = z.ZodType> = PluginDefinition<
  K,
  S
> & {
  readonly [PLUGIN_BRAND]: true;
};

export type SourcePlugin<S extends z.ZodType = z.ZodType> = QiPlugin<'source', S>;
export type TargetPlugin<S extends z.ZodType = z.ZodType> = QiPlugin<'target', S>;

/** Makes a plugin: a plain branded object, the default export of a plugin package. */
export function definePlugin<K extends PluginKind, S extends z.ZodType>(
  def: PluginDefinition<K, S>,
): QiPlugin<K, S> {
  return Object.freeze({ ...def, [PLUGIN_BRAND]: true as const });
}

export function isQiPlugin(value: unknown): value is QiPlugin {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true
  );
}
