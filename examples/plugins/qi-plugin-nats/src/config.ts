import { secret, writerWorkflowShape, z } from '@qi/core';

/** A NATS subject token list such as "qi" or "market.data": no wildcards, no empty tokens. */
const subjectPrefix = z
  .string()
  .regex(
    /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
    'dot-separated tokens of letters, digits, "_" or "-" (no wildcards)',
  );

export const configSchema = z.strictObject({
  servers: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .default('nats://127.0.0.1:4222')
    .describe('NATS server URL(s), e.g. nats://127.0.0.1:4222 or a list for a cluster'),
  user: z.string().min(1).optional().describe('user name (with password)'),
  password: secret(z.string()).optional().describe('password; never logged'),
  token: secret(z.string()).optional().describe('authentication token; never logged'),
  connectionName: z
    .string()
    .min(1)
    .default('qi-plugin-nats')
    .describe('connection name shown by the server (nats-top, /connz)'),
  connectTimeoutMs: z
    .number()
    .int()
    .min(100)
    .default(5000)
    .describe('how long the first connection may take, ms'),
  subjectPrefix: subjectPrefix
    .default('qi')
    .describe(
      'first subject tokens: records go to <prefix>.<table>.<instrument…>, e.g. qi.prices.bitcoin.aggregate.usd',
    ),
  stream: z
    .strictObject({
      name: z
        .string()
        .regex(/^[^.\s*>/\\]+$/, 'a stream name without ".", "*", ">", "/", "\\" or spaces')
        .default('QI')
        .describe('JetStream stream that captures the subjects'),
      subjects: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .describe(
          'subjects of the stream when Qi creates it (default ["<subjectPrefix>.>"]); they must cover <subjectPrefix>.>',
        ),
      create: z
        .boolean()
        .default(true)
        .describe('create the stream when it is missing; false: it must exist already'),
      storage: z.enum(['file', 'memory']).default('file').describe('storage of a stream Qi creates'),
      replicas: z
        .number()
        .int()
        .min(1)
        .max(5)
        .default(1)
        .describe('replicas of a stream Qi creates (clustered servers)'),
      duplicateWindowMs: z
        .number()
        .int()
        .min(1000)
        .default(120_000)
        .describe(
          'how long the server remembers message ids (Nats-Msg-Id) to drop replays, ms; set it to cover your longest retry or replay',
        ),
      maxAgeMs: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe('drop messages older than this, ms; 0 keeps them'),
    })
    .prefault({})
    .describe('the JetStream stream'),
  ackTimeoutMs: z
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('how long one publish waits for the stream to acknowledge it, ms'),
  maxPendingAcks: z
    .number()
    .int()
    .min(1)
    .max(65_536)
    .default(1024)
    .describe('publishes of one batch awaiting their ack at the same time'),
  ...writerWorkflowShape,
});

export type NatsTargetConfig = z.output<typeof configSchema>;
