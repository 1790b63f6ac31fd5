import { err, type HealthStatus, type Logger, ok, qiError, type Result, silentLogger } from '@qi/core';
import {
  redactConfig,
  type StreamingConfig,
  type StreamingConfigInput,
  streamingConfigSchema,
} from './config';
import { createConnector } from './connectors/index';
import type { Importer } from './connectors/load';
import { classifyStreamingError, StreamingErrors } from './errors';
import type {
  ConsumerOptions,
  ProducerOptions,
  StreamingAdmin,
  StreamingClient,
  StreamingConnector,
  StreamingConsumer,
  StreamingProducer,
} from './types';

export interface StreamingClientOptions {
  logger?: Logger;
  /** how optional client libraries are imported (tests) */
  importer?: Importer;
}

/**
 * The transport's entry point: validates the config, loads the chosen client
 * library, and hands out connected producers/consumers/admins, cached so a
 * second ask returns the same connection; `disconnect` closes them all.
 */
export async function createStreamingClient(
  input: StreamingConfigInput,
  opts: StreamingClientOptions = {},
): Promise<Result<StreamingClient>> {
  const parsed = streamingConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`)
      .join('; ');
    return err(qiError(StreamingErrors.CONFIG, `invalid streaming config: ${issues}`));
  }
  const logger = (opts.logger ?? silentLogger()).child({ component: 'qi:streaming' });
  const connector = await createConnector(parsed.data, logger, opts.importer);
  if (!connector.ok) return connector;
  logger.debug(
    { event: 'streaming.client.created', config: redactConfig(parsed.data) },
    'streaming client created',
  );
  return ok(new CachingClient(parsed.data, connector.value, logger));
}

class CachingClient implements StreamingClient {
  private readonly producers = new Map<string, Promise<Result<StreamingProducer>>>();
  private readonly consumers = new Map<string, Promise<Result<StreamingConsumer>>>();
  private admin: Promise<Result<StreamingAdmin>> | undefined;

  constructor(
    readonly config: StreamingConfig,
    private readonly connector: StreamingConnector,
    private readonly logger: Logger,
  ) {}

  get connectorName() {
    return this.connector.name;
  }

  getProducer(opts: ProducerOptions = {}): Promise<Result<StreamingProducer>> {
    const key = JSON.stringify([
      opts.idempotent ?? true,
      opts.acks ?? -1,
      opts.compression ?? 'none',
      opts.ackTimeoutMs ?? 30_000,
    ]);
    return this.cached(this.producers, key, () => this.connector.createProducer(opts));
  }

  getConsumer(opts: ConsumerOptions): Promise<Result<StreamingConsumer>> {
    return this.cached(this.consumers, opts.groupId, () => this.connector.createConsumer(opts));
  }

  getAdmin(): Promise<Result<StreamingAdmin>> {
    this.admin ??= this.connect(() => this.connector.createAdmin()).then((r) => {
      if (!r.ok) this.admin = undefined;
      return r;
    });
    return this.admin;
  }

  async health(): Promise<HealthStatus> {
    const admin = await this.getAdmin();
    if (!admin.ok)
      return {
        ok: false,
        details: { client: this.connector.name, error: admin.error.message, code: admin.error.code },
      };
    const topics = await admin.value.listTopics();
    return topics.ok
      ? {
          ok: true,
          details: { client: this.connector.name, brokers: this.config.brokers, topics: topics.value.length },
        }
      : {
          ok: false,
          details: { client: this.connector.name, error: topics.error.message, code: topics.error.code },
        };
  }

  async disconnect(): Promise<Result<void>> {
    const all = [...this.producers.values(), ...this.consumers.values(), ...(this.admin ? [this.admin] : [])];
    this.producers.clear();
    this.consumers.clear();
    this.admin = undefined;
    let first: Result<void> = ok(undefined);
    for (const pending of all) {
      const c = await pending;
      if (!c.ok) continue;
      const r = await c.value.disconnect();
      if (!r.ok && first.ok) first = r;
    }
    this.logger.debug(
      { event: 'streaming.client.disconnected', clients: all.length },
      'streaming client disconnected',
    );
    return first;
  }

  private cached<T extends { connect(): Promise<Result<void>> }>(
    map: Map<string, Promise<Result<T>>>,
    key: string,
    make: () => T,
  ): Promise<Result<T>> {
    let p = map.get(key);
    if (!p) {
      p = this.connect(make).then((r) => {
        if (!r.ok) map.delete(key);
        return r;
      });
      map.set(key, p);
    }
    return p;
  }

  private async connect<T extends { connect(): Promise<Result<void>> }>(
    make: T | (() => T),
  ): Promise<Result<T>> {
    let c: T;
    try {
      c = typeof make === 'function' ? (make as () => T)() : make;
    } catch (e) {
      return err(classifyStreamingError(e, { op: 'create' }));
    }
    const r = await c.connect();
    return r.ok ? ok(c) : r;
  }
}
