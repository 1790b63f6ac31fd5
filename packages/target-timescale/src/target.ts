import {
  BaseWriter,
  CoreErrors,
  type PluginContext,
  qiError,
  type RecordKind,
  type RecordSpecs,
  workflowOptions,
} from '@qi/core';
import { type Db, pq } from './client';
import { configSchema, type TimescaleTargetConfig, type TimescaleTargetConfigInput } from './config';
import { type LatestPricesQuery, type OhlcvQuery, queryLatestPrices, queryOhlcv } from './queries';
import { type Connected, createTimescaleHandler, type TimescaleHandler } from './writer';

/**
 * The full Writer (BaseWriter: validation, batching, retries, breaker,
 * bisection) plus read access to what it wrote, for tests and the MCP package.
 */
export class TimescaleWriter extends BaseWriter {
  readonly config: TimescaleTargetConfig;
  private readonly ts: TimescaleHandler;

  constructor(
    config: TimescaleTargetConfig,
    ctx: Pick<PluginContext, 'name' | 'logger' | 'metrics' | 'pipeline' | 'baseDir'>,
    opts: { specs?: RecordSpecs } = {},
  ) {
    const handler = createTimescaleHandler(config, {
      logger: ctx.logger,
      baseDir: ctx.baseDir,
      ...(opts.specs ? { specs: opts.specs } : {}),
    });
    super({ ...workflowOptions(config, ctx), handler, ...(opts.specs ? { specs: opts.specs } : {}) });
    this.config = config;
    this.ts = handler;
  }

  private async live(): Promise<Connected> {
    const init = await this.init();
    if (!init.ok) throw init.error;
    const c = this.ts.connected();
    if (!c) throw qiError(CoreErrors.CLOSED, `writer ${this.name} is closed`);
    return c;
  }

  /** The pg-promise database (connects and prepares the schema first). */
  async db(): Promise<Db> {
    return (await this.live()).client.db;
  }

  /** The quoted, schema-qualified table of a kind, e.g. "public"."prices". */
  async table(kind: RecordKind): Promise<string> {
    return (await this.live()).tables[kind].qualified;
  }

  /** Runs one parameterized statement (values are bound, never formatted into the SQL). */
  async query<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.db()).any<T>(pq(text, values));
  }

  async latestPrices(q: LatestPricesQuery = {}): Promise<Record<string, unknown>[]> {
    const c = await this.live();
    return queryLatestPrices(c.client.db, c.tables.price.qualified, q);
  }

  async ohlcv(q: OhlcvQuery): Promise<Record<string, unknown>[]> {
    const c = await this.live();
    return queryOhlcv(c.client.db, c.tables.ohlcv.qualified, q);
  }

  /** How batches went in so far: rows by COPY direct, COPY staged, INSERT, and key conflicts seen. */
  get writeStats() {
    return { ...this.ts.stats };
  }
}

/** A writer from raw (unparsed) config: parses with the plugin's schema, throws on invalid config. */
export function createTimescaleWriter(
  config: TimescaleTargetConfigInput,
  ctx: Pick<PluginContext, 'name' | 'logger' | 'metrics' | 'pipeline' | 'baseDir'>,
  opts: { specs?: RecordSpecs } = {},
): TimescaleWriter {
  return new TimescaleWriter(configSchema.parse(config), ctx, opts);
}
