import type * as Plt from '@platformatic/kafka';
import { ok, type Result } from '@qi/core';
import type { StreamingConfig } from '../../config';
import { attempt, classifyStreamingError } from '../../errors';
import type { GroupOffset, PartitionOffsets, StreamingAdmin, TopicDescription, TopicSpec } from '../../types';
import { byTopicPartition } from '../order';
import { baseOptions, type PlatformaticModule } from './base';

const LATEST = -1n;
const EARLIEST = -2n;

export class PlatformaticAdmin implements StreamingAdmin {
  private readonly admin: Plt.Admin;
  private connected = false;

  constructor(
    private readonly lib: PlatformaticModule,
    config: StreamingConfig,
  ) {
    this.admin = new lib.Admin(baseOptions(config));
  }

  async connect(): Promise<Result<void>> {
    const r = await attempt(
      async () => {
        await this.admin.listApis();
      },
      { op: 'admin.connect' },
    );
    if (r.ok) this.connected = true;
    return r;
  }

  createTopics(topics: readonly TopicSpec[]): Promise<Result<string[]>> {
    return attempt(
      async () => {
        const existing = new Set(await this.admin.listTopics({ includeInternals: true }));
        const created: string[] = [];
        // one request per topic: a CreateTopics request's configs apply to every topic in it
        for (const t of topics) {
          if (existing.has(t.topic)) continue;
          try {
            await this.admin.createTopics({
              topics: [t.topic],
              partitions: t.partitions ?? -1,
              replicas: t.replicationFactor ?? -1,
              configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
            });
            created.push(t.topic);
          } catch (e) {
            // created meanwhile by someone else: that is what we wanted
            if (!hasKafkaError(e, 'TOPIC_ALREADY_EXISTS')) throw e;
          }
        }
        if (created.length) await this.waitForLeaders(created);
        return created;
      },
      { op: 'admin.createTopics' },
    );
  }

  listTopics(): Promise<Result<string[]>> {
    return attempt(async () => (await this.admin.listTopics({ includeInternals: false })).sort(), {
      op: 'admin.listTopics',
    });
  }

  async describeTopics(topics: readonly string[]): Promise<Result<TopicDescription[]>> {
    if (topics.length === 0) return ok([]);
    return attempt(
      async () => {
        const meta = await this.admin.metadata({ topics: [...topics], forceUpdate: true });
        const configs = await this.admin.describeConfigs({
          resources: topics.map((name) => ({
            resourceType: this.lib.ConfigResourceTypes.TOPIC,
            resourceName: name,
          })),
        });
        const out: TopicDescription[] = [];
        for (const topic of topics) {
          const m = meta.topics.get(topic);
          if (!m) continue;
          const offsets = await this.offsets(topic, m.partitionsCount);
          const conf = configs.find((c) => c.resourceName === topic);
          out.push({
            topic,
            partitions: m.partitions.map((p, partition) => ({
              partition,
              leader: p.leader,
              replicas: p.replicas,
              isr: p.isr,
              lowWatermark: offsets[partition]?.low ?? '0',
              highWatermark: offsets[partition]?.high ?? '0',
            })),
            configs: Object.fromEntries(
              (conf?.configs ?? []).filter((c) => c.value !== null).map((c) => [c.name, c.value as string]),
            ),
          });
        }
        return out;
      },
      { op: 'admin.describeTopics', topics },
    );
  }

  async deleteTopics(topics: readonly string[]): Promise<Result<void>> {
    if (topics.length === 0) return ok(undefined);
    return attempt(() => this.admin.deleteTopics({ topics: [...topics] }), {
      op: 'admin.deleteTopics',
      topics,
    });
  }

  fetchTopicOffsets(topic: string): Promise<Result<PartitionOffsets[]>> {
    return attempt(
      async () => {
        const meta = await this.admin.metadata({ topics: [topic], forceUpdate: true });
        return this.offsets(topic, meta.topics.get(topic)?.partitionsCount ?? 0);
      },
      { op: 'admin.fetchTopicOffsets', topic },
    );
  }

  async fetchGroupOffsets(groupId: string, topics: readonly string[]): Promise<Result<GroupOffset[]>> {
    if (topics.length === 0) return ok([]);
    const wanted = new Set(topics);
    return attempt(
      async () => {
        const groups = await this.admin.listConsumerGroupOffsets({ groups: [groupId] });
        return groups
          .flatMap((g) => g.topics)
          .filter((t) => wanted.has(t.name))
          .flatMap((t) =>
            t.partitions
              .filter((p) => p.committedOffset >= 0n)
              .map((p) => ({
                topic: t.name,
                partition: p.partitionIndex,
                offset: String(p.committedOffset),
              })),
          )
          .sort(byTopicPartition);
      },
      { op: 'admin.fetchGroupOffsets', topics },
    );
  }

  async disconnect(): Promise<Result<void>> {
    this.connected = false;
    return attempt(() => this.admin.close(), { op: 'admin.disconnect' });
  }

  isConnected(): boolean {
    return this.connected;
  }

  private async offsets(topic: string, count: number): Promise<PartitionOffsets[]> {
    const ask = (timestamp: bigint) =>
      this.admin.listOffsets({
        topics: [
          {
            name: topic,
            partitions: Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp })),
          },
        ],
      });
    const [low, high] = await Promise.all([ask(EARLIEST), ask(LATEST)]);
    const lows = new Map(low[0]?.partitions.map((p) => [p.partitionIndex, p.offset]) ?? []);
    return (high[0]?.partitions ?? [])
      .map((p) => ({
        partition: p.partitionIndex,
        low: String(lows.get(p.partitionIndex) ?? 0n),
        high: String(p.offset),
      }))
      .sort((a, b) => a.partition - b.partition);
  }

  /** New topics answer "leader not available" for a moment; wait until every partition has a leader. */
  private async waitForLeaders(topics: string[]): Promise<void> {
    for (let i = 0; i < 100; i++) {
      try {
        const meta = await this.admin.metadata({ topics, forceUpdate: true });
        if (topics.every((t) => meta.topics.get(t)?.partitions.every((p) => p.leader >= 0))) return;
      } catch (e) {
        if (!classifyStreamingError(e).retryable) throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function hasKafkaError(e: unknown, id: string): boolean {
  const o = e as { apiId?: string; errors?: unknown[]; cause?: unknown } | null;
  if (!o || typeof o !== 'object') return false;
  if (o.apiId === id) return true;
  return (
    (Array.isArray(o.errors) && o.errors.some((x) => hasKafkaError(x, id))) ||
    (o.cause !== undefined && hasKafkaError(o.cause, id))
  );
}
