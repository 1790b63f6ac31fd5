import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/**
 * The skeleton's "connection": an NDJSON file read line by line.
 * TODO: replace with your technology's client: connect in open(), read in
 * lines() (or a poll/subscribe loop), release everything in close().
 */
export class Feed {
  constructor(readonly file: string) {}

  /** Fails early (ENOENT → not-found) when the file is not there. */
  async open(): Promise<void> {
    await access(this.file);
  }

  /** The lines with their numbers; stops as soon as the signal aborts. */
  async *lines(signal: AbortSignal): AsyncIterable<{ line: string; lineNo: number }> {
    const input = createReadStream(this.file, { encoding: 'utf8' });
    const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    let lineNo = 0;
    try {
      for await (const line of reader) {
        lineNo++;
        if (signal.aborted) return;
        if (line.trim()) yield { line, lineNo };
      }
    } finally {
      reader.close();
      input.destroy();
    }
  }

  async close(): Promise<void> {}
}
