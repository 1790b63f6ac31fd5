import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { fieldsOf, RECORD_KINDS, RECORD_SPECS } from '@qi/core';
import { sampleRecords } from '@qi/core/testkit';
import { PUBLISH_TOOLS } from '../src/index';
import { connectClient, memoryServer } from './helpers';

describe('@qi/mcp server tools over Streamable HTTP', () => {
  let srv: Awaited<ReturnType<typeof memoryServer>>;
  let client: Client;
  beforeAll(async () => {
    srv = await memoryServer({
      memory: {
        rejectIf: (r) =>
          (r as { coin_id?: string }).coin_id === 'poison'
            ? 'poison coin refused by the destination'
            : r.source === 'refused'
              ? `${r.kind} from source "refused" refused by the destination`
              : undefined,
      },
    });
    client = await connectClient(srv.url);
  });
  afterAll(async () => {
    await client.close();
    await srv.server.close();
  });

  it('lists every tool with an input schema from the DSL and an output schema', async () => {
    const { tools } = await client.listTools();
    // every schema is described: no bare `additionalProperties: {}` (any value, no schema)
    for (const t of tools)
      expect(`${t.name} ${JSON.stringify([t.inputSchema, t.outputSchema])}`).not.toContain(
        '"additionalProperties":{}',
      );
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual([
      'flush',
      'health',
      'publish_analytics',
      'publish_batch',
      'publish_level1',
      'publish_ohlcv',
      'publish_prices',
    ]);
    for (const kind of RECORD_KINDS) {
      const tool = tools.find((t) => t.name === PUBLISH_TOOLS[kind])!;
      expect(tool.description!.length).toBeGreaterThan(200);
      expect(tool.inputSchema.required).toEqual(['records']);
      const items = (
        tool.inputSchema.properties!.records as {
          items: { properties: Record<string, unknown>; required: string[] };
        }
      ).items;
      // every DSL field, and nothing else
      expect(Object.keys(items.properties).sort()).toEqual(
        fieldsOf(RECORD_SPECS[kind])
          .map((f) => f.name)
          .sort(),
      );
      expect(items.required).toContain('source');
      expect(items.required).not.toContain('kind');
      expect(JSON.stringify(items)).not.toContain('qiType');
      const out = tool.outputSchema!.properties!;
      expect(Object.keys(out)).toEqual(
        expect.arrayContaining(['ok', 'error', 'written', 'rejected', 'results']),
      );
    }
    const batch = tools.find((t) => t.name === 'publish_batch')!;
    const anyOf = (
      batch.inputSchema.properties!.records as { items: { anyOf: Array<{ required: string[] }> } }
    ).items.anyOf;
    expect(anyOf).toHaveLength(4);
    for (const branch of anyOf) expect(branch.required).toContain('kind');
    // a decimal field says how to send it
    const price = (
      tools.find((t) => t.name === 'publish_prices')!.inputSchema.properties!.records as {
        items: { properties: Record<string, { description: string }> };
      }
    ).items.properties.price!;
    expect(price.description).toMatch(
      />= 0; send it as a string.*every digit.*exact only within double precision/,
    );
    expect(JSON.stringify(tools)).not.toContain('nonNegative');
  });

  it('writes decimal strings digit for digit and rejects negative prices', async () => {
    const [a, b] = sampleRecords('price', 2, 3000) as Array<Record<string, unknown>>;
    const exact = '123456789012345678901234567890.123456789';
    const r = await client.callTool({
      name: 'publish_prices',
      arguments: {
        records: [
          { ...a, price: exact, market_cap: '3456789012345678.123456789' },
          { ...b, price: '-1' },
        ],
      },
    });
    expect(r.structuredContent).toMatchObject({ written: 1, rejected: 1 });
    const results = (r.structuredContent as { results: Array<Record<string, unknown>> }).results;
    expect(results[1]!.reason).toContain('price: must be >= 0, received "-1"');
    const stored = [...srv.mem.rows.values()].find((x) => (x as { price: string }).price === exact);
    expect(stored).toMatchObject({ market_cap: '3456789012345678.123456789' });
  });

  it.each(RECORD_KINDS)('publishes %s records through its tool and reports each record', async (kind) => {
    const records = sampleRecords(kind, 7, 1000).map((r) => {
      const { kind: _k, ...rest } = r as Record<string, unknown>;
      return rest; // kind may be omitted on a per-kind tool
    });
    const before = srv.mem.rows.size;
    const r = await client.callTool({ name: PUBLISH_TOOLS[kind], arguments: { records } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ ok: true, kind, written: 7, rejected: 0 });
    expect((r.structuredContent as { results: unknown[] }).results).toEqual(
      records.map((_, index) => ({ index, status: 'written' })),
    );
    expect(srv.mem.rows.size).toBe(before + 7);
  });

  it('publishes a mixed batch, rejecting invalid and refused records by index with the reason', async () => {
    const records: unknown[] = [
      ...sampleRecords('price', 2, 2000),
      { ...(sampleRecords('price', 1, 2100)[0] as object), price: 'abc' },
      ...sampleRecords('ohlcv', 2, 2000),
      { ...(sampleRecords('price', 1, 2200)[0] as object), coin_id: 'poison' },
      { kind: 'nope' },
      ...sampleRecords('level1', 1, 2000),
    ];
    const r = await client.callTool({ name: 'publish_batch', arguments: { records } });
    const out = r.structuredContent as {
      written: number;
      rejected: number;
      results: Array<Record<string, unknown>>;
    };
    expect(out.written).toBe(5);
    expect(out.rejected).toBe(3);
    expect(out.results[2]).toMatchObject({
      index: 2,
      status: 'rejected',
      code: 'QI_VALIDATION',
      stage: 'validation',
    });
    expect(out.results[2]!.reason).toContain('price');
    expect(out.results[5]).toMatchObject({
      index: 5,
      status: 'rejected',
      code: 'MEM_DATA',
      stage: 'write',
      reason: 'poison coin refused by the destination',
    });
    expect(out.results[6]).toMatchObject({ status: 'rejected', code: 'QI_VALIDATION' });
    expect(out.results.filter((x) => x.status === 'written').map((x) => x.index)).toEqual([0, 1, 3, 4, 7]);
    expect((r.content as Array<{ text: string }>)[0]!.text).toContain('[5] MEM_DATA: poison coin');
  });

  it.each(RECORD_KINDS)(
    'places rejections in the middle of a %s batch at their own index, with their own reason',
    async (kind) => {
      const records = sampleRecords(kind, 6, 4000) as Array<Record<string, unknown>>;
      records[1] = { ...records[1], ts: 'not a time' };
      records[3] = { ...records[3], source: 'refused' };
      const r = await client.callTool({ name: PUBLISH_TOOLS[kind], arguments: { records } });
      const out = r.structuredContent as {
        written: number;
        rejected: number;
        results: Array<Record<string, unknown>>;
      };
      expect(out).toMatchObject({ written: 4, rejected: 2 });
      expect(out.results[1]).toMatchObject({
        index: 1,
        status: 'rejected',
        code: 'QI_VALIDATION',
        stage: 'validation',
      });
      expect(out.results[1]!.reason).toContain('ts');
      expect(out.results[3]).toMatchObject({
        index: 3,
        status: 'rejected',
        code: 'MEM_DATA',
        stage: 'write',
        reason: `${kind} from source "refused" refused by the destination`,
      });
      expect(out.results.filter((x) => x.status === 'written').map((x) => x.index)).toEqual([0, 2, 4, 5]);
    },
  );

  it('lists only the rejections with report "rejected" (for bulk writers)', async () => {
    const records = [...sampleRecords('price', 3, 2500), { kind: 'price' }];
    const r = await client.callTool({ name: 'publish_prices', arguments: { records, report: 'rejected' } });
    expect(r.structuredContent).toMatchObject({
      written: 3,
      rejected: 1,
      results: [{ index: 3, status: 'rejected', code: 'QI_VALIDATION' }],
    });
    expect((r.structuredContent as { results: unknown[] }).results).toHaveLength(1);
  });

  it('rejects a record of another kind sent to a per-kind tool', async () => {
    const r = await client.callTool({
      name: 'publish_analytics',
      arguments: { records: [...sampleRecords('analytics', 1, 3000), ...sampleRecords('price', 1, 3000)] },
    });
    expect(r.structuredContent).toMatchObject({
      written: 1,
      rejected: 1,
      results: [{ status: 'written' }, { status: 'rejected', code: 'QI_VALIDATION' }],
    });
  });

  it('flushes and reports health', async () => {
    const f = await client.callTool({ name: 'flush', arguments: {} });
    expect(f.structuredContent).toEqual({ ok: true, flushed: true });
    const h = await client.callTool({ name: 'health', arguments: {} });
    expect(h.structuredContent).toMatchObject({ ok: true, healthy: true, details: { breaker: 'closed' } });
  });

  it('answers an empty or missing records argument with an input error', async () => {
    const r = await client.callTool({ name: 'publish_prices', arguments: { records: [] } });
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toMatch(/records/);
  });
});

describe('@qi/mcp tool errors', () => {
  it('carries the QiError code and retryable flag when the destination keeps failing', async () => {
    const srv = await memoryServer({ memory: { failTimes: 100 }, retry: { maxAttempts: 2 } });
    const client = await connectClient(srv.url);
    try {
      const r = await client.callTool({
        name: 'publish_prices',
        arguments: { records: sampleRecords('price', 2) },
      });
      expect(r.isError).toBe(true);
      expect(r.structuredContent).toMatchObject({
        ok: false,
        error: { code: 'QI_RETRIES_EXHAUSTED', category: 'unavailable', retryable: true },
      });
      expect((r.structuredContent as { error: { message: string } }).error.message).toContain(
        'simulated outage',
      );
      const h = await client.callTool({ name: 'health', arguments: {} });
      expect(h.structuredContent).toMatchObject({ ok: true });
    } finally {
      await client.close();
      await srv.server.close();
    }
  });
});
