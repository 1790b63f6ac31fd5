import {
  BaseReader,
  type Level1Query,
  type Logger,
  type OhlcvQuery,
  type PluginContext,
  qiError,
  RECORD_SPECS,
  type ReaderHandler,
  type RecordSpecs,
  type SourceBatch,
  type StreamOptions,
} from '@qi/core';
import { createRegistryClient, createRegistryCodec } from '@qi/kafka-codec';
import type { StreamingClient } from '@qi/streaming';
import { LatestCache } from './cache';
import { adminOf, consumerOptions, ensureSourceTopics, openStreaming } from './client';
import {
  configSchema,
  queueBound,
  type RedpandaSourceConfig,
  type RedpandaSourceConfigInput,
  topicsOf,
} from './config';
import { classifySourceError, SourceErrors } from './errors';
import { tpKey } from './ownership';
import { ConsumerSession } from './session';

export interface RedpandaReaderHandler extends ReaderHandler {
  readonly groupId: string;
  readonly topics: string[];
  /** the current group membership (undefined before the first stream and after close) */
  readonly session: ConsumerSession | undefined;
  health(): Promise<Record<string, unknown>>;
}

export interface HandlerOptions {
  logger: Logger;
  groupId: string;
  specs?: RecordSpecs;
}

/**
 * The Kafka-protocol ReaderHandler: `stream` joins the consumer group and
 * yields decoded, validated batches whose ack commits their offsets; point
 * queries answer from the latest record seen per instrument (when cacheKeys > 0).
 * One group membership at a time: a new stream ends the previous one.
 */
export function createRedpandaReaderHandler(
  config: RedpandaSourceConfig,
  o: HandlerOptions,
): RedpandaReaderHandler {
  const logger = o.logger;
  const specs = o.specs ?? RECORD_SPECS;
  const topics = topicsOf(config);
  const cache = config.cacheKeys > 0 ? new LatestCache(config.cacheKeys, specs) : undefined;
  const committed = new Map<string, bigint>();
  const registry = config.schemaRegistry
    ? createRegistryCodec(
        createRegistryClient({ ...config.schemaRegistry, compatibility: 'BACKWARD' }, specs),
        specs,
      )
    : undefined;
  let control: StreamingClient | undefined;
  let current: { session: ConsumerSession; streaming: StreamingClient } | undefined;

  const controlClient = async () => (control ??= await openStreaming(config, logger));

  async function endSession(): Promise<void> {
    const c = current;
    current = undefined;
    if (!c) return;
    c.session.stop();
    const r = await c.streaming.disconnect();
    if (!r.ok)
      logger.warn(
        { event: 'redpanda.source.disconnect_failed', err: r.error.message },
        'consumer did not leave the group cleanly',
      );
  }

  async function* stream({ signal, once }: StreamOptions): AsyncGenerator<SourceBatch> {
    await endSession();
    if (signal.aborted) return;
    const admin = await adminOf(await controlClient());
    if (once) {
      // where the group stands: a partition already read to its end is done at once, not after onceIdleMs
      const r = await admin.fetchGroupOffsets(o.groupId, topics);
      if (r.ok) {
        for (const g of r.value) {
          const key = tpKey(g.topic, g.partition);
          const offset = BigInt(g.offset);
          if ((committed.get(key) ?? -1n) < offset) committed.set(key, offset);
        }
      } else
        logger.warn(
          { event: 'redpanda.source.group_offsets_failed', code: r.error.code, err: r.error.message },
          `--once: cannot read the group's committed offsets; idle partitions end after ${config.onceIdleMs} ms`,
        );
    }
    const streaming = await openStreaming(config, logger);
    const consumer = await streaming.getConsumer(consumerOptions(config, o.groupId));
    if (!consumer.ok) {
      await streaming.disconnect();
      throw consumer.error;
    }
    const session = new ConsumerSession({
      consumer: consumer.value,
      topics,
      endOffsets: async (topic) => {
        const r = await admin.fetchTopicOffsets(topic);
        if (!r.ok) throw r.error;
        return r.value;
      },
      maxBatchRecords: config.maxBatchRecords,
      maxBatchWaitMs: config.maxBatchWaitMs,
      maxQueued: queueBound(config),
      maxQueuedBytes: config.maxQueuedBytes,
      rebalanceWaitMs: config.rebalanceWaitMs,
      onceIdleMs: config.onceIdleMs,
      logger,
      specs,
      ...(registry ? { registry } : {}),
      committed,
      ...(cache ? { onRecords: (records) => cache.put(records) } : {}),
    });
    current = { session, streaming };
    logger.info(
      { event: 'redpanda.source.joining', groupId: o.groupId, topics, client: config.client },
      `joining consumer group ${o.groupId}`,
    );
    // joining may wait for a dead member's session to expire: an abort must not wait for it
    const started = session.start();
    started.catch(() => undefined);
    await Promise.race([
      started,
      new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
    ]);
    if (signal.aborted) return;
    await started;
    yield* session.batches(signal, once);
  }

  const queries = cache
    ? {
        async getCurrentPrices(coinIds: readonly string[], vsCurrency: string) {
          return cache.prices(coinIds, vsCurrency);
        },
        async getOHLCV(q: OhlcvQuery) {
          return cache.ohlcv(q);
        },
        async getMarketAnalytics(vsCurrency: string) {
          const a = cache.analytics(vsCurrency);
          if (!a)
            throw qiError(
              SourceErrors.NOT_FOUND,
              `no market analytics in ${vsCurrency} seen on ${topics.join(', ')} yet`,
              { context: { vsCurrency } },
            );
          return a;
        },
        async getLevel1(q: Level1Query) {
          return cache.level1(q);
        },
      }
    : {};

  return {
    groupId: o.groupId,
    topics,
    get session() {
      return current?.session;
    },
    async init() {
      if (config.ensureTopics)
        await ensureSourceTopics(await adminOf(await controlClient()), topics, config, logger, specs);
    },
    ...queries,
    stream,
    classifyError: classifySourceError,
    async close() {
      await endSession();
      const c = control;
      control = undefined;
      if (c) await c.disconnect();
    },
    async health() {
      const base = {
        client: config.client,
        groupId: o.groupId,
        topics,
        cachedInstruments: cache?.size ?? null,
      };
      if (current) return { ...base, ok: current.session.ownership.assigned, ...current.session.health() };
      const h = await (await controlClient()).health();
      return { ...base, ...h.details, ok: h.ok, partitions: 0 };
    },
  };
}

/**
 * BaseReader (retry and breaker of point queries, lifecycle) around the handler.
 * Its stream trusts the handler's validation: every message is decoded and
 * validated against the same DSL schemas by the Redpanda codec (so a bad one is
 * dead-lettered with its topic, partition and offset), and BaseReader's stream
 * would parse each record a second time (~4 µs a record, measured).
 */
export class RedpandaReader extends BaseReader {
  declare readonly handler: RedpandaReaderHandler;

  override async *stream(options: StreamOptions): AsyncIterable<SourceBatch> {
    const init = await this.init();
    if (!init.ok) throw init.error;
    yield* this.handler.stream(options);
  }
}

/** The plugin's reader. */
export function createRedpandaReader(
  input: RedpandaSourceConfigInput | RedpandaSourceConfig,
  ctx: Pick<PluginContext, 'name' | 'logger' | 'pipeline'>,
  specs?: RecordSpecs,
): RedpandaReader {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`)
      .join('; ');
    throw qiError(SourceErrors.CONFIG, `invalid @qi/source-redpanda config: ${issues}`);
  }
  const config = parsed.data;
  // the host already binds the plugin name: binding it twice writes the key twice in every line
  const logger = ctx.logger.bindings().plugin
    ? ctx.logger
    : ctx.logger.child({ plugin: '@qi/source-redpanda' });
  const handler = createRedpandaReaderHandler(config, {
    logger,
    groupId: config.groupId ?? `qi.${ctx.pipeline}`,
    ...(specs ? { specs } : {}),
  });
  return new RedpandaReader({ name: ctx.name, handler, logger: ctx.logger, ...(specs ? { specs } : {}) });
}
