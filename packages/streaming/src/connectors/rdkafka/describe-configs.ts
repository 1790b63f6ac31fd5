import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { err, isQiError, ok, type QiError, qiError, type Result } from '@qi/core';
import type { SaslConfig, StreamingConfig } from '../../config';
import { classifyStreamingError, StreamingErrors } from '../../errors';
import { type BrokerConnection, openConnection, Writer } from './wire';

/**
 * DescribeConfigs over the wire, because librdkafka's AdminClient in
 * @confluentinc/kafka-javascript has none (upstream issue #444) and
 * `describeTopics` must report every topic config, defaults included.
 */

const API = { SASL_HANDSHAKE: 17, DESCRIBE_CONFIGS: 32, SASL_AUTHENTICATE: 36 } as const;
const RESOURCE_TOPIC = 2;

// the protocol error codes these requests return that our error table tells apart (errors.ts maps the names)
const KAFKA_ERRORS: Record<number, string> = {
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  5: 'LEADER_NOT_AVAILABLE',
  7: 'REQUEST_TIMED_OUT',
  17: 'INVALID_TOPIC_EXCEPTION',
  29: 'TOPIC_AUTHORIZATION_FAILED',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  33: 'UNSUPPORTED_SASL_MECHANISM',
  34: 'ILLEGAL_SASL_STATE',
  35: 'UNSUPPORTED_VERSION',
  41: 'NOT_CONTROLLER',
  58: 'SASL_AUTHENTICATION_FAILED',
  100: 'UNKNOWN_TOPIC_ID',
};

const kafkaName = (code: number) => KAFKA_ERRORS[code] ?? `error code ${code}`;

/** topic -> every config the broker reports (defaults included; sensitive, null-valued ones left out). */
export async function describeTopicConfigs(
  config: StreamingConfig,
  topics: readonly string[],
): Promise<Result<Record<string, Record<string, string>>>> {
  const names = [...new Set(topics)];
  if (names.length === 0) return ok({});
  let conn: BrokerConnection | undefined;
  try {
    conn = await connectAny(config);
    if (config.sasl) await authenticate(conn, config.sasl);
    return ok(await describeConfigs(conn, names));
  } catch (e) {
    return err(
      isQiError(e) ? (e as QiError) : classifyStreamingError(e, { operation: 'describeTopicConfigs' }),
    );
  } finally {
    conn?.close();
  }
}

/** The brokers in order until one connects; all failing reports each one's reason. */
async function connectAny(config: StreamingConfig): Promise<BrokerConnection> {
  const failures: QiError[] = [];
  for (const broker of config.brokers) {
    try {
      return await openConnection(broker, config);
    } catch (e) {
      failures.push(e as QiError);
    }
  }
  if (failures.length === 1) throw failures[0];
  const last = failures[failures.length - 1]!;
  const spec = last.code === StreamingErrors.TIMEOUT.code ? StreamingErrors.TIMEOUT : StreamingErrors.NETWORK;
  throw qiError(spec, `no Kafka broker reachable: ${failures.map((f) => f.message).join('; ')}`, {
    cause: last,
    context: { brokers: config.brokers },
  });
}

/** DescribeConfigs v1 (v0 is gone in Kafka 4), config_names null = all, no synonyms. */
async function describeConfigs(
  conn: BrokerConnection,
  topics: readonly string[],
): Promise<Record<string, Record<string, string>>> {
  const body = new Writer()
    .array(topics, (w, topic) => w.int8(RESOURCE_TOPIC).string(topic).int32(-1))
    .int8(0)
    .toBuffer();
  const r = await conn.request(API.DESCRIBE_CONFIGS, 1, body, 'DescribeConfigs');
  r.int32(); // throttle_time_ms
  const results = r.array(() => {
    const errorCode = r.int16();
    const errorMessage = r.nullableString();
    r.int8(); // resource_type
    const name = r.string();
    const configs = r.array(() => {
      const entry = { name: r.string(), value: r.nullableString() };
      r.bool(); // read_only
      r.int8(); // config_source
      r.bool(); // is_sensitive
      r.array(() => [r.string(), r.nullableString(), r.int8()]); // synonyms (none asked for)
      return entry;
    });
    return { errorCode, errorMessage, name, configs };
  });
  const out: Record<string, Record<string, string>> = {};
  for (const res of results) {
    if (res.errorCode !== 0) throw brokerError(res.errorCode, res.errorMessage, res.name);
    out[res.name] = Object.fromEntries(
      res.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value as string]),
    );
  }
  const missing = topics.filter((t) => !(t in out));
  if (missing.length)
    throw qiError(StreamingErrors.BROKER, `DescribeConfigs response lacks topics ${missing.join(', ')}`);
  return out;
}

// classified like the other connectors' errors: the table in errors.ts keys on the Kafka name
function brokerError(code: number, message: string | null, topic: string): QiError {
  const name = kafkaName(code);
  return classifyStreamingError(
    {
      ...(KAFKA_ERRORS[code] ? { type: name } : {}),
      message: `${name} for topic ${topic}${message ? `: ${message}` : ''}`,
    },
    { topic },
  );
}

function authFailed(sasl: SaslConfig, reason: string): QiError {
  // the reason is ours or the broker's text; neither carries the password
  return qiError(
    StreamingErrors.AUTHENTICATION,
    `Kafka SASL authentication failed (${sasl.mechanism} as ${sasl.username}): ${reason}`,
    { context: { mechanism: sasl.mechanism, username: sasl.username } },
  );
}

async function authenticate(conn: BrokerConnection, sasl: SaslConfig): Promise<void> {
  await saslHandshake(conn, sasl);
  if (sasl.mechanism === 'plain') {
    await saslAuthenticate(conn, sasl, Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'));
    return;
  }
  const hash = sasl.mechanism === 'scram-sha-512' ? 'sha512' : 'sha256';
  const first = scramClientFirst(sasl.username, randomBytes(24).toString('base64'));
  const serverFirst = (await saslAuthenticate(conn, sasl, Buffer.from(first.message))).toString('utf8');
  const { clientFinal, serverSignature } = scramClientFinal(
    hash,
    sasl.password,
    first.bare,
    serverFirst,
    (why) => authFailed(sasl, why),
  );
  const serverFinal = parseScram((await saslAuthenticate(conn, sasl, Buffer.from(clientFinal))).toString());
  if (serverFinal.e) throw authFailed(sasl, `server says ${serverFinal.e}`);
  if (!serverFinal.v || !sameBase64(serverFinal.v, serverSignature))
    throw authFailed(sasl, 'the broker did not prove it knows the credentials (bad SCRAM server signature)');
}

/** SaslHandshake v1: the mechanism must be one the listener enables. */
async function saslHandshake(conn: BrokerConnection, sasl: SaslConfig): Promise<void> {
  const mechanism = sasl.mechanism.toUpperCase();
  const r = await conn.request(
    API.SASL_HANDSHAKE,
    1,
    new Writer().string(mechanism).toBuffer(),
    'SaslHandshake',
  );
  const code = r.int16();
  const offered = r.array(() => r.string());
  if (code === 0) return;
  if (code === 34)
    throw authFailed(
      sasl,
      `listener ${conn.broker} does not accept SASL (ILLEGAL_SASL_STATE): is it plaintext?`,
    );
  throw authFailed(
    sasl,
    `${kafkaName(code)} from ${conn.broker}; mechanisms offered: ${offered.join(', ') || 'none'}`,
  );
}

/** SaslAuthenticate v1: one round trip of the mechanism's exchange. */
async function saslAuthenticate(
  conn: BrokerConnection,
  sasl: SaslConfig,
  authBytes: Buffer,
): Promise<Buffer> {
  const r = await conn.request(
    API.SASL_AUTHENTICATE,
    1,
    new Writer().bytes(authBytes).toBuffer(),
    'SaslAuthenticate',
  );
  const code = r.int16();
  const message = r.nullableString();
  const bytes = r.bytes();
  r.int64(); // session_lifetime_ms
  if (code !== 0) throw authFailed(sasl, `${kafkaName(code)}${message ? `: ${message}` : ''}`);
  return bytes;
}

// RFC 5802 saslname: ',' and '=' are escaped
const saslName = (s: string) => s.replace(/=/g, '=3D').replace(/,/g, '=2C');

function parseScram(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of message.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

function sameBase64(a: string, b: string): boolean {
  const x = Buffer.from(a, 'base64');
  const y = Buffer.from(b, 'base64');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** client-first-message (no channel binding, no authzid) and its bare part, which the proof covers. */
export function scramClientFirst(username: string, nonce: string): { bare: string; message: string } {
  const bare = `n=${saslName(username)},r=${nonce}`;
  return { bare, message: `n,,${bare}` };
}

/**
 * RFC 5802 client-final-message for a server-first-message, and the server signature the
 * server-final must carry. The password is used as given (no SASLprep: ASCII passwords are
 * unchanged by it). `fail` builds the error for a server-first we must refuse.
 */
export function scramClientFinal(
  hash: 'sha256' | 'sha512',
  password: string,
  clientFirstBare: string,
  serverFirst: string,
  fail: (why: string) => Error = (why) => new Error(why),
): { clientFinal: string; serverSignature: string } {
  const clientNonce = parseScram(clientFirstBare).r ?? '';
  const { r: nonce, s: salt, i, e } = parseScram(serverFirst);
  if (e) throw fail(`server says ${e}`);
  const iterations = Number(i);
  if (!nonce || !salt || !Number.isInteger(iterations) || iterations < 1)
    throw fail('malformed SCRAM server-first-message');
  // the server appends to our nonce; anything else is a replay or a man in the middle
  if (!nonce.startsWith(clientNonce) || nonce.length <= clientNonce.length)
    throw fail('SCRAM server nonce does not extend the client nonce');
  const hmac = (key: Buffer, text: string) => createHmac(hash, key).update(text).digest();
  const salted = pbkdf2Sync(
    password,
    Buffer.from(salt, 'base64'),
    iterations,
    hash === 'sha512' ? 64 : 32,
    hash,
  );
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash(hash).update(clientKey).digest();
  const withoutProof = `c=biws,r=${nonce}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(storedKey, authMessage);
  const proof = Buffer.from(clientKey.map((b, k) => b ^ signature[k]!));
  return {
    clientFinal: `${withoutProof},p=${proof.toString('base64')}`,
    serverSignature: hmac(hmac(salted, 'Server Key'), authMessage).toString('base64'),
  };
}
