import type { AnalyticsRecord, Level1Record, MarketRecord, OhlcvRecord, PriceRecord } from '../dsl/records';
import type { QiError } from '../errors';
import type { Result } from '../result';

export interface OhlcvQuery {
  coinId: string;
  vsCurrency?: string;
  /** how far back, in days */
  days?: number;
  interval?: string;
}

export interface Level1Query {
  coinId?: string;
  exchange?: string;
}

/** One unit of work from a source. */
export interface SourceBatch {
  /** records as read; BaseReader validates them and moves invalid ones to `invalid` */
  records: unknown[];
  /** records that could not be decoded or validated, with the reason: the runner dead-letters them */
  invalid?: Array<{ record: unknown; error: QiError; context?: Record<string, unknown> }>;
  /**
   * Where each of `records` came from (same index), e.g. `{ file, line }`: a record that
   * fails validation is dead-lettered with it. Optional; BaseReader consumes it.
   */
  contexts?: Array<Record<string, unknown> | undefined>;
  /**
   * Commit the source position of this batch. The runner calls it once every
   * required target acknowledged the batch, in the order batches were yielded,
   * and never for a batch that was not delivered.
   */
  ack?: () => Promise<void>;
  /** opaque position, for logs */
  position?: unknown;
}

export interface StreamOptions {
  signal: AbortSignal;
  /** one poll cycle, then end (qi run --once) */
  once?: boolean;
  /**
   * Where a source that keeps running through failures says so: health and
   * metrics cannot see a failed poll that yields nothing. Optional for sources;
   * a yielded batch already counts as a successful read.
   */
  report?: SourceReport;
}

/** How a polling source reports each read: a success (new data or not) or a failure it survives. */
export interface SourceReport {
  /** a read from upstream succeeded, whether or not it had anything new */
  read(): void;
  /** a read failed; `retrying`: the source carries on and tries again */
  failed(error: QiError, opts: { retrying: boolean }): void;
}

/**
 * What a source offers. Implemented once by BaseReader over a ReaderHandler.
 * Point queries return validated records or a clear error (QI_NOT_SUPPORTED when
 * the source cannot answer that question). `stream` yields batches until the
 * signal aborts (or, with `once`, after one cycle); it never throws for one bad record.
 */
export interface Reader {
  readonly name: string;
  getCurrentPrice(coinId: string, vsCurrency?: string): Promise<Result<PriceRecord>>;
  getCurrentPrices(coinIds: readonly string[], vsCurrency?: string): Promise<Result<PriceRecord[]>>;
  getOHLCV(query: OhlcvQuery): Promise<Result<OhlcvRecord[]>>;
  getMarketAnalytics(vsCurrency?: string): Promise<Result<AnalyticsRecord>>;
  getLevel1(query: Level1Query): Promise<Result<Level1Record[]>>;
  stream(options: StreamOptions): AsyncIterable<SourceBatch>;
  close(): Promise<Result<void>>;
  health(): Promise<{ ok: boolean; details: Record<string, unknown> }>;
}

/** What a source plugin writes. Point queries it cannot answer are left out. */
export interface ReaderHandler {
  init?(): Promise<void>;
  getCurrentPrices?(coinIds: readonly string[], vsCurrency: string): Promise<unknown[]>;
  getOHLCV?(query: OhlcvQuery): Promise<unknown[]>;
  getMarketAnalytics?(vsCurrency: string): Promise<unknown>;
  getLevel1?(query: Level1Query): Promise<unknown[]>;
  stream(options: StreamOptions): AsyncIterable<SourceBatch>;
  classifyError(error: unknown): QiError;
  close(): Promise<void>;
  health?(): Promise<Record<string, unknown>>;
}

export type { MarketRecord };
