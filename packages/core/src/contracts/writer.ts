import type {
  AnalyticsInput,
  Level1Input,
  MarketRecord,
  OhlcvInput,
  PriceInput,
  RecordKind,
  RecordOfKind,
} from '../dsl/records';
import type { QiError } from '../errors';
import type { Result } from '../result';

/** A record that did not make it, and why. Dead-letter destinations receive these. */
export interface RejectedRecord {
  /** position of the record in the publish call's input */
  index: number;
  /** the record as received (raw input for validation failures, normalised for write failures) */
  record: unknown;
  error: QiError;
  stage: 'validation' | 'write';
}

export interface PublishReport {
  /** records acknowledged by the destination */
  written: number;
  /** records refused, each with its reason; the rest of the batch was written */
  rejected: RejectedRecord[];
}

export interface HealthStatus {
  ok: boolean;
  /** e.g. circuit breaker state, connection state */
  details: Record<string, unknown>;
}

/**
 * What a target offers. Implemented once by BaseWriter; plugins supply a WriterHandler.
 *
 * Semantics:
 * - A publish call resolves when every valid record it carried is acknowledged by
 *   the destination (or rejected): at-least-once, a resolved ok Result means durable.
 * - Invalid records never fail a call: they come back in `rejected` with the reason.
 * - An error Result means the destination could not take the batch after the
 *   configured retries (or the breaker is open); nothing of that batch may be assumed written.
 * - Calls may run concurrently; records of one kind are written in call order
 *   when `concurrency` is 1 (the default).
 * - `close` is called once, after `flush`; publishing after close is an error.
 */
export interface Writer {
  readonly name: string;
  /** connect and prepare the destination; the host calls it before the first batch, publish calls it lazily otherwise */
  init?(): Promise<Result<void>>;
  publishPrice(record: PriceInput): Promise<Result<PublishReport>>;
  publishPrices(records: readonly PriceInput[]): Promise<Result<PublishReport>>;
  publishOHLCV(record: OhlcvInput): Promise<Result<PublishReport>>;
  publishOHLCVBatch(records: readonly OhlcvInput[]): Promise<Result<PublishReport>>;
  publishAnalytics(record: AnalyticsInput): Promise<Result<PublishReport>>;
  publishAnalyticsBatch(records: readonly AnalyticsInput[]): Promise<Result<PublishReport>>;
  publishLevel1(record: Level1Input): Promise<Result<PublishReport>>;
  publishLevel1Batch(records: readonly Level1Input[]): Promise<Result<PublishReport>>;
  /** mixed kinds, told apart by each record's `kind` */
  publishBatch(records: readonly unknown[]): Promise<Result<PublishReport>>;
  /** dead-letter envelopes; only destinations that can hold arbitrary JSON implement it */
  publishDeadLetters?(letters: readonly DeadLetter[]): Promise<Result<void>>;
  flush(): Promise<Result<void>>;
  close(): Promise<Result<void>>;
  health(): Promise<HealthStatus>;
}

/** What a plugin writes: only the technology part. BaseWriter does the rest. */
export interface WriterHandler {
  /** Called once before the first write (connect, create tables/topics). Errors here fail start-up. */
  init?(): Promise<void>;
  /**
   * Write one batch of valid, normalised records of one kind, all or nothing, idempotently
   * (a replay must not duplicate). Throw on failure; BaseWriter classifies the
   * error with `classifyError`, retries retryable ones, and bisects the batch on
   * `data` errors to isolate the bad records. Return per-record rejections when the
   * technology reports them itself (the others are then taken as written).
   */
  writeBatch<K extends RecordKind>(
    kind: K,
    records: readonly RecordOfKind<K>[],
    // biome-ignore lint/suspicious/noConfusingVoidType: void lets a handler that rejects nothing be a plain `async () => {}`
  ): Promise<void | { rejected: Array<{ index: number; error: QiError }> }>;
  /** Map the technology's errors to QiError (code, category, retryable). */
  classifyError(error: unknown): QiError;
  /** Write dead-letter envelopes (optional capability). */
  writeDeadLetters?(letters: readonly DeadLetter[]): Promise<void>;
  flush?(): Promise<void>;
  close(): Promise<void>;
  health?(): Promise<Record<string, unknown>>;
}

export interface DeadLetter {
  pipeline?: string;
  /** which target refused it, absent for validation failures before any target */
  target?: string;
  stage: 'validation' | 'write' | 'decode';
  code: string;
  reason: string;
  record: unknown;
  at: string;
  context?: Record<string, unknown>;
}

export type { MarketRecord };
