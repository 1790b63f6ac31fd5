import { mkdirSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';

/** Appends NDJSON lines; one write per batch, fsync on flush. */
export class NdjsonFile {
  private handle: Promise<FileHandle> | undefined;
  constructor(readonly file: string) {}

  private open(): Promise<FileHandle> {
    this.handle ??= (async () => {
      mkdirSync(path.dirname(this.file), { recursive: true });
      return open(this.file, 'a');
    })();
    return this.handle;
  }

  async append(values: readonly unknown[]): Promise<void> {
    if (values.length === 0) return;
    const fh = await this.open();
    await fh.write(`${values.map((v) => JSON.stringify(v)).join('\n')}\n`);
  }

  async sync(): Promise<void> {
    if (this.handle) await (await this.handle).sync();
  }

  async close(): Promise<void> {
    if (this.handle) await (await this.handle).close();
    this.handle = undefined;
  }
}
