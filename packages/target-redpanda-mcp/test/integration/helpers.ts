import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '@qi/core';
import { TEST_KAFKA_BROKERS as BROKERS } from '@qi/core/testkit';
import { serveTargetFromConfig } from '@qi/mcp';
import type { StreamingClient } from '@qi/streaming';
import redpanda from '@qi/target-redpanda';
import { deleteTopicsWithPrefixes, streamingFor } from '../../../../test/support/kafka';
import { mcpExtension } from '../../src/index';

export { requireBroker, uniqueName as unique } from '@qi/core/testkit';
export { readRecords } from '../../../../test/support/kafka';
export { BROKERS };

export const TOKEN = 'rpmcp-test-token-0123456789';

export const streaming = () => streamingFor();

export const deleteTopicsWithPrefix = (client: StreamingClient, prefix: string) =>
  deleteTopicsWithPrefixes(client, [prefix]);

/** A temp project whose pipeline "ticks" writes to topics `<prefix>prices` … */
export function project(prefix: string, extra = '') {
  const dir = mkdtempSync(path.join(tmpdir(), 'qi-rp-mcp-'));
  const configPath = path.join(dir, 'qi.config.yaml');
  writeFileSync(
    configPath,
    [
      'pipelines:',
      '  ticks:',
      '    source: { use: file, with: { path: in.ndjson } }',
      '    targets:',
      '      - use: "@qi/target-redpanda"',
      '        name: bus',
      `        with: { brokers: [${BROKERS.map((b) => `"${b}"`).join(', ')}], topicPrefix: "${prefix}", deadLetterTopic: "${prefix}dead-letter", partitions: 3, lingerMs: 1${extra} }`,
      '',
    ].join('\n'),
  );
  return { dir, configPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function serve(configPath: string) {
  const r = await serveTargetFromConfig({
    configPath,
    target: 'ticks.bus',
    plugin: redpanda,
    extension: mcpExtension as never,
    port: 0,
    env: { QI_MCP_TOKEN: TOKEN },
    logger: silentLogger(),
  });
  if (!r.ok) throw r.error;
  return r.value;
}

export async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'rp-mcp-test', version: '0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
    }),
  );
  return client;
}

export const structured = (r: unknown) =>
  (r as { structuredContent: Record<string, unknown> }).structuredContent;
