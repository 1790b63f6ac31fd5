import { err, ok, type Result } from '@qi/core';
import type * as KafkaJS from 'kafkajs';
import { attempt, classifyStreamingError } from '../../errors';
import type { GroupOffset, PartitionOffsets, StreamingAdmin, TopicDescription, TopicSpec } from '../../types';
import { byTopicPartition } from '../order';
import type { KafkajsModule } from './module';

/**
 * kafkajs's admin remembers every topic it has seen and refreshes their metadata
 * on each call; once another client deletes one of them, every later call fails
 * with UNKNOWN_TOPIC_OR_PARTITION. So metadata calls that fail that way are
 * retried once on a fresh admin client.
 */
export class KafkajsAdmin implements StreamingAdmin {
  private admin: KafkaJS.Admin;
  private connected = false;

  constructor(
    private readonly kafka: KafkaJS.Kafka,
    private readonly lib: KafkajsModule,
  ) {
    this.admin = kafka.admin();
  }

  async connect(): Promise<Result<void>> {
    const r = await attempt(() => this.admin.connect(), { op: 'admin.connect' });
    if (r.ok) this.connected = true;
    return r;
  }

  async createTopics(topics: readonly TopicSpec[]): Promise<Result<string[]>> {
    return this.run('admin.createTopics', async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      const created: string[] = [];
      // one request per topic: kafkajs answers `false` when a topic already exists (a broker's
      // topic list can lag a creation a moment ago), and for a batch it cannot say which one
      for (const t of missing) {
        const made = await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: t.topic,
              ...(t.partitions ? { numPartitions: t.partitions } : {}),
              ...(t.replicationFactor ? { replicationFactor: t.replicationFactor } : {}),
              configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
            },
          ],
        });
        if (made) created.push(t.topic);
      }
      return created;
    });
  }

  async listTopics(): Promise<Result<string[]>> {
    return this.run('admin.listTopics', async (admin) =>
      (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort(),
    );
  }

  async describeTopics(topics: readonly string[]): Promise<Result<TopicDescription[]>> {
    if (topics.length === 0) return ok([]);
    return this.run('admin.describeTopics', async (admin) => {
      const meta = await admin.fetchTopicMetadata({ topics: [...topics] });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: this.lib.ConfigResourceTypes.TOPIC, name })),
      });
      const out: TopicDescription[] = [];
      for (const t of meta.topics) {
        const offsets = new Map((await admin.fetchTopicOffsets(t.name)).map((o) => [o.partition, o]));
        const res = configs.resources.find((r) => r.resourceName === t.name);
        out.push({
          topic: t.name,
          partitions: t.partitions
            .map((p) => ({
              partition: p.partitionId,
              leader: p.leader,
              replicas: p.replicas,
              isr: p.isr,
              lowWatermark: offsets.get(p.partitionId)?.low ?? '0',
              highWatermark: offsets.get(p.partitionId)?.high ?? '0',
            }))
            .sort((a, b) => a.partition - b.partition),
          configs: Object.fromEntries((res?.configEntries ?? []).map((c) => [c.configName, c.configValue])),
        });
      }
      return out;
    });
  }

  async deleteTopics(topics: readonly string[]): Promise<Result<void>> {
    if (topics.length === 0) return ok(undefined);
    return this.run('admin.deleteTopics', (admin) => admin.deleteTopics({ topics: [...topics] }));
  }

  async fetchTopicOffsets(topic: string): Promise<Result<PartitionOffsets[]>> {
    return this.run('admin.fetchTopicOffsets', async (admin) =>
      (await admin.fetchTopicOffsets(topic))
        .map((o) => ({ partition: o.partition, low: o.low, high: o.high }))
        .sort((a, b) => a.partition - b.partition),
    );
  }

  async fetchGroupOffsets(groupId: string, topics: readonly string[]): Promise<Result<GroupOffset[]>> {
    if (topics.length === 0) return ok([]);
    return this.run('admin.fetchGroupOffsets', async (admin) =>
      (await admin.fetchOffsets({ groupId, topics: [...topics] }))
        .flatMap((t) =>
          t.partitions
            // kafkajs reports "-1" for a partition the group never committed
            .filter((p) => BigInt(p.offset) >= 0n)
            .map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })),
        )
        .sort(byTopicPartition),
    );
  }

  async disconnect(): Promise<Result<void>> {
    this.connected = false;
    return attempt(() => this.admin.disconnect(), { op: 'admin.disconnect' });
  }

  isConnected(): boolean {
    return this.connected;
  }

  private async run<T>(op: string, fn: (admin: KafkaJS.Admin) => Promise<T>): Promise<Result<T>> {
    if (!this.connected) {
      const c = await this.connect();
      if (!c.ok) return c;
    }
    try {
      return ok(await fn(this.admin));
    } catch (e) {
      const first = classifyStreamingError(e, { op });
      if (first.code !== 'QI_STREAMING_UNKNOWN_TOPIC') return err(first);
      // stale topic set (see the class comment): start over with a fresh admin, once
      await this.admin.disconnect().catch(() => undefined);
      this.admin = this.kafka.admin();
      this.connected = false;
      const c = await this.connect();
      if (!c.ok) return c;
      return attempt(() => fn(this.admin), { op });
    }
  }
}
