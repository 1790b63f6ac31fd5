import { secret } from '@qi/core';
import { z } from 'zod';

export const COMPATIBILITY_LEVELS = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;

/**
 * A Confluent-API Schema Registry (Confluent, Apicurio's /apis/ccompat/v7,
 * Redpanda's built-in one, Karapace). Shared by the Redpanda target (registers
 * and encodes) and source (decodes by schema id).
 */
export const schemaRegistrySchema = z.strictObject({
  url: z
    .url()
    .describe(
      'base URL of the Confluent-compatible API, e.g. http://127.0.0.1:8081 (Confluent, Redpanda) or http://127.0.0.1:18081/apis/ccompat/v7 (Apicurio)',
    ),
  auth: z
    .strictObject({
      username: z.string().min(1).describe('HTTP basic auth user'),
      password: secret(z.string().min(1).describe('HTTP basic auth password (secret)')),
    })
    .optional()
    .describe('HTTP basic auth; omit for an open registry'),
  compatibility: z
    .enum(COMPATIBILITY_LEVELS)
    .default('BACKWARD')
    .describe(
      "compatibility level of the subjects Qi registers: set on a subject Qi creates; an existing subject with another level is a config error (the registry's rules stay the registry's)",
    ),
  clientId: z.string().min(1).default('qi').describe('client id sent in the User-Agent'),
});

export type SchemaRegistryConfig = z.output<typeof schemaRegistrySchema>;
export type SchemaRegistryConfigInput = z.input<typeof schemaRegistrySchema>;

/** TopicNameStrategy: the value schema of topic T is the subject "T-value". */
export const subjectOf = (topic: string): string => `${topic}-value`;

/** The URL without user:password, for logs and errors. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}
