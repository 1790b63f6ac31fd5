import net from 'node:net';
import tls from 'node:tls';
import { type QiError, qiError } from '@qi/core';
import { parseBroker, type StreamingConfig } from '../../config';
import { StreamingErrors } from '../../errors';

/**
 * Just enough of the Kafka wire protocol (non-flexible versions) for the few requests
 * librdkafka's AdminClient lacks: big-endian primitives, size-prefixed frames, one
 * request in flight per connection.
 */

// no response we send for is near this; a bigger "size" means we are not talking to Kafka (e.g. TLS vs plaintext)
const MAX_FRAME = 64 * 1024 * 1024;

export class Writer {
  private readonly parts: Buffer[] = [];

  private fixed(n: number, put: (b: Buffer) => void): this {
    const b = Buffer.alloc(n);
    put(b);
    this.parts.push(b);
    return this;
  }
  int8(v: number): this {
    return this.fixed(1, (b) => b.writeInt8(v));
  }
  int16(v: number): this {
    return this.fixed(2, (b) => b.writeInt16BE(v));
  }
  int32(v: number): this {
    return this.fixed(4, (b) => b.writeInt32BE(v));
  }
  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const b = Buffer.from(v, 'utf8');
    this.int16(b.length).parts.push(b);
    return this;
  }
  string(v: string): this {
    return this.nullableString(v);
  }
  bytes(v: Buffer): this {
    this.int32(v.length).parts.push(v);
    return this;
  }
  array<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  // a short response is the broker's (or a proxy's) fault, not a bug here: say so instead of a RangeError
  private take(n: number): number {
    if (n < 0 || this.offset + n > this.buf.length)
      throw qiError(StreamingErrors.BROKER, 'malformed Kafka response: shorter than its fields');
    const at = this.offset;
    this.offset += n;
    return at;
  }
  int8(): number {
    return this.buf.readInt8(this.take(1));
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.take(8));
  }
  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    const at = this.take(n);
    return this.buf.toString('utf8', at, at + n);
  }
  string(): string {
    return this.nullableString() ?? '';
  }
  bytes(): Buffer {
    const n = this.int32();
    if (n < 0) return Buffer.alloc(0);
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }
  array<T>(each: () => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each());
    return out;
  }
}

interface Waiting {
  id: number;
  resolve: (r: Reader) => void;
  reject: (e: QiError) => void;
  timer: NodeJS.Timeout;
}

/** One broker connection; `request` sends a frame with request header v1 and resolves with the response body. */
export class BrokerConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: Waiting | undefined;
  private failure: QiError | undefined;
  private nextId = 1;

  constructor(
    private readonly socket: net.Socket,
    readonly broker: string,
    private readonly clientId: string,
    private readonly requestTimeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) =>
      this.fail(
        qiError(StreamingErrors.NETWORK, `connection to Kafka broker ${broker} failed: ${e.message}`, {
          cause: e,
          context: { broker },
        }),
      ),
    );
    socket.on('close', () =>
      this.fail(
        qiError(StreamingErrors.NETWORK, `Kafka broker ${broker} closed the connection`, {
          context: { broker },
        }),
      ),
    );
  }

  request(apiKey: number, version: number, body: Buffer, what: string): Promise<Reader> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const header = new Writer()
      .int16(apiKey)
      .int16(version)
      .int32(id)
      .nullableString(this.clientId)
      .toBuffer();
    const size = new Writer().int32(header.length + body.length).toBuffer();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.fail(
            qiError(
              StreamingErrors.TIMEOUT,
              `Kafka ${what} request to ${this.broker} timed out after ${this.requestTimeoutMs} ms`,
              { context: { broker: this.broker } },
            ),
          ),
        this.requestTimeoutMs,
      );
      this.waiting = { id, resolve, reject, timer };
      this.socket.write(Buffer.concat([size, header, body]));
    });
  }

  close(): void {
    this.failure ??= qiError(StreamingErrors.NOT_CONNECTED, 'broker connection closed');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (size < 4 || size > MAX_FRAME) {
        this.fail(
          qiError(
            StreamingErrors.BROKER,
            `${this.broker} sent a frame of ${size} bytes: is it a Kafka listener (TLS?)`,
          ),
        );
        return;
      }
      if (this.buffered.length < 4 + size) return;
      const reader = new Reader(this.buffered.subarray(4, 4 + size));
      this.buffered = this.buffered.subarray(4 + size);
      const id = reader.int32();
      const w = this.waiting;
      if (!w || w.id !== id) {
        this.fail(
          qiError(StreamingErrors.BROKER, `${this.broker} answered correlation id ${id}, not ${w?.id}`),
        );
        return;
      }
      this.waiting = undefined;
      clearTimeout(w.timer);
      w.resolve(reader);
    }
  }

  // the first failure wins: a timeout destroys the socket, whose 'close' must not rename it
  private fail(e: QiError): void {
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = undefined;
    if (w) {
      clearTimeout(w.timer);
      w.reject(this.failure);
    }
    this.socket.destroy();
  }
}

function tlsOptions(ssl: StreamingConfig['ssl'], host: string): tls.ConnectionOptions | undefined {
  if (ssl === false) return undefined;
  // SNI must be a host name: Node warns on an IP (RFC 6066)
  const sni = net.isIP(host) ? {} : { servername: host };
  if (ssl === true) return sni;
  const { ca, cert, key, servername, rejectUnauthorized } = ssl;
  return {
    ...sni,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(servername ? { servername } : {}),
    rejectUnauthorized,
  };
}

/** Connects (TCP, then TLS when `config.ssl`) within `connectionTimeoutMs`. */
export function openConnection(broker: string, config: StreamingConfig): Promise<BrokerConnection> {
  const { host, port } = parseBroker(broker);
  const secure = tlsOptions(config.ssl, host);
  return new Promise((resolve, reject) => {
    const socket = secure ? tls.connect({ host, port, ...secure }) : net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        qiError(
          StreamingErrors.TIMEOUT,
          `connecting to Kafka broker ${broker} timed out after ${config.connectionTimeoutMs} ms`,
          { context: { broker } },
        ),
      );
    }, config.connectionTimeoutMs);
    const onError = (e: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        qiError(StreamingErrors.NETWORK, `cannot reach Kafka broker ${broker}: ${e.message}`, {
          cause: e,
          context: { broker },
        }),
      );
    };
    socket.once('error', onError);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(new BrokerConnection(socket, broker, config.clientId, config.requestTimeoutMs));
    });
  });
}
