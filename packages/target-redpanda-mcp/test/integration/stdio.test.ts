import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { samplePrice } from '@qi/core/testkit';
import type { StreamingClient } from '@qi/streaming';
import { deleteTopicsWithPrefix, project, readRecords, requireBroker, streaming, unique } from './helpers';

// The bin as an MCP client would start it: qi-redpanda-mcp --config … --transport stdio (built package).
const bin = path.join(__dirname, '..', '..', 'bin', 'qi-redpanda-mcp.cjs');
const prefix = `${unique('qi-rpmcp-stdio')}.`;
const proj = project(prefix);
let client: Client;
let kafka: StreamingClient;

beforeAll(async () => {
  await requireBroker();
  if (!existsSync(path.join(__dirname, '..', '..', 'dist', 'bin.cjs')))
    throw new Error(
      '@qi/target-redpanda-mcp is not built: run "pnpm --filter @qi/target-redpanda-mcp... build" or scripts/test.sh',
    );
  kafka = await streaming();
  client = new Client({ name: 'stdio-test', version: '0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [bin, '--config', proj.configPath, '--transport', 'stdio'],
      stderr: 'ignore',
    }),
  );
});
afterAll(async () => {
  await client?.close();
  if (kafka) {
    await deleteTopicsWithPrefix(kafka, prefix);
    await kafka.disconnect();
  }
  proj.cleanup();
});

describe('qi-redpanda-mcp over stdio', () => {
  it('lists its tools, publishes prices and lists the topics', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['publish_prices', 'ensure_topics', 'list_topics', 'describe_topic']),
    );
    const records = Array.from({ length: 20 }, (_, i) => samplePrice(i));
    const r = await client.callTool({ name: 'publish_prices', arguments: { records } });
    expect(r.structuredContent).toMatchObject({ ok: true, written: 20, rejected: 0 });
    expect(await readRecords(kafka, `${prefix}prices`)).toHaveLength(20);
    // (describe_topic is covered over HTTP in server.test.ts: the built @qi/streaming cannot describe
    // topic configs with kafkajs yet — it reads ConfigResourceTypes off the import() namespace)
    const l = await client.callTool({ name: 'list_topics', arguments: { prefix } });
    expect(l.structuredContent).toMatchObject({
      ok: true,
      topics: expect.arrayContaining([`${prefix}prices`]),
    });
  });
});
