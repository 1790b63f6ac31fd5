import type { RdkafkaModule } from './base';

// librdkafka names Kafka's protocol errors ERR_<NAME>; these differ from the protocol's own names
const RENAMED: Record<string, string> = {
  UNKNOWN_TOPIC_OR_PART: 'UNKNOWN_TOPIC_OR_PARTITION',
  MSG_SIZE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  MSG_SET_TOO_LARGE: 'RECORD_LIST_TOO_LARGE',
  TOPIC_EXCEPTION: 'INVALID_TOPIC_EXCEPTION',
  NOT_LEADER_FOR_PARTITION: 'NOT_LEADER_OR_FOLLOWER',
  COORDINATOR_LOAD_IN_PROGRESS: 'COORDINATOR_LOAD_IN_PROGRESS',
};
// librdkafka's own (negative, ERR__<NAME>) codes that mean a Kafka condition our table knows
const LOCAL: Record<string, string> = {
  AUTHENTICATION: 'SASL_AUTHENTICATION_FAILED',
  UNKNOWN_TOPIC: 'UNKNOWN_TOPIC_OR_PARTITION',
  UNKNOWN_PARTITION: 'UNKNOWN_TOPIC_OR_PARTITION',
  MSG_SIZE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
};

/**
 * A librdkafka error as the shared classifier reads it: `type` is the Kafka protocol error
 * name (as kafkajs reports it), `name` librdkafka's own code name (ERR__TRANSPORT, …, which
 * the classifier knows for network and timeout failures), `retriable` librdkafka's verdict.
 */
export function fromRdkafka(lib: RdkafkaModule, e: unknown): unknown {
  const o = e as { code?: unknown; message?: unknown; isRetriable?: boolean } | null;
  if (!o || typeof o !== 'object' || typeof o.code !== 'number') return e;
  const name = codeName(lib, o.code);
  const local = name?.startsWith('ERR__');
  const bare = name?.replace(/^ERR__?/, '');
  const type = bare ? (local ? LOCAL[bare] : (RENAMED[bare] ?? bare)) : undefined;
  return {
    name: name ?? 'LibrdKafkaError',
    message: String(o.message ?? name ?? 'librdkafka error'),
    ...(type ? { type } : {}),
    retriable: o.isRetriable === true,
    cause: e,
  };
}

let names: Map<number, string> | undefined;
function codeName(lib: RdkafkaModule, code: number): string | undefined {
  if (!names) {
    const table = (lib.CODES?.ERRORS ?? {}) as Record<string, number>;
    names = new Map(Object.entries(table).map(([k, v]) => [v, k]));
  }
  return names.get(code);
}
