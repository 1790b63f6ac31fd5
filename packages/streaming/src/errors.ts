import { type ErrorSpec, isQiError, NETWORK_ERRNOS, type QiError, qiError } from '@qi/core';

/** Stable codes of @qi/streaming. Every client library's errors map onto these. */
export const StreamingErrors = {
  NETWORK: { code: 'QI_STREAMING_NETWORK', category: 'network', retryable: true },
  BROKER_RETRIABLE: { code: 'QI_STREAMING_BROKER_RETRIABLE', category: 'unavailable', retryable: true },
  TIMEOUT: { code: 'QI_STREAMING_TIMEOUT', category: 'network', retryable: true },
  AUTHENTICATION: { code: 'QI_STREAMING_AUTHENTICATION', category: 'auth', retryable: false },
  AUTHORIZATION: { code: 'QI_STREAMING_AUTHORIZATION', category: 'auth', retryable: false },
  TOO_LARGE: { code: 'QI_STREAMING_TOO_LARGE', category: 'data', retryable: false },
  INVALID_REQUEST: { code: 'QI_STREAMING_INVALID_REQUEST', category: 'config', retryable: false },
  UNKNOWN_TOPIC: { code: 'QI_STREAMING_UNKNOWN_TOPIC', category: 'not-found', retryable: true },
  CLIENT_MISSING: { code: 'QI_STREAMING_CLIENT_MISSING', category: 'config', retryable: false },
  CODEC_MISSING: { code: 'QI_STREAMING_CODEC_MISSING', category: 'config', retryable: false },
  CONFIG: { code: 'QI_STREAMING_CONFIG', category: 'config', retryable: false },
  NOT_CONNECTED: { code: 'QI_STREAMING_NOT_CONNECTED', category: 'programmer', retryable: false },
  BROKER: { code: 'QI_STREAMING_BROKER', category: 'internal', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

// Kafka protocol error names (kafkajs `type`, @platformatic/kafka `apiId`) that need their own category.
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'MESSAGE_SIZE_TOO_LARGE']);
const AUTHORIZATION = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'DELEGATION_TOKEN_AUTHORIZATION_FAILED',
]);
const AUTHENTICATION = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
]);
const INVALID = new Set([
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_CONFIG',
  'POLICY_VIOLATION',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'TOPIC_DELETION_DISABLED',
  'INVALID_REPLICA_ASSIGNMENT',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);
// transient cluster states (a leader moving, a controller electing, a topic just created): a retry fixes them
const RETRIABLE = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_LEADER_FOR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_CONTROLLER',
  'REQUEST_TIMED_OUT',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'KAFKA_STORAGE_ERROR',
]);
const UNKNOWN_TOPIC = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID']);

interface Leaf {
  error: Record<string, unknown>;
  /** the Kafka protocol error name when there is one */
  kafka?: string;
}

/** Flattens wrappers (kafkajs originalError/cause/errors, platformatic MultipleErrors, AggregateError) to their leaves. */
function leaves(e: unknown, depth = 0, out: Leaf[] = []): Leaf[] {
  if (!e || typeof e !== 'object' || depth > 8) return out;
  const o = e as Record<string, unknown>;
  const kafka =
    typeof o.type === 'string' && /^[A-Z_]+$/.test(o.type)
      ? o.type
      : typeof o.apiId === 'string'
        ? o.apiId
        : undefined;
  out.push(kafka ? { error: o, kafka } : { error: o });
  for (const child of [o.originalError, o.cause]) leaves(child, depth + 1, out);
  if (Array.isArray(o.errors)) for (const child of o.errors) leaves(child, depth + 1, out);
  return out;
}

const text = (l: Leaf) =>
  `${String(l.error.name ?? '')} ${String(l.error.code ?? '')} ${String(l.error.message ?? '')}`;

/**
 * Maps any error of kafkajs, @platformatic/kafka, librdkafka (through rdkafka/errors.ts) or Node's net layer to a
 * QiError. Order matters: auth beats "too large" beats retriable, because a
 * retry cannot fix a missing permission or an oversized record.
 */
export function classifyStreamingError(e: unknown, context: Record<string, unknown> = {}): QiError {
  if (isQiError(e)) return e as QiError;
  const all = leaves(e);
  const top = all[0]?.error;
  const message = messageOf(e);
  const make = (spec: ErrorSpec, msg: string) =>
    qiError(spec, msg, {
      cause: e,
      context: { ...context, ...(kafkaNames(all).length ? { kafka: kafkaNames(all) } : {}) },
    });

  const auth = all.find(
    (l) =>
      (l.kafka && AUTHENTICATION.has(l.kafka)) ||
      /SASLAuthentication|PLT_KFK_AUTHENTICATION|SASL authentication failed/i.test(text(l)),
  );
  if (auth)
    return make(
      StreamingErrors.AUTHENTICATION,
      `Kafka authentication failed: check sasl.mechanism, sasl.username and sasl.password (${messageOf(auth.error)})`,
    );
  const denied = all.find((l) => l.kafka && AUTHORIZATION.has(l.kafka));
  if (denied)
    return make(
      StreamingErrors.AUTHORIZATION,
      `Kafka authorization failed (${denied.kafka}): the principal lacks an ACL for this ${denied.kafka!.split('_')[0]!.toLowerCase()} operation`,
    );
  const large = all.find((l) => l.kafka && TOO_LARGE.has(l.kafka));
  if (large)
    return make(
      StreamingErrors.TOO_LARGE,
      `record too large for the broker or topic (${large.kafka}): raise max.message.bytes or send smaller records`,
    );
  const invalid = all.find((l) => l.kafka && INVALID.has(l.kafka));
  if (invalid)
    return make(StreamingErrors.INVALID_REQUEST, `Kafka rejected the request (${invalid.kafka}): ${message}`);
  // platformatic reports a missing topic as a UserError "Unknown topic <name>."
  const unknown = all.find(
    (l) =>
      (l.kafka && UNKNOWN_TOPIC.has(l.kafka)) ||
      (l.error.code === 'PLT_KFK_USER' && /^Unknown topic /.test(String(l.error.message))),
  );
  if (unknown) return make(StreamingErrors.UNKNOWN_TOPIC, `unknown topic or partition: ${message}`);
  if (
    all.some((l) =>
      /KafkaJSRequestTimeoutError|PLT_KFK_TIMEOUT|KafkaJSTimeout|ERR__TIMED_OUT|ERR__MSG_TIMED_OUT/.test(
        text(l),
      ),
    )
  )
    return make(StreamingErrors.TIMEOUT, `Kafka request timed out: ${message}`);
  if (
    all.some(
      (l) =>
        NETWORK_ERRNOS.has(String(l.error.code)) ||
        /KafkaJSConnection|PLT_KFK_NETWORK|KafkaJSBrokerNotFound|ERR__TRANSPORT|ERR__ALL_BROKERS_DOWN|ERR__RESOLVE|ERR__SSL|Connection (closed|error)|socket hang up/i.test(
          text(l),
        ),
    )
  ) {
    return make(StreamingErrors.NETWORK, `cannot reach the Kafka cluster: ${message}`);
  }
  // the libraries' own verdict: kafkajs `retriable`, platformatic `canRetry` (any leaf saying yes)
  if (
    all.some(
      (l) => l.error.retriable === true || l.error.canRetry === true || (l.kafka && RETRIABLE.has(l.kafka)),
    )
  )
    return make(StreamingErrors.BROKER_RETRIABLE, `Kafka broker error (retriable): ${message}`);
  if (
    top &&
    (top.name === 'KafkaJSNumberOfRetriesExceeded' ||
      top.name === 'KafkaJSMetadataNotLoaded' ||
      top.name === 'KafkaJSLockTimeout')
  ) {
    return make(StreamingErrors.BROKER_RETRIABLE, `Kafka broker error: ${message}`);
  }
  return make(StreamingErrors.BROKER, `Kafka error: ${message}`);
}

function kafkaNames(all: Leaf[]): string[] {
  return [...new Set(all.map((l) => l.kafka).filter((k): k is string => !!k))];
}

function messageOf(e: unknown): string {
  if (e instanceof Error) {
    const o = e as Error & { errors?: unknown[]; originalError?: unknown };
    const inner = o.originalError ?? (Array.isArray(o.errors) && o.errors.length ? o.errors[0] : undefined);
    const innerMsg = inner instanceof Error && inner.message !== e.message ? `: ${inner.message}` : '';
    return `${e.message}${innerMsg}`;
  }
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

/** Runs `fn` and returns a Result, classifying whatever it throws. */
export async function attempt<T>(
  fn: () => Promise<T>,
  context: Record<string, unknown> = {},
): Promise<import('@qi/core').Result<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: classifyStreamingError(e, context) };
  }
}

export function notConnected(what: string): QiError {
  return qiError(
    StreamingErrors.NOT_CONNECTED,
    `${what} is not connected: call connect() first (or use createStreamingClient, which connects for you)`,
  );
}
