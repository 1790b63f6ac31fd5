import type { Logger } from 'pino';
import type {
  Level1Query,
  OhlcvQuery,
  Reader,
  ReaderHandler,
  SourceBatch,
  StreamOptions,
} from '../contracts/reader';
import type {
  AnalyticsRecord,
  Level1Record,
  MarketRecord,
  OhlcvRecord,
  PriceRecord,
  RecordKind,
} from '../dsl/records';
import { RECORD_SPECS, type RecordSpecs } from '../dsl/specs';
import { type ParseOptions, parseRecord, parseRecordOfKind } from '../dsl/validate';
import { CoreErrors, isQiError, type QiError, qiError, toQiError } from '../errors';
import { silentLogger } from '../observability/logger';
import { err, ok, type Result } from '../result';
import { type BreakerOptions, CircuitBreaker, DEFAULT_BREAKER } from './breaker';
import { type Clock, realClock } from './clock';
import { DEFAULT_RETRY, type RetryPolicy, retry } from './retry';

export interface BaseReaderOptions {
  name: string;
  handler: ReaderHandler;
  retry?: Partial<RetryPolicy>;
  breaker?: Partial<BreakerOptions>;
  logger?: Logger;
  clock?: Clock;
  specs?: RecordSpecs;
  /** timestamps further ahead of `now` are invalid, ms (default 5 minutes) */
  maxFutureSkewMs?: number;
  /** the time `maxFutureSkewMs` counts from (default Date.now; a source's own clock in tests) */
  now?: () => number;
}

/**
 * The reader workflow, implemented once: point queries with retry and a
 * circuit breaker, every record validated against the DSL, and a stream whose
 * invalid records are set aside (with the reason) instead of failing the batch.
 */
export class BaseReader implements Reader {
  readonly name: string;
  protected readonly handler: ReaderHandler;
  protected readonly logger: Logger;
  private readonly retryPolicy: RetryPolicy;
  private readonly breaker: CircuitBreaker;
  private readonly clock: Clock;
  private readonly specs: RecordSpecs;
  private readonly parseOptions: ParseOptions;
  private initPromise: Promise<Result<void>> | undefined;
  private closed = false;

  constructor(opts: BaseReaderOptions) {
    this.name = opts.name;
    this.handler = opts.handler;
    this.logger = (opts.logger ?? silentLogger()).child({ source: opts.name });
    this.retryPolicy = { ...DEFAULT_RETRY, maxAttempts: 5, ...opts.retry };
    this.clock = opts.clock ?? realClock;
    this.specs = opts.specs ?? RECORD_SPECS;
    this.parseOptions = {
      ...(opts.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: opts.maxFutureSkewMs }),
      ...(opts.now ? { now: opts.now } : {}),
    };
    this.breaker = new CircuitBreaker({ ...DEFAULT_BREAKER, ...opts.breaker }, this.clock, (state) =>
      this.logger.warn({ event: 'reader.breaker', state }, `circuit breaker ${state}`),
    );
  }

  init(): Promise<Result<void>> {
    this.initPromise ??= (async () => {
      try {
        await this.handler.init?.();
        return ok(undefined);
      } catch (e) {
        this.initPromise = undefined;
        return err(this.classify(e));
      }
    })();
    return this.initPromise;
  }

  async getCurrentPrice(coinId: string, vsCurrency = 'usd'): Promise<Result<PriceRecord>> {
    const r = await this.getCurrentPrices([coinId], vsCurrency);
    if (!r.ok) return r;
    const found = r.value.find((p) => p.coin_id === coinId);
    return found
      ? ok(found)
      : err(
          qiError(CoreErrors.NOT_FOUND, `no price for coin "${coinId}" in ${vsCurrency}`, {
            context: { coinId },
          }),
        );
  }

  getCurrentPrices(coinIds: readonly string[], vsCurrency = 'usd'): Promise<Result<PriceRecord[]>> {
    return this.query('price', 'getCurrentPrices', (h) =>
      h.getCurrentPrices?.(coinIds, vsCurrency),
    ) as Promise<Result<PriceRecord[]>>;
  }

  getOHLCV(query: OhlcvQuery): Promise<Result<OhlcvRecord[]>> {
    return this.query('ohlcv', 'getOHLCV', (h) => h.getOHLCV?.(query)) as Promise<Result<OhlcvRecord[]>>;
  }

  async getMarketAnalytics(vsCurrency = 'usd'): Promise<Result<AnalyticsRecord>> {
    const r = await this.query('analytics', 'getMarketAnalytics', async (h) => {
      const one = await h.getMarketAnalytics?.(vsCurrency);
      return one === undefined ? undefined : [one];
    });
    if (!r.ok) return r;
    if (r.value.length === 0) {
      return err(
        qiError(CoreErrors.NOT_FOUND, `source ${this.name} has no market analytics in ${vsCurrency}`),
      );
    }
    return ok(r.value[0] as AnalyticsRecord);
  }

  getLevel1(query: Level1Query): Promise<Result<Level1Record[]>> {
    return this.query('level1', 'getLevel1', (h) => h.getLevel1?.(query)) as Promise<Result<Level1Record[]>>;
  }

  private async query(
    kind: RecordKind,
    method: keyof ReaderHandler,
    call: (h: ReaderHandler) => Promise<unknown[] | undefined> | undefined,
  ): Promise<Result<MarketRecord[]>> {
    if (typeof this.handler[method] !== 'function') {
      return err(
        qiError(CoreErrors.NOT_SUPPORTED, `source ${this.name} does not support ${method}`, {
          context: { method },
        }),
      );
    }
    const init = await this.init();
    if (!init.ok) return init;
    try {
      const raw = await retry(
        () =>
          this.breaker.execute(
            async () => (await call(this.handler)) ?? [],
            (e) => this.classify(e),
          ),
        (e) => this.classify(e),
        this.retryPolicy,
        { clock: this.clock },
      );
      const out: MarketRecord[] = [];
      for (const r of raw) {
        const parsed = parseRecordOfKind(kind, r, this.specs, this.parseOptions);
        if (!parsed.ok) return parsed;
        out.push(parsed.value);
      }
      return ok(out);
    } catch (e) {
      return err(this.classify(e));
    }
  }

  /** Yields the handler's batches with every record validated; invalid ones move to `invalid`. */
  async *stream(options: StreamOptions): AsyncIterable<SourceBatch> {
    const init = await this.init();
    if (!init.ok) throw init.error;
    const parseOptions: ParseOptions = { ...this.parseOptions, remember: true };
    for await (const { contexts, ...batch } of this.handler.stream(options)) {
      const records: MarketRecord[] = [];
      const invalid = [...(batch.invalid ?? [])];
      batch.records.forEach((raw, i) => {
        // remembered: every target of the pipeline receives this same object and skips re-validation
        const parsed = parseRecord(raw, this.specs, parseOptions);
        if (parsed.ok) records.push(parsed.value);
        else {
          const context = contexts?.[i];
          invalid.push({ record: raw, error: parsed.error, ...(context ? { context } : {}) });
        }
      });
      yield { ...batch, records, invalid };
    }
  }

  async close(): Promise<Result<void>> {
    if (this.closed) return ok(undefined);
    this.closed = true;
    try {
      await this.handler.close();
      return ok(undefined);
    } catch (e) {
      return err(this.classify(e));
    }
  }

  async health(): Promise<{ ok: boolean; details: Record<string, unknown> }> {
    try {
      const details = (await this.handler.health?.()) ?? {};
      return {
        ok: this.breaker.state !== 'open' && details.ok !== false,
        details: { breaker: this.breaker.state, ...details },
      };
    } catch (e) {
      return { ok: false, details: { error: this.classify(e).message } };
    }
  }

  private classify(e: unknown): QiError {
    if (isQiError(e)) return e as QiError;
    try {
      return this.handler.classifyError(e);
    } catch {
      return toQiError(e);
    }
  }
}
