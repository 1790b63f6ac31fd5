import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { naturalKey, RECORD_KINDS, RECORD_SPECS } from '@qi/core';
import { byNaturalKey, diffRecords, normalizeRecords, sampleRecords } from '@qi/core/testkit';
import { PUBLISH_TOOLS } from '@qi/mcp';
import type { StreamingClient } from '@qi/streaming';
import {
  connect,
  deleteTopicsWithPrefix,
  project,
  readRecords,
  requireBroker,
  serve,
  streaming,
  structured,
  unique,
} from './helpers';

// A real MCP client over Streamable HTTP → qi-redpanda server → the local Kafka broker.
const prefix = `${unique('qi-rpmcp')}.`;
const proj = project(prefix);
let served: Awaited<ReturnType<typeof serve>>;
let client: Client;
let kafka: StreamingClient;

beforeAll(async () => {
  await requireBroker();
  kafka = await streaming();
  served = await serve(proj.configPath);
  client = await connect(served.url!);
});
afterAll(async () => {
  await client?.close();
  await served?.close();
  if (kafka) {
    await deleteTopicsWithPrefix(kafka, prefix);
    await kafka.disconnect();
  }
  proj.cleanup();
});

const topicOf = (kind: (typeof RECORD_KINDS)[number]) => `${prefix}${RECORD_SPECS[kind].name}`;

describe('qi-redpanda MCP server', () => {
  it('lists the publish tools and the topic tools with their schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'describe_topic',
      'ensure_topics',
      'flush',
      'health',
      'list_topics',
      'publish_analytics',
      'publish_batch',
      'publish_level1',
      'publish_ohlcv',
      'publish_prices',
    ]);
    expect(tools.find((t) => t.name === 'describe_topic')!.inputSchema.required).toEqual(['topic']);
    expect(tools.find((t) => t.name === 'list_topics')!.annotations).toMatchObject({ readOnlyHint: true });
    expect(tools.find((t) => t.name === 'publish_prices')!.description).toContain('Kafka/Redpanda');
  });

  it('ensures the topics with the configured partitions, and is idempotent', async () => {
    const first = structured(
      await client.callTool({ name: 'ensure_topics', arguments: { dead_letter: true } }),
    );
    expect(first.ok).toBe(true);
    // the writer created the kind topics at start-up; the call reports them as existing
    expect([...(first.created as string[]), ...(first.existing as string[])].sort()).toEqual(
      [...RECORD_KINDS.map(topicOf), `${prefix}dead-letter`].sort(),
    );
    const again = structured(
      await client.callTool({ name: 'ensure_topics', arguments: { kinds: ['price'] } }),
    );
    expect(again).toMatchObject({ ok: true, created: [], existing: [topicOf('price')], mismatched: [] });
  });

  it.each(RECORD_KINDS)('writes %s records through its publish tool to its topic', async (kind) => {
    const records = sampleRecords(kind, 9, 100);
    const r = await client.callTool({ name: PUBLISH_TOOLS[kind], arguments: { records } });
    expect(structured(r)).toMatchObject({ ok: true, written: 9, rejected: 0 });
    const got = byNaturalKey(normalizeRecords(await readRecords(kafka, topicOf(kind))));
    for (const sent of normalizeRecords(records))
      expect(diffRecords(sent, got.get(`${kind}|${naturalKey(sent)}`)!)).toEqual([]);
  });

  it("writes a mixed batch to each kind's topic and reports the invalid record by index", async () => {
    const records = [
      ...sampleRecords('ohlcv', 2, 500),
      { kind: 'level1', exchange: 'x' },
      ...sampleRecords('analytics', 1, 500),
    ];
    const r = structured(await client.callTool({ name: 'publish_batch', arguments: { records } }));
    expect(r).toMatchObject({ written: 3, rejected: 1 });
    expect((r.results as Array<Record<string, unknown>>)[2]).toMatchObject({
      index: 2,
      status: 'rejected',
      code: 'QI_VALIDATION',
    });
  });

  it('lists topics by prefix and describes one with its partitions and end offsets', async () => {
    const list = structured(await client.callTool({ name: 'list_topics', arguments: { prefix } }));
    expect(list.topics).toEqual(expect.arrayContaining(RECORD_KINDS.map(topicOf)));
    expect(list.target_topics).toEqual(RECORD_KINDS.map(topicOf));
    expect((list.topics as string[]).every((t) => t.startsWith(prefix))).toBe(true);

    const d = structured(
      await client.callTool({ name: 'describe_topic', arguments: { topic: topicOf('price') } }),
    );
    expect(d).toMatchObject({ ok: true, topic: topicOf('price'), partition_count: 3, messages: '9' });
    const parts = d.partitions as Array<{
      partition: number;
      start_offset: string;
      end_offset: string;
      leader: number;
    }>;
    expect(parts.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(parts.reduce((n, p) => n + Number(p.end_offset) - Number(p.start_offset), 0)).toBe(9);
    expect(d.configs).toMatchObject({ 'retention.ms': String(7 * 86_400_000), 'cleanup.policy': 'delete' });

    const missing = await client.callTool({ name: 'describe_topic', arguments: { topic: `${prefix}nope` } });
    expect(missing.isError).toBe(true);
    expect(structured(missing)).toMatchObject({
      ok: false,
      error: { code: 'QI_NOT_FOUND', retryable: false },
    });
    const after = structured(await client.callTool({ name: 'list_topics', arguments: { prefix } }));
    expect(after.topics).not.toContain(`${prefix}nope`); // describing did not create it
  });

  it('flushes and reports health', async () => {
    expect(structured(await client.callTool({ name: 'flush', arguments: {} }))).toEqual({
      ok: true,
      flushed: true,
    });
    expect(structured(await client.callTool({ name: 'health', arguments: {} }))).toMatchObject({
      ok: true,
      healthy: true,
    });
  });
});
