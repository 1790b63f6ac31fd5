import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type PubAck,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { qiError } from '@qi/core';
import type { NatsTargetConfig } from './config';
import { NatsErrors } from './errors';

const NANOS_PER_MS = 1_000_000;

/** One NATS connection and its JetStream contexts; reconnects on its own after network trouble. */
export class NatsClient {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  /** idle until the first connect; disconnected while the client reconnects on its own */
  private state: 'idle' | 'connected' | 'disconnected' | 'closed' = 'idle';

  constructor(private readonly config: NatsTargetConfig) {}

  async connect(): Promise<void> {
    if (this.nc && !this.nc.isClosed()) return;
    const c = this.config;
    this.nc = await connect({
      servers: c.servers,
      name: c.connectionName,
      timeout: c.connectTimeoutMs,
      // keep trying forever: publishes wait (and time out, which is retryable) instead of failing for good
      maxReconnectAttempts: -1,
      ...(c.user ? { user: c.user, pass: c.password } : {}),
      ...(c.token ? { token: c.token } : {}),
    });
    this.state = 'connected';
    void this.watch(this.nc);
    this.jsm = await jetstreamManager(this.nc, { timeout: c.ackTimeoutMs });
    this.js = jetstream(this.nc, { timeout: c.ackTimeoutMs });
  }

  /** The stream's subjects must cover every subject this target writes: <prefix>.> */
  async ensureStream(): Promise<void> {
    const { stream, subjectPrefix } = this.config;
    const wanted = `${subjectPrefix}.>`;
    const subjects = stream.subjects ?? [wanted];
    if (!subjects.some((s) => covers(s, wanted))) {
      throw qiError(
        NatsErrors.STREAM_CONFIG,
        `nats: stream.subjects ${JSON.stringify(subjects)} do not cover "${wanted}", where this target publishes`,
        {
          context: { stream: stream.name, subjects, wanted },
        },
      );
    }
    const jsm = this.manager();
    let existing: StreamConfig | undefined;
    try {
      existing = (await jsm.streams.info(stream.name)).config;
    } catch (e) {
      if ((e as { code?: number }).code !== 10059) throw e;
    }
    if (existing) {
      if (!existing.subjects?.some((s) => covers(s, wanted))) {
        throw qiError(
          NatsErrors.STREAM_CONFIG,
          `nats: stream "${stream.name}" exists but captures ${JSON.stringify(existing.subjects ?? [])}, not "${wanted}"; add the subject to the stream or change subjectPrefix`,
          { context: { stream: stream.name, subjects: existing.subjects, wanted } },
        );
      }
      return;
    }
    if (!stream.create) {
      throw qiError(
        NatsErrors.NO_STREAM,
        `nats: stream "${stream.name}" does not exist and stream.create is false; create it with subjects ["${wanted}"]`,
        {
          context: { stream: stream.name },
        },
      );
    }
    await jsm.streams.add({
      name: stream.name,
      subjects,
      storage: stream.storage as StreamConfig['storage'],
      num_replicas: stream.replicas,
      duplicate_window: stream.duplicateWindowMs * NANOS_PER_MS,
      max_age: stream.maxAgeMs * NANOS_PER_MS,
    });
  }

  /** Publishes one message and resolves with the stream's ack (duplicate: true for a replayed id). */
  publish(subject: string, data: Uint8Array, msgId: string, hdrs: Record<string, string>): Promise<PubAck> {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
    return this.client().publish(subject, data, {
      msgID: msgId,
      headers: h,
      timeout: this.config.ackTimeoutMs,
    });
  }

  async close(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    this.state = 'closed';
    if (nc && !nc.isClosed()) await nc.drain();
  }

  /** Not connected yet counts as healthy (nothing failed); a lost connection does not. */
  health(): Record<string, unknown> {
    return {
      ok: this.state === 'idle' || this.state === 'connected',
      connection: this.state,
      server: this.nc?.getServer(),
      stream: this.config.stream.name,
      subjects: `${this.config.subjectPrefix}.>`,
    };
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.state = 'disconnected';
      else if (s.type === 'reconnect') this.state = 'connected';
    }
  }

  private client(): JetStreamClient {
    if (!this.js) throw qiError(NatsErrors.CONNECTION, 'nats: not connected');
    return this.js;
  }

  private manager(): JetStreamManager {
    if (!this.jsm) throw qiError(NatsErrors.CONNECTION, 'nats: not connected');
    return this.jsm;
  }
}

/** Whether subject pattern `pattern` matches every subject `subject` can stand for (NATS wildcards). */
export function covers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i < s.length;
    if (i >= s.length) return false;
    if (p[i] === '*') {
      if (s[i] === '>') return false;
      continue;
    }
    if (p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
