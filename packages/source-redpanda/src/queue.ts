import { type Clock, realClock } from '@qi/core';
import type { ConsumedMessage } from '@qi/streaming';

/** Consecutive messages of one partition, in offset order; `start` is how many were already taken. */
export interface Chunk {
  key: string;
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  start: number;
}

/** Bytes a queued message is counted as: its payloads plus a fixed share for its object and headers. */
export const messageBytes = (m: ConsumedMessage): number =>
  256 + (m.value?.length ?? 0) + (m.key?.length ?? 0);

const bytesOf = (messages: readonly ConsumedMessage[], from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) n += messageBytes(messages[i]!);
  return n;
};

/**
 * The fetched-but-not-yet-yielded messages: a FIFO of per-partition chunks, so
 * per-partition order is the fetch order. Counts messages (the backpressure
 * unit); one waiter (the stream) is woken by a push or `wake()`.
 */
export class MessageQueue {
  private chunks: Chunk[] = [];
  private head = 0;
  private waiter: (() => void) | undefined;
  /** messages held */
  size = 0;
  /** their bytes, as `messageBytes` counts them */
  bytes = 0;
  /** most messages ever held at once (tests and health) */
  peak = 0;

  constructor(private readonly clock: Clock = realClock) {}

  push(chunk: Chunk): void {
    this.chunks.push(chunk);
    this.size += chunk.messages.length - chunk.start;
    this.bytes += bytesOf(chunk.messages, chunk.start, chunk.messages.length);
    if (this.size > this.peak) this.peak = this.size;
    this.wake();
  }

  /** Up to `max` messages from the head, as chunks (the last one may be split). */
  take(max: number): Chunk[] {
    const out: Chunk[] = [];
    let n = 0;
    while (this.head < this.chunks.length && n < max) {
      const c = this.chunks[this.head]!;
      const left = c.messages.length - c.start;
      const room = max - n;
      if (left <= room) {
        this.bytes -= bytesOf(c.messages, c.start, c.messages.length);
        out.push(c.start === 0 ? c : { ...c, messages: c.messages.slice(c.start), start: 0 });
        this.chunks[this.head++] = undefined as never;
        n += left;
      } else {
        this.bytes -= bytesOf(c.messages, c.start, c.start + room);
        out.push({ ...c, messages: c.messages.slice(c.start, c.start + room), start: 0 });
        c.start += room;
        n += room;
      }
    }
    this.size -= n;
    this.compact();
    return out;
  }

  /** Removes the chunks of the matching partitions; returns how many messages went. */
  drop(match: (key: string) => boolean): number {
    let dropped = 0;
    const kept: Chunk[] = [];
    for (let i = this.head; i < this.chunks.length; i++) {
      const c = this.chunks[i]!;
      if (match(c.key)) {
        dropped += c.messages.length - c.start;
        this.bytes -= bytesOf(c.messages, c.start, c.messages.length);
      } else kept.push(c);
    }
    this.chunks = kept;
    this.head = 0;
    this.size -= dropped;
    return dropped;
  }

  clear(): number {
    return this.drop(() => true);
  }

  /** Resolves on the next push or wake, when the signal aborts, or after `timeoutMs`. */
  wait(signal: AbortSignal, timeoutMs?: number): Promise<void> {
    if (this.size > 0 || signal.aborted) return Promise.resolve();
    return this.woken(signal, timeoutMs);
  }

  /** Resolves on the next push or wake (even if messages are queued), an abort, or after `timeoutMs`. */
  waitForMore(signal: AbortSignal, timeoutMs: number): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return this.woken(signal, timeoutMs);
  }

  /** The one waiter: a push or wake, an abort, or the timeout (if any) resolves it. */
  private woken(signal: AbortSignal, timeoutMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : new AbortController();
      const done = () => {
        timer?.abort();
        signal.removeEventListener('abort', done);
        if (this.waiter === done) this.waiter = undefined;
        resolve();
      };
      if (timer && timeoutMs !== undefined) this.clock.sleep(timeoutMs, timer.signal).then(done, () => {});
      signal.addEventListener('abort', done, { once: true });
      this.waiter = done;
    });
  }

  wake(): void {
    this.waiter?.();
  }

  private compact(): void {
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
