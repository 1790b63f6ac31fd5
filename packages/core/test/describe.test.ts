import { configReference } from '../src/cli/describe';
import { secret, z } from '../src/index';

describe('configReference', () => {
  it('lists every field with its dotted path, type, default, requiredness, secrecy and description', () => {
    const schema = z.strictObject({
      url: secret(z.string()).describe('where to connect'),
      mode: z.enum(['upsert', 'ignore']).default('upsert').describe('conflict handling'),
      brokers: z.array(z.string()).describe('bootstrap brokers'),
      ssl: z
        .union([z.boolean(), z.strictObject({ ca: z.string().optional().describe('PEM') })])
        .default(false)
        .describe('TLS'),
      retry: z.strictObject({ maxAttempts: z.number().int().default(3).describe('attempts') }).prefault({}),
    });
    expect(configReference(schema)).toEqual([
      { field: 'url', type: 'string', required: true, secret: true, description: 'where to connect' },
      {
        field: 'mode',
        type: '"upsert" | "ignore"',
        default: '"upsert"',
        required: false,
        secret: false,
        description: 'conflict handling',
      },
      { field: 'brokers', type: 'string[]', required: true, secret: false, description: 'bootstrap brokers' },
      {
        field: 'ssl',
        type: 'boolean | object',
        default: 'false',
        required: false,
        secret: false,
        description: 'TLS',
      },
      { field: 'ssl.ca', type: 'string', required: false, secret: false, description: 'PEM' },
      { field: 'retry', type: 'object', default: '{}', required: false, secret: false, description: '' },
      {
        field: 'retry.maxAttempts',
        type: 'integer',
        default: '3',
        required: false,
        secret: false,
        description: 'attempts',
      },
    ]);
  });
});
