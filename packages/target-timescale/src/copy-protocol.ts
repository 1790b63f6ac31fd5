import type { Connection, Submittable } from 'pg';

/**
 * COPY FROM STDIN in one round trip. pg-copy-streams waits for the server's
 * CopyInResponse before it sends any data, which costs a round trip and, worse,
 * needs this (busy) event loop to notice the response: meanwhile the server
 * idles. The protocol lets a client send the Query, the CopyData and CopyDone
 * back to back (the server reads its input in order; if COPY fails, it drops the
 * copy messages that follow), so this sends everything at once.
 *
 * `text` may hold more statements after the COPY (a simple Query is one
 * implicit transaction): the staged path moves the rows in the same round trip.
 */
const FRAME = 64 * 1024; // CopyData messages the server can start parsing before the batch is all there
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

type Stream = NodeJS.WritableStream & { cork(): void; uncork(): void };

export class PipelinedCopy implements Submittable {
  /** command tags' row counts, e.g. [5000] for COPY, [5000, 4990] for COPY; INSERT */
  readonly done: Promise<number[]>;
  private settle!: (error: Error | undefined) => void;
  private readonly counts: number[] = [];

  constructor(
    readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = (e) => (e ? reject(e) : resolve(this.counts));
    });
  }

  submit(connection: Connection): void {
    const stream = (connection as unknown as { stream: Stream }).stream;
    stream.cork();
    connection.query(this.text);
    for (let off = 0; off < this.data.length; off += FRAME) {
      const chunk = this.data.subarray(off, off + FRAME);
      const head = Buffer.allocUnsafe(5);
      head[0] = 0x64; // 'd' CopyData
      head.writeUInt32BE(chunk.length + 4, 1);
      stream.write(head);
      stream.write(chunk);
    }
    stream.write(COPY_DONE);
    stream.uncork();
  }

  // pg replaces this with its query_timeout mechanism when configured
  callback(): void {}

  handleCopyInResponse(): void {}

  handleCommandComplete(msg: { text?: string }): void {
    this.counts.push(Number(/(\d+)$/.exec(msg.text ?? '')?.[1] ?? Number.NaN));
  }

  handleReadyForQuery(): void {
    this.settle(undefined);
  }

  /** a server ErrorResponse (pg then skips handleReadyForQuery) or a socket error */
  handleError(error: Error): void {
    this.settle(error);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}
