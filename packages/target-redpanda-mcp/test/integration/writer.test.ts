import { RECORD_SPECS, type RecordKind } from '@qi/core';
import { describeWriterConformance, expectOk, samplePrice, testContext } from '@qi/core/testkit';
import type { StreamingClient } from '@qi/streaming';
import plugin from '../../src/index';
import {
  deleteTopicsWithPrefix,
  project,
  readRecords,
  requireBroker,
  serve,
  streaming,
  TOKEN,
  unique,
} from './helpers';

// The writer half: `use: "@qi/target-redpanda-mcp"` → MCP → qi-redpanda server → Kafka.
// Each test gets its own server on fresh topics (Kafka appends; nothing to truncate).
let kafka: StreamingClient;
const prefixes: string[] = [];
let served: Awaited<ReturnType<typeof serve>> | undefined;
let prefix = '';
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  await requireBroker();
  kafka = await streaming();
});
afterAll(async () => {
  await served?.close();
  for (const p of prefixes) await deleteTopicsWithPrefix(kafka, p);
  await kafka?.disconnect();
  for (const c of cleanups) c();
});

async function freshServer() {
  await served?.close();
  prefix = `${unique('qi-rpmcp-conf')}.`;
  prefixes.push(prefix);
  const proj = project(prefix);
  cleanups.push(proj.cleanup);
  served = await serve(proj.configPath);
}

const create = (extra: Record<string, unknown> = {}) =>
  plugin.create(
    plugin.configSchema.parse({
      url: served!.url,
      token: TOKEN,
      lingerMs: 1,
      retry: { initialDelayMs: 5, maxDelayMs: 50 },
      ...extra,
    }),
    testContext({ name: 'redpanda-mcp' }),
  );

describeWriterConformance({
  name: '@qi/target-redpanda-mcp (through the MCP server, Kafka)',
  reset: freshServer,
  create: () => create({ batchSize: 10 }),
  readBack: (kind: RecordKind) => readRecords(kafka, `${prefix}${RECORD_SPECS[kind].name}`),
  // a Kafka append is not an upsert: a replayed batch is appended again
  idempotent: false,
});

describe('@qi/target-redpanda-mcp writer', () => {
  it('writes 3,000 records in batches of 1,000, count in = count out', async () => {
    await freshServer();
    const w = await create({ batchSize: 1000 });
    const records = Array.from({ length: 3000 }, (_, i) => samplePrice(20_000 + i));
    expect(expectOk(await w.publishPrices(records))).toEqual({ written: 3000, rejected: [] });
    expectOk(await w.close());
    expect((await readRecords(kafka, `${prefix}prices`)).length).toBe(3000);
  });
});
