import { secret } from '@qi/core';
import { z } from 'zod';

/**
 * Connection settings shared by every client library. The zod schema is the one
 * source of types, defaults and the README's config table; `sasl.password` and
 * `ssl.key` are secrets: never logged, never put in an error.
 */
export const saslSchema = z
  .strictObject({
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism'),
    username: z.string().min(1).describe('SASL user name'),
    password: secret(z.string().min(1).describe('SASL password (secret)')),
  })
  .describe('SASL authentication; omit for an unauthenticated listener');

export const tlsSchema = z
  .strictObject({
    ca: z.string().optional().describe('PEM CA certificate(s) to trust instead of the system store'),
    cert: z.string().optional().describe('PEM client certificate (mutual TLS)'),
    key: secret(z.string().optional().describe('PEM client private key (mutual TLS, secret)')),
    servername: z.string().optional().describe('TLS server name (SNI) when it differs from the broker host'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('verify the broker certificate (keep true outside tests)'),
  })
  .describe('TLS options');

/** The client libraries a connector exists for; `connectors/index.ts` maps each to its factory. */
export const CLIENT_NAMES = ['kafkajs', 'platformatic', 'rdkafka'] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

export const connectionShape = {
  client: z
    .enum(CLIENT_NAMES)
    .default('kafkajs')
    .describe(
      'client library: kafkajs (default), platformatic (@platformatic/kafka) or rdkafka (@confluentinc/kafka-javascript, librdkafka); each is an optional peer dependency',
    ),
  clientId: z.string().min(1).default('qi').describe('client id the broker sees in logs and quotas'),
  brokers: z
    .array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port'))
    .min(1)
    .default(['127.0.0.1:9092'])
    .describe('bootstrap brokers, host:port'),
  ssl: z
    .union([z.boolean(), tlsSchema])
    .default(false)
    .describe('TLS: true for system CAs, or an object with ca/cert/key'),
  sasl: saslSchema
    .optional()
    .describe(
      'SASL authentication (plain, scram-sha-256, scram-sha-512); omit for an unauthenticated listener',
    ),
  connectionTimeoutMs: z
    .number()
    .int()
    .min(1)
    .default(5000)
    .describe('TCP connect (and TLS handshake) timeout, ms'),
  requestTimeoutMs: z.number().int().min(1).default(30_000).describe('time a broker request may take, ms'),
  retries: z
    .number()
    .int()
    .min(0)
    .default(5)
    .describe("the client library's own retries of a failed request before the error surfaces"),
};

export const streamingConfigSchema = z.object(connectionShape);
export type StreamingConfigInput = z.input<typeof streamingConfigSchema>;
export type StreamingConfig = z.output<typeof streamingConfigSchema>;
export type SaslConfig = z.output<typeof saslSchema>;
export type TlsConfig = z.output<typeof tlsSchema>;

const CONNECTION_KEYS = Object.keys(connectionShape) as Array<keyof typeof connectionShape>;

/**
 * The transport settings of a plugin config that spreads `connectionShape` (brokers, client,
 * TLS, SASL, timeouts, retries), for `createStreamingClient`: the one place that picks them out.
 */
export function connectionOf(config: Partial<StreamingConfig>): StreamingConfigInput {
  const out: Record<string, unknown> = {};
  for (const k of CONNECTION_KEYS) if (config[k] !== undefined) out[k] = config[k];
  return out as StreamingConfigInput;
}

/** host:port strings to objects (platformatic wants both forms; kafkajs strings). */
export function parseBroker(b: string): { host: string; port: number } {
  const i = b.lastIndexOf(':');
  return { host: b.slice(0, i), port: Number(b.slice(i + 1)) };
}

/** The config with secrets replaced, safe to log. */
export function redactConfig(config: StreamingConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  if (config.sasl) out.sasl = { ...config.sasl, password: '[redacted]' };
  if (typeof config.ssl === 'object' && config.ssl.key) out.ssl = { ...config.ssl, key: '[redacted]' };
  return out;
}
