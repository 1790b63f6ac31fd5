import type * as Rd from '@confluentinc/kafka-javascript';
import { err, type Logger, ok, type Result } from '@qi/core';
import type { StreamingConfig } from '../../config';
import { classifyStreamingError } from '../../errors';
import type { GroupOffset, PartitionOffsets, StreamingAdmin, TopicDescription, TopicSpec } from '../../types';
import { byTopicPartition } from '../order';
import { baseProperties, bridgeEvents, call, connectError, type RdkafkaModule } from './base';
import { describeTopicConfigs } from './describe-configs';
import { fromRdkafka } from './errors';

/** librdkafka's admin client; topic configs, which its binding cannot describe, come from describe-configs.ts. */
export class RdkafkaAdmin implements StreamingAdmin {
  private admin: Rd.IAdminClient | undefined;
  private readonly timeout: number;

  constructor(
    private readonly lib: RdkafkaModule,
    private readonly config: StreamingConfig,
    private readonly logger: Logger,
  ) {
    this.timeout = config.requestTimeoutMs;
  }

  async connect(): Promise<Result<void>> {
    const events: Record<string, (...a: never[]) => void> = {};
    const bridge = { on: (event: string, fn: (...a: never[]) => void) => (events[event] = fn) };
    const heard = bridgeEvents(bridge, this.logger, 'admin');
    this.admin = this.lib.AdminClient.create(
      baseProperties(this.config, this.logger) as Rd.GlobalConfig,
      events as Rd.EventHandlers,
    );
    // creating the client contacts nothing: ask the cluster once, so a connect means reachable
    const timeout = Math.max(1000, this.config.connectionTimeoutMs) * (this.config.retries + 1);
    const r = await this.run('admin.connect', (a) => call<string[]>((cb) => a.listTopics({ timeout }, cb)));
    if (!r.ok) {
      this.admin.disconnect();
      this.admin = undefined;
      if (heard.authFailure)
        return err(classifyStreamingError(connectError(heard, r.error), { op: 'admin.connect' }));
      return r;
    }
    return ok(undefined);
  }

  createTopics(topics: readonly TopicSpec[]): Promise<Result<string[]>> {
    return this.run('admin.createTopics', async (a) => {
      const existing = new Set(await call<string[]>((cb) => a.listTopics({ timeout: this.timeout }, cb)));
      const created: string[] = [];
      for (const t of topics) {
        if (existing.has(t.topic)) continue;
        const spec: Rd.NewTopic = {
          topic: t.topic,
          num_partitions: t.partitions ?? -1,
          replication_factor: t.replicationFactor ?? -1,
          ...(t.configs && Object.keys(t.configs).length ? { config: t.configs } : {}),
        };
        try {
          await call((cb) => a.createTopic(spec, this.timeout, (e) => cb(e, undefined)));
          created.push(t.topic);
        } catch (e) {
          // created meanwhile by someone else: that is what we wanted
          if ((e as { code?: number }).code !== this.lib.CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS) throw e;
        }
      }
      if (created.length) await this.waitForLeaders(a, created);
      return created;
    });
  }

  listTopics(): Promise<Result<string[]>> {
    return this.run('admin.listTopics', async (a) =>
      (await call<string[]>((cb) => a.listTopics({ timeout: this.timeout }, cb)))
        .filter((t) => !t.startsWith('__'))
        .sort(),
    );
  }

  async describeTopics(topics: readonly string[]): Promise<Result<TopicDescription[]>> {
    if (topics.length === 0) return ok([]);
    const described = await this.run('admin.describeTopics', async (a) => {
      const present = new Set(await call<string[]>((cb) => a.listTopics({ timeout: this.timeout }, cb)));
      const wanted = topics.filter((t) => present.has(t));
      if (!wanted.length) return [];
      const meta = await call<Rd.TopicDescription[]>((cb) =>
        a.describeTopics([...wanted], { timeout: this.timeout }, cb),
      );
      const out: TopicDescription[] = [];
      for (const m of meta) {
        if (m.error) throw m.error;
        const offsets = await this.offsets(a, m.name, m.partitions.length);
        out.push({
          topic: m.name,
          partitions: m.partitions
            .map((p) => ({
              partition: p.partition,
              leader: p.leader?.id ?? -1,
              replicas: p.replicas.map((n) => n.id),
              isr: p.isr.map((n) => n.id),
              lowWatermark: offsets[p.partition]?.low ?? '0',
              highWatermark: offsets[p.partition]?.high ?? '0',
            }))
            .sort((x, y) => x.partition - y.partition),
          configs: {},
        });
      }
      return out;
    });
    if (!described.ok || described.value.length === 0) return described;
    const configs = await describeTopicConfigs(
      this.config,
      described.value.map((d) => d.topic),
    );
    if (!configs.ok) return configs;
    return ok(described.value.map((d) => ({ ...d, configs: configs.value[d.topic] ?? {} })));
  }

  async deleteTopics(topics: readonly string[]): Promise<Result<void>> {
    if (topics.length === 0) return ok(undefined);
    return this.run('admin.deleteTopics', async (a) => {
      for (const t of topics) await call((cb) => a.deleteTopic(t, this.timeout, (e) => cb(e, undefined)));
    });
  }

  fetchTopicOffsets(topic: string): Promise<Result<PartitionOffsets[]>> {
    return this.run('admin.fetchTopicOffsets', async (a) => {
      const [m] = await call<Rd.TopicDescription[]>((cb) =>
        a.describeTopics([topic], { timeout: this.timeout }, cb),
      );
      // a topic the broker does not know (yet) is an error, as with the other connectors, not "no partitions"
      if (!m || m.error)
        throw (
          m?.error ?? {
            code: this.lib.CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART,
            message: `unknown topic ${topic}`,
          }
        );
      return this.offsets(a, topic, m.partitions.length);
    });
  }

  async fetchGroupOffsets(groupId: string, topics: readonly string[]): Promise<Result<GroupOffset[]>> {
    if (topics.length === 0) return ok([]);
    const wanted = new Set(topics);
    return this.run('admin.fetchGroupOffsets', async (a) => {
      const groups = await call<Rd.GroupResults[]>((cb) =>
        a.listConsumerGroupOffsets([{ groupId }], { timeout: this.timeout }, cb),
      );
      return groups
        .flatMap((g) => g.partitions)
        .filter((p) => wanted.has(p.topic) && p.offset >= 0 && !p.error)
        .map((p) => ({ topic: p.topic, partition: p.partition, offset: String(p.offset) }))
        .sort(byTopicPartition);
    });
  }

  async disconnect(): Promise<Result<void>> {
    this.admin?.disconnect();
    this.admin = undefined;
    return ok(undefined);
  }

  isConnected(): boolean {
    return this.admin !== undefined;
  }

  private async run<T>(op: string, fn: (a: Rd.IAdminClient) => Promise<T>): Promise<Result<T>> {
    if (!this.admin) return err(classifyStreamingError(new Error('admin is not connected'), { op }));
    try {
      return ok(await fn(this.admin));
    } catch (e) {
      return err(classifyStreamingError(fromRdkafka(this.lib, e), { op }));
    }
  }

  private async offsets(a: Rd.IAdminClient, topic: string, count: number): Promise<PartitionOffsets[]> {
    const ask = (offset: Rd.OffsetSpec) =>
      call<Rd.ListOffsetsResult[]>((cb) =>
        a.listOffsets(
          Array.from({ length: count }, (_, partition) => ({ topic, partition, offset })),
          { timeout: this.timeout },
          cb,
        ),
      );
    const spec = this.lib.OffsetSpec as unknown as typeof Rd.OffsetSpec;
    let [low, high] = await Promise.all([ask(spec.EARLIEST), ask(spec.LATEST)]);
    // a partition whose leader just moved (or was just elected) answers -1 for a moment
    for (let i = 0; i < 50 && [...low, ...high].some((p) => p.offset < 0 || p.error); i++) {
      await new Promise((r) => setTimeout(r, 100));
      [low, high] = await Promise.all([ask(spec.EARLIEST), ask(spec.LATEST)]);
    }
    const lows = new Map(low.map((p) => [p.partition, p.offset]));
    return high
      .map((p) => ({
        partition: p.partition,
        low: String(lows.get(p.partition) ?? 0),
        high: String(p.offset),
      }))
      .sort((x, y) => x.partition - y.partition);
  }

  /** New topics answer "leader not available" for a moment; wait until every partition has a leader. */
  private async waitForLeaders(a: Rd.IAdminClient, topics: string[]): Promise<void> {
    for (let i = 0; i < 100; i++) {
      try {
        const meta = await call<Rd.TopicDescription[]>((cb) =>
          a.describeTopics(topics, { timeout: this.timeout }, cb),
        );
        // a topic the broker does not show yet comes back with an error and no partitions
        const ready = (t: Rd.TopicDescription) =>
          !t.error && t.partitions.length > 0 && t.partitions.every((p) => p.leader);
        if (meta.length === topics.length && meta.every(ready)) {
          // and the whole-cluster listing (what listTopics reads) has them too
          const listed = new Set(await call<string[]>((cb) => a.listTopics({ timeout: this.timeout }, cb)));
          if (topics.every((t) => listed.has(t))) return;
        }
      } catch (e) {
        if (!classifyStreamingError(fromRdkafka(this.lib, e)).retryable) throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
