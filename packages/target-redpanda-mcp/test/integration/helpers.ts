import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type MarketRecord, silentLogger } from '@qi/core';
import { serveTargetFromConfig } from '@qi/mcp';
import { type ConsumedMessage, createStreamingClient, type StreamingClient } from '@qi/streaming';
import redpanda, { decodeRecord } from '@qi/target-redpanda';
import { mcpExtension } from '../../src/index';

export const BROKERS = (process.env.QI_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const TOKEN = 'rpmcp-test-token-0123456789';

/** Fails (never skips) when the broker is not there, saying how to start it. */
export async function requireBroker(): Promise<void> {
  const b = BROKERS[0]!;
  await new Promise<void>((resolve, reject) => {
    const s = tcp({ host: b.slice(0, b.lastIndexOf(':')), port: Number(b.split(':').pop()), timeout: 5000 });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    const fail = (e?: Error) => {
      s.destroy();
      reject(
        new Error(
          `Kafka broker not reachable at ${b} (${e?.message ?? 'timeout'}): start it with \`scripts/kafka.sh start\` or set QI_KAFKA_BROKERS`,
        ),
      );
    };
    s.once('error', fail);
    s.once('timeout', () => fail());
  });
}

export const unique = (base: string) =>
  `${base}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export async function streaming(): Promise<StreamingClient> {
  const s = await createStreamingClient({ brokers: BROKERS, clientId: 'qi-rpmcp-test' });
  if (!s.ok) throw s.error;
  return s.value;
}

/** Everything a topic holds, consumed from the beginning with a fresh group until the end offsets are reached. */
export async function readRecords(client: StreamingClient, topic: string): Promise<MarketRecord[]> {
  const admin = await client.getAdmin();
  if (!admin.ok) throw admin.error;
  const offsets = await admin.value.fetchTopicOffsets(topic);
  if (!offsets.ok) throw offsets.error;
  const total = offsets.value.reduce((n, o) => n + Number(BigInt(o.high) - BigInt(o.low)), 0);
  if (total === 0) return [];
  const consumer = await client.getConsumer({ groupId: unique('qi-rpmcp-readback'), fromBeginning: true });
  if (!consumer.ok) throw consumer.error;
  const got: ConsumedMessage[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer.value.subscribe({ topics: [topic] }).then((s) => {
      if (!s.ok) return reject(s.error);
      return consumer.value
        .run({
          eachBatch: async (b) => {
            got.push(...b.messages);
            if (got.length >= total) resolve();
          },
        })
        .then((r) => (r.ok ? undefined : reject(r.error)));
    }, reject);
  });
  await consumer.value.disconnect();
  return got.map((m) => {
    const r = decodeRecord(m.value, m.headers);
    if (!r.ok) throw r.error;
    return r.value;
  });
}

export async function deleteTopicsWithPrefix(client: StreamingClient, prefix: string): Promise<void> {
  const admin = await client.getAdmin();
  if (!admin.ok) return;
  const all = await admin.value.listTopics();
  if (!all.ok) return;
  const doomed = all.value.filter((t) => t.startsWith(prefix));
  if (doomed.length) await admin.value.deleteTopics(doomed);
}

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
