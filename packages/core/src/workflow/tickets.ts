import type { PublishReport, RejectedRecord } from '../contracts/writer';
import type { QiError } from '../errors';
import { err, ok, type Result } from '../result';

/** Tracks the records of one publish call across the batches they land in. */
export class Ticket {
  private pending: number;
  private written = 0;
  private error: QiError | undefined;
  readonly rejected: RejectedRecord[];
  private resolve!: (r: Result<PublishReport>) => void;
  readonly done: Promise<Result<PublishReport>>;

  constructor(rejectedUpfront: RejectedRecord[]) {
    this.pending = 0;
    this.rejected = rejectedUpfront;
    this.done = new Promise((r) => {
      this.resolve = r;
    });
  }

  /** How many records are now on their way; settles at once when there are none. */
  expect(count: number): void {
    this.pending = count;
    if (count === 0) this.finish();
  }

  wrote(n = 1): void {
    this.written += n;
    this.settle(n);
  }

  reject(index: number, record: unknown, error: QiError): void {
    this.rejected.push({ index, record, error, stage: 'write' });
    this.settle(1);
  }

  fail(error: QiError, n = 1): void {
    this.error ??= error;
    this.settle(n);
  }

  private settle(n: number): void {
    this.pending -= n;
    if (this.pending === 0) this.finish();
  }

  private finish(): void {
    this.rejected.sort((a, b) => a.index - b.index);
    if (this.error) {
      // The error carries what did land, so a caller can tell partial progress.
      (this.error.context as Record<string, unknown>).written ??= this.written;
      this.resolve(err(this.error));
    } else this.resolve(ok({ written: this.written, rejected: this.rejected }));
  }
}
