import { RECORD_KINDS, RECORD_SPECS, type RecordSpecs } from '../specs';

export interface TopicConfig {
  kind: string;
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** broker-side topic configs */
  configs: Record<string, string>;
}

export interface TopicOptions {
  prefix?: string; // default "qi."
  partitions?: number; // default 6
  replicationFactor?: number; // default 1
  retentionMs?: number; // default 7 days
  compression?: string; // broker compression.type, default "producer"
  specs?: RecordSpecs;
}

const DAY_MS = 86_400_000;

export function generateTopics(opts: TopicOptions = {}): TopicConfig[] {
  const specs = opts.specs ?? RECORD_SPECS;
  return RECORD_KINDS.map((kind) => ({
    kind,
    topic: `${opts.prefix ?? 'qi.'}${specs[kind].name}`,
    partitions: opts.partitions ?? 6,
    replicationFactor: opts.replicationFactor ?? 1,
    configs: {
      'cleanup.policy': 'delete',
      'retention.ms': String(opts.retentionMs ?? 7 * DAY_MS),
      'compression.type': opts.compression ?? 'producer',
      'message.timestamp.type': 'CreateTime',
    },
  }));
}
