import type { Clock, HealthStatus, Result } from '@qi/core';
import type { ClientName } from './config';

/**
 * The transport's data model: schema-agnostic bytes. What the value means
 * (JSON, Avro, …) is the caller's business, never this package's.
 */
export interface StreamingMessage {
  /** the partitioning key; messages with equal keys land in the same partition */
  key?: string | Buffer | null;
  value: Buffer;
  headers?: Record<string, string>;
  /** create time, epoch ms or Date (default: now, set by the client) */
  timestamp?: number | Date;
  /** explicit partition; overrides the key's partition */
  partition?: number;
}

export interface TopicMessages {
  topic: string;
  messages: readonly StreamingMessage[];
}

/** Where a send landed: one entry per topic-partition the send touched. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  /** offset of the first message written to this partition by the call, as a decimal string */
  baseOffset: string;
}

export interface ProduceReport {
  /** messages acknowledged */
  count: number;
  partitions: PartitionOffset[];
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  /** decimal string: Kafka offsets are int64 */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** create (or log-append) time, epoch ms */
  timestamp: number;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /** the partition's end offset when fetched (next offset to be written), when the client reports it */
  highWatermark?: string;
}

export interface TopicPartitions {
  topic: string;
  /** all assigned partitions when omitted */
  partitions?: number[];
}

/** An offset to commit: the NEXT offset to read (last processed + 1), as Kafka defines it. */
export interface CommitOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface ProducerOptions {
  /** exactly-once per partition within a producer session (needs acks -1) (default true) */
  idempotent?: boolean;
  /** -1 = all in-sync replicas (default), 1 = leader, 0 = none */
  acks?: -1 | 0 | 1;
  compression?: Compression;
  /** broker-side ack timeout, ms (default 30000) */
  ackTimeoutMs?: number;
}

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface ConsumerOptions {
  groupId: string;
  /** where a group with no committed offset starts (default false: latest) */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** max bytes per fetch response (default 10 MiB) */
  maxBytes?: number;
  /** how long the broker may hold a fetch waiting for data, ms (default 500) */
  maxWaitMs?: number;
  /**
   * What a connector may hold fetched but not yet delivered, beyond the fetch in flight: the
   * messages of paused partitions (platformatic) or a prefetch queue (a client with one). Past this
   * many messages (default 10000) or `maxHeldBytes` (payloads plus ~256 B each, default 16 MiB)
   * the consumer stops reading until some are released. kafkajs holds nothing: it stops fetching
   * a paused partition itself.
   */
  maxHeldMessages?: number;
  maxHeldBytes?: number;
  /** time source of the consumer's own waits (platformatic: restart backoff, redelivery pause); default the system clock */
  clock?: Clock;
}

export interface RebalanceHooks {
  /** partitions now owned by this member (after every join) */
  onAssigned?(assignment: TopicPartitions[]): void | Promise<void>;
  /** a rebalance started: partitions may be taken away; commit what is done */
  onRevoking?(): void | Promise<void>;
}

export interface ConsumerRunOptions extends RebalanceHooks {
  /**
   * Called with the messages of one partition, in offset order. Resolving marks
   * them consumed (the next batch continues after them) but COMMITS NOTHING:
   * call `commitOffsets` when they are durable downstream. Throwing redelivers
   * the batch. Batches of different partitions may be processed concurrently
   * when `partitionsConsumedConcurrently` > 1.
   */
  eachBatch(batch: ConsumedBatch): Promise<void>;
  partitionsConsumedConcurrently?: number;
}

export interface TopicSpec {
  topic: string;
  /** default: the broker's num.partitions */
  partitions?: number;
  /** default: the broker's default.replication.factor */
  replicationFactor?: number;
  /** broker-side topic configs, e.g. { 'retention.ms': '86400000' } */
  configs?: Record<string, string>;
}

export interface PartitionDescription {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  /** earliest offset still held */
  lowWatermark: string;
  /** end offset: the offset the next message will get */
  highWatermark: string;
}

export interface TopicDescription {
  topic: string;
  partitions: PartitionDescription[];
  /** every topic config the broker reports (defaults included) */
  configs: Record<string, string>;
}

export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

/** A consumer group's committed position in one partition: the offset of the next message it will read. */
export interface GroupOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** Every producer, whatever the client library. All methods return Results and never throw. */
export interface StreamingProducer {
  connect(): Promise<Result<void>>;
  send(topic: string, message: StreamingMessage): Promise<Result<ProduceReport>>;
  /** one request per broker for many topics and messages; all acknowledged or an error */
  sendBatch(batch: readonly TopicMessages[]): Promise<Result<ProduceReport>>;
  disconnect(): Promise<Result<void>>;
  isConnected(): boolean;
}

/**
 * A consumer group member. Offsets are committed only by `commitOffsets`
 * (never automatically), so what was processed but not committed is redelivered
 * after a restart: at-least-once.
 */
export interface StreamingConsumer {
  connect(): Promise<Result<void>>;
  subscribe(opts: { topics: string[] }): Promise<Result<void>>;
  /** starts consuming in the background; resolves once the loop runs */
  run(opts: ConsumerRunOptions): Promise<Result<void>>;
  pause(partitions: readonly TopicPartitions[]): Result<void>;
  resume(partitions: readonly TopicPartitions[]): Result<void>;
  /** the next fetch of this partition starts at `offset` (a decimal string) */
  seek(topic: string, partition: number, offset: string): Promise<Result<void>>;
  commitOffsets(offsets: readonly CommitOffset[]): Promise<Result<void>>;
  /** stops the loop, leaves the group */
  disconnect(): Promise<Result<void>>;
  isConnected(): boolean;
}

export interface StreamingAdmin {
  connect(): Promise<Result<void>>;
  /** creates the topics that do not exist; returns the names it created (existing ones are not an error) */
  createTopics(topics: readonly TopicSpec[]): Promise<Result<string[]>>;
  listTopics(): Promise<Result<string[]>>;
  describeTopics(topics: readonly string[]): Promise<Result<TopicDescription[]>>;
  deleteTopics(topics: readonly string[]): Promise<Result<void>>;
  fetchTopicOffsets(topic: string): Promise<Result<PartitionOffsets[]>>;
  /** the group's committed offsets in these topics; partitions with no commit are left out */
  fetchGroupOffsets(groupId: string, topics: readonly string[]): Promise<Result<GroupOffset[]>>;
  disconnect(): Promise<Result<void>>;
  isConnected(): boolean;
}

/** What a client library adapter provides. */
export interface StreamingConnector {
  readonly name: ClientName;
  createProducer(opts?: ProducerOptions): StreamingProducer;
  createConsumer(opts: ConsumerOptions): StreamingConsumer;
  createAdmin(): StreamingAdmin;
}

export type { ClientName };

export interface StreamingClient {
  readonly connectorName: ClientName;
  /** a connected producer; the same instance for the same options */
  getProducer(opts?: ProducerOptions): Promise<Result<StreamingProducer>>;
  /** a connected consumer; one per group id */
  getConsumer(opts: ConsumerOptions): Promise<Result<StreamingConsumer>>;
  /** a connected admin client, shared */
  getAdmin(): Promise<Result<StreamingAdmin>>;
  /** can the cluster be reached (a metadata round trip) */
  health(): Promise<HealthStatus>;
  /** disconnects every cached producer, consumer and admin */
  disconnect(): Promise<Result<void>>;
}
