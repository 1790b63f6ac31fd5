import type { Readable } from 'node:stream';

export interface Line {
  /** 1-based line number */
  no: number;
  /** the line without its terminator; undefined when it is longer than the limit */
  text: string | undefined;
  /** size of the line in bytes, terminator excluded */
  bytes: number;
}

const NL = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into UTF-8 lines (LF or CRLF) without ever holding more
 * than `maxLineBytes` of one line: a longer line is counted and skipped, not
 * buffered, so memory stays bounded whatever the input (readline would keep the
 * whole line, however large).
 */
export async function* readLines(input: Readable, maxLineBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0; // bytes of the current line seen so far (also past the limit)
  let no = 0;
  const end = (): Line => {
    no++;
    let text: string | undefined;
    let bytes = size;
    if (size <= maxLineBytes + 1) {
      let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      if (buf.length > 0 && buf[buf.length - 1] === CR) buf = buf.subarray(0, buf.length - 1);
      bytes = buf.length;
      text = bytes <= maxLineBytes ? buf.toString('utf8') : undefined;
    }
    parts = [];
    size = 0;
    return { no, text, bytes };
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, from);
      const piece = chunk.subarray(from, nl === -1 ? chunk.length : nl);
      // one byte over the limit is kept so a CR before the LF is not mistaken for content
      if (size + piece.length > maxLineBytes + 1) parts = [];
      else if (piece.length > 0) parts.push(piece);
      size += piece.length;
      if (nl === -1) break;
      yield end();
      from = nl + 1;
    }
  }
  if (size > 0) yield end(); // a last line without a terminator
}
