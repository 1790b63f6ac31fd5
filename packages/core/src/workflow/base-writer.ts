import type { Logger } from 'pino';
import type {
  DeadLetter,
  HealthStatus,
  PublishReport,
  RejectedRecord,
  Writer,
  WriterHandler,
} from '../contracts/writer';
import type { MarketRecord, RecordKind, RecordOfKind } from '../dsl/records';
import { RECORD_SPECS, type RecordSpecs } from '../dsl/specs';
import { parseRecord, parseRecordOfKind } from '../dsl/validate';
import { CoreErrors, isQiError, type QiError, qiError, toQiError } from '../errors';
import { silentLogger } from '../observability/logger';
import type { QiMetrics } from '../observability/metrics';
import { err, ok, type Result } from '../result';
import { type BreakerOptions, CircuitBreaker, DEFAULT_BREAKER } from './breaker';
import { type Clock, realClock } from './clock';
import { DEFAULT_RETRY, type RetryPolicy, retry } from './retry';
import { Ticket } from './tickets';

export interface BatchOptions {
  /** records per handler call */
  size: number;
  /** how long a partial batch waits for more records, ms (0: write at once) */
  lingerMs: number;
  /** batches written at the same time; 1 keeps per-kind order */
  concurrency: number;
}

export const DEFAULT_BATCH: BatchOptions = { size: 1000, lingerMs: 10, concurrency: 1 };

export interface BaseWriterOptions {
  name: string;
  handler: WriterHandler;
  batch?: Partial<BatchOptions>;
  retry?: Partial<RetryPolicy>;
  breaker?: Partial<BreakerOptions>;
  /** on a `data` error, split the batch to isolate the bad records (default true) */
  bisect?: boolean;
  logger?: Logger;
  metrics?: QiMetrics;
  /** metric labels */
  pipeline?: string;
  clock?: Clock;
  specs?: RecordSpecs;
  /**
   * The pipeline's stop signal. While it is not aborted, a write refused by the
   * open breaker waits for the target without using up the retry budget; once
   * it aborts, those waits count as attempts, so a stop during an outage ends.
   */
  signal?: AbortSignal;
}

/** At most one "paused" log line per writer in this time. */
const PAUSE_LOG_EVERY_MS = 30_000;

interface Entry {
  record: MarketRecord;
  ticket: Ticket;
  /** position in the publish call's input */
  index: number;
}

interface Lane {
  kind: RecordKind;
  buffer: Entry[];
  timer: ReturnType<typeof setTimeout> | undefined;
  tail: Promise<void>;
  /** a microtask dispatch is queued (lingerMs 0) */
  scheduled: boolean;
}

const BREAKER_GAUGE = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * The writer workflow, implemented once: validation, batching (size and linger),
 * retry with backoff and jitter on retryable errors only, a circuit breaker,
 * bisection of batches that hit data errors, metrics and logs. A target supplies
 * a WriterHandler and nothing else.
 */
export class BaseWriter implements Writer {
  readonly name: string;
  protected readonly handler: WriterHandler;
  protected readonly logger: Logger;
  private readonly batch: BatchOptions;
  private readonly retryPolicy: RetryPolicy;
  private readonly breaker: CircuitBreaker;
  private readonly clock: Clock;
  private readonly specs: RecordSpecs;
  private readonly bisect: boolean;
  private readonly labels: { pipeline: string; target: string };
  private readonly metrics: QiMetrics | undefined;
  private readonly lanes = new Map<RecordKind, Lane>();
  private readonly inflight = new Set<Promise<void>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private initPromise: Promise<Result<void>> | undefined;
  private initAttempted = false;
  private closed: Promise<Result<void>> | undefined;
  private readonly abort = new AbortController();
  private readonly stopSignal: AbortSignal | undefined;
  private pauseLoggedAt = Number.NEGATIVE_INFINITY;
  /** for health(): what went wrong last, and when */
  private lastError: { code: string; message: string; at: number } | undefined;

  constructor(opts: BaseWriterOptions) {
    this.name = opts.name;
    this.handler = opts.handler;
    this.logger = (opts.logger ?? silentLogger()).child({ target: opts.name });
    this.batch = { ...DEFAULT_BATCH, ...opts.batch };
    this.retryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
    this.clock = opts.clock ?? realClock;
    this.specs = opts.specs ?? RECORD_SPECS;
    this.bisect = opts.bisect ?? true;
    this.metrics = opts.metrics;
    this.labels = { pipeline: opts.pipeline ?? '', target: opts.name };
    this.stopSignal = opts.signal;
    this.breaker = new CircuitBreaker({ ...DEFAULT_BREAKER, ...opts.breaker }, this.clock, (state) => {
      this.logger.warn({ event: 'writer.breaker', state }, `circuit breaker ${state}`);
      this.safe(() => this.metrics?.breakerState.set(this.labels, BREAKER_GAUGE[state]));
    });
    // a sample from the start: an alert on the gauge must not wait for the first change
    this.safe(() => this.metrics?.breakerState.set(this.labels, BREAKER_GAUGE.closed));
  }

  /** Connects and prepares the destination. Called by the host before the first batch; publish calls it lazily otherwise. */
  init(): Promise<Result<void>> {
    this.initPromise ??= (async () => {
      this.initAttempted = true;
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

  publishPrice(r: unknown) {
    return this.publishKind('price', [r]);
  }
  publishPrices(rs: readonly unknown[]) {
    return this.publishKind('price', rs);
  }
  publishOHLCV(r: unknown) {
    return this.publishKind('ohlcv', [r]);
  }
  publishOHLCVBatch(rs: readonly unknown[]) {
    return this.publishKind('ohlcv', rs);
  }
  publishAnalytics(r: unknown) {
    return this.publishKind('analytics', [r]);
  }
  publishAnalyticsBatch(rs: readonly unknown[]) {
    return this.publishKind('analytics', rs);
  }
  publishLevel1(r: unknown) {
    return this.publishKind('level1', [r]);
  }
  publishLevel1Batch(rs: readonly unknown[]) {
    return this.publishKind('level1', rs);
  }
  publishBatch(rs: readonly unknown[]) {
    return this.publish(rs, (r) => parseRecord(r, this.specs));
  }

  private publishKind(kind: RecordKind, rs: readonly unknown[]) {
    return this.publish(rs, (r) => parseRecordOfKind(kind, r, this.specs));
  }

  private async publish(
    inputs: readonly unknown[],
    parse: (r: unknown) => Result<MarketRecord>,
  ): Promise<Result<PublishReport>> {
    if (this.closed) return err(qiError(CoreErrors.CLOSED, `writer ${this.name} is closed`));
    const init = await this.init();
    if (!init.ok) return init;
    const rejected: RejectedRecord[] = [];
    const entries: Entry[] = [];
    const ticket = new Ticket(rejected);
    for (let index = 0; index < inputs.length; index++) {
      const parsed = parse(inputs[index]);
      if (parsed.ok) entries.push({ record: parsed.value, ticket, index });
      else rejected.push({ index, record: inputs[index], error: parsed.error, stage: 'validation' });
    }
    ticket.expect(entries.length);
    this.enqueue(entries);
    return ticket.done;
  }

  private lane(kind: RecordKind): Lane {
    let lane = this.lanes.get(kind);
    if (!lane) {
      lane = { kind, buffer: [], timer: undefined, tail: Promise.resolve(), scheduled: false };
      this.lanes.set(kind, lane);
    }
    return lane;
  }

  /** Full batches leave at once; the rest waits for the linger (or the next microtask with lingerMs 0). */
  private enqueue(entries: readonly Entry[]): void {
    let lane: Lane | undefined;
    let touched: Lane[] | undefined;
    for (const entry of entries) {
      if (lane?.kind !== entry.record.kind) {
        lane = this.lane(entry.record.kind);
        if (!touched) touched = [lane];
        else if (!touched.includes(lane)) touched.push(lane);
      }
      lane.buffer.push(entry);
      if (lane.buffer.length >= this.batch.size) this.dispatch(lane, false);
    }
    for (const l of touched ?? []) {
      if (l.buffer.length === 0) continue;
      if (this.batch.lingerMs > 0) l.timer ??= setTimeout(() => this.dispatch(l, true), this.batch.lingerMs);
      else if (!l.scheduled) {
        // one microtask per lane, not per record: publish calls of the same tick still share batches
        l.scheduled = true;
        queueMicrotask(() => {
          l.scheduled = false;
          this.dispatch(l, true);
        });
      }
    }
  }

  private dispatch(lane: Lane, all: boolean): void {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = undefined;
    while (lane.buffer.length >= this.batch.size || (all && lane.buffer.length > 0)) {
      const chunk = lane.buffer.splice(0, this.batch.size);
      const run = () => this.withPermit(() => this.writeChunk(lane.kind, chunk));
      // concurrency 1: batches of a kind are written strictly in order
      let p: Promise<void>;
      if (this.batch.concurrency <= 1) {
        lane.tail = lane.tail.then(run);
        p = lane.tail;
      } else p = run();
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    }
    if (lane.buffer.length > 0 && !lane.timer && this.batch.lingerMs > 0) {
      lane.timer = setTimeout(() => this.dispatch(lane, true), this.batch.lingerMs);
    }
  }

  private async withPermit(fn: () => Promise<void>): Promise<void> {
    while (this.running >= Math.max(1, this.batch.concurrency))
      await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Writes a chunk with retries; on a data error, bisects to find the bad records. Never throws. */
  private async writeChunk(kind: RecordKind, chunk: Entry[]): Promise<void> {
    const started = this.clock.now();
    const records = chunk.map((e) => e.record) as RecordOfKind<typeof kind>[];
    try {
      const outcome = await retry(
        () =>
          this.breaker.execute(
            () => this.handler.writeBatch(kind, records),
            (e) => this.classify(e),
          ),
        (e) => this.classify(e),
        this.retryPolicy,
        {
          clock: this.clock,
          signal: this.abort.signal,
          onRetry: (error, attempt, delayMs) => {
            this.noteError(error);
            this.logger.warn(
              { event: 'writer.retry', kind, attempt, delayMs, code: error.code, err: error.message },
              `retrying ${kind} batch of ${chunk.length}`,
            );
            this.safe(() => this.metrics?.retries.inc(this.labels));
          },
          isPause: (error) => error.code === CoreErrors.BREAKER_OPEN.code && !this.stopSignal?.aborted,
          onPause: (error, delayMs) => this.logPause(kind, error, delayMs),
        },
      );
      const rejectedAt = new Map((outcome?.rejected ?? []).map((r) => [r.index, r.error]));
      // settle runs of entries of the same publish call at once (usually the whole chunk)
      let run = 0;
      for (let i = 0; i < chunk.length; i++) {
        const entry = chunk[i]!;
        const e = rejectedAt.get(i);
        if (e) entry.ticket.reject(entry.index, entry.record, e);
        else run++;
        if (run > 0 && (e || i === chunk.length - 1 || chunk[i + 1]!.ticket !== entry.ticket)) {
          entry.ticket.wrote(run);
          run = 0;
        }
      }
      this.safe(() => {
        this.metrics?.recordsOut.inc(this.labels, chunk.length - rejectedAt.size);
        this.metrics?.batchDuration.observe(this.labels, (this.clock.now() - started) / 1000);
      });
      this.logger.debug(
        { event: 'writer.batch.written', kind, records: chunk.length, rejected: rejectedAt.size },
        'batch written',
      );
    } catch (e) {
      const error = this.classify(e);
      const dataError = !error.retryable && (error.category === 'data' || error.category === 'validation');
      if (dataError && chunk.length > 1 && this.bisect) {
        const mid = chunk.length >> 1;
        await this.writeChunk(kind, chunk.slice(0, mid));
        await this.writeChunk(kind, chunk.slice(mid));
        return;
      }
      if (dataError && chunk.length === 1) {
        chunk[0]!.ticket.reject(chunk[0]!.index, chunk[0]!.record, error);
        return;
      }
      this.noteError(error);
      this.logger.error(
        { event: 'writer.batch.failed', kind, records: chunk.length, code: error.code, err: error.message },
        `failed to write ${kind} batch`,
      );
      this.safe(() => this.metrics?.recordsFailed.inc(this.labels, chunk.length));
      for (const entry of chunk) entry.ticket.fail(error);
    }
  }

  private noteError(error: QiError): void {
    this.lastError = { code: error.code, message: error.message, at: this.clock.now() };
  }

  private logPause(kind: RecordKind, error: QiError, delayMs: number): void {
    this.noteError(error);
    const now = this.clock.now();
    if (now - this.pauseLoggedAt < PAUSE_LOG_EVERY_MS) return;
    this.pauseLoggedAt = now;
    const since = this.breaker.notClosedSince;
    this.logger.warn(
      {
        event: 'writer.paused',
        kind,
        delayMs,
        downForMs: since === undefined ? 0 : now - since,
        code: error.code,
        err: error.message,
      },
      `target ${this.name} is down: delivery paused (the retry budget is not used while the breaker is open); ${error.message}`,
    );
  }

  private classify(e: unknown): QiError {
    if (isQiError(e)) return e as QiError;
    try {
      return this.handler.classifyError(e);
    } catch {
      return toQiError(e);
    }
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch {
      // metrics and logs never break a write
    }
  }

  async publishDeadLetters(letters: readonly DeadLetter[]): Promise<Result<void>> {
    if (!this.handler.writeDeadLetters) {
      return err(qiError(CoreErrors.NOT_SUPPORTED, `target ${this.name} cannot hold dead letters`));
    }
    const init = await this.init();
    if (!init.ok) return init;
    try {
      await retry(
        () => this.handler.writeDeadLetters!(letters),
        (e) => this.classify(e),
        this.retryPolicy,
        { clock: this.clock, signal: this.abort.signal },
      );
      return ok(undefined);
    } catch (e) {
      return err(this.classify(e));
    }
  }

  async flush(): Promise<Result<void>> {
    for (const lane of this.lanes.values()) this.dispatch(lane, true);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    try {
      await this.handler.flush?.();
      return ok(undefined);
    } catch (e) {
      return err(this.classify(e));
    }
  }

  close(): Promise<Result<void>> {
    this.closed ??= (async () => {
      const flushed = await this.flush();
      this.abort.abort(qiError(CoreErrors.CLOSED, `writer ${this.name} closed`));
      try {
        // also after a failed init: whatever it opened must be released
        if (this.initAttempted) await this.handler.close();
      } catch (e) {
        return err(this.classify(e));
      }
      return flushed;
    })();
    return this.closed;
  }

  async health(): Promise<HealthStatus> {
    const breaker = this.breaker.state;
    let details: Record<string, unknown> = {};
    let ok = breaker !== 'open';
    try {
      details = (await this.handler.health?.()) ?? {};
      if (details.ok === false) ok = false;
    } catch (e) {
      ok = false;
      details = { error: this.classify(e).message };
    }
    const since = this.breaker.notClosedSince;
    return {
      ok,
      details: {
        breaker,
        ...(since === undefined ? {} : { breakerOpenSince: since }),
        ...(this.lastError ? { lastError: this.lastError } : {}),
        ...details,
      },
    };
  }
}
