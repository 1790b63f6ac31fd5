import { BaseWriter, createLogger, type RecordKind } from '@qi/core';
import { describeWriterConformance, expectOk, sampleRecords, testContext } from '@qi/core/testkit';
import { createMcpTargetPlugin, createMcpWriterHandler } from '../src/index';
import { memoryServer, TOKEN } from './helpers';

const plugin = createMcpTargetPlugin({ name: '@qi/test-mcp', description: 'test' });
const fast = { retry: { maxAttempts: 0, initialDelayMs: 5, maxDelayMs: 50 }, lingerMs: 1 };

describe('MCP writer through an MCP server over a memory target', () => {
  let srv: Awaited<ReturnType<typeof memoryServer>>;
  beforeAll(async () => {
    srv = await memoryServer({ http: { env: { QI_MCP_TOKEN: TOKEN } } });
  });
  afterAll(() => srv.server.close());

  describeWriterConformance({
    name: '@qi/mcp writer → server → memory',
    create: () =>
      plugin.create(plugin.configSchema.parse({ url: srv.url, token: TOKEN, ...fast }), testContext()),
    readBack: async (kind: RecordKind) => [...srv.mem.rows.values()].filter((r) => r.kind === kind),
    reset: async () => srv.mem.rows.clear(),
  });
});

describe('MCP writer failure handling', () => {
  it('dead-letters the records the server rejects, with its code and reason, and writes the rest', async () => {
    const srv = await memoryServer({
      memory: {
        rejectIf: (r) =>
          (r as { coin_id?: string }).coin_id === 'poison' ? 'column "coin_id": poison refused' : undefined,
      },
    });
    const writer = await plugin.create(plugin.configSchema.parse({ url: srv.url, ...fast }), testContext());
    try {
      const raw = sampleRecords('price', 10);
      (raw[4] as Record<string, unknown>).coin_id = 'poison';
      const report = expectOk(await writer.publishPrices(raw as never));
      expect(report.written).toBe(9);
      expect(report.rejected).toHaveLength(1);
      expect(report.rejected[0]).toMatchObject({
        stage: 'write',
        error: {
          code: 'MEM_DATA',
          category: 'data',
          retryable: false,
          message: 'column "coin_id": poison refused',
        },
      });
      expect((report.rejected[0]!.record as { coin_id: string }).coin_id).toBe('poison');
      expect(srv.mem.rows.size).toBe(9);
    } finally {
      await writer.close();
      await srv.server.close();
    }
  });

  it('reconnects after a server restart and loses nothing (count in = count out)', async () => {
    const first = await memoryServer();
    const port = first.http.port;
    const mem = first.mem;
    let sawRetry!: () => void;
    const retried = new Promise<void>((r) => {
      sawRetry = r;
    });
    const logger = createLogger({
      level: 'warn',
      destination: {
        write: (line: string) =>
          void (line.includes('"writer.retry"') && line.includes('QI_MCP_NETWORK') && sawRetry()),
      },
    });
    const writer = new BaseWriter({
      name: 'mcp',
      logger,
      handler: createMcpWriterHandler({ url: first.url, logger }),
      batch: { size: 50, lingerMs: 1 },
      retry: { maxAttempts: 0, initialDelayMs: 10, maxDelayMs: 100 },
      breaker: { failureThreshold: 1000 },
    });
    try {
      expectOk(await writer.publishPrices(sampleRecords('price', 200, 0) as never));
      await first.server.close(); // the server goes away…
      const pending = writer.publishPrices(sampleRecords('price', 300, 200) as never);
      // the writer has met the refused connection (and has not finished some other way)
      await Promise.race([
        retried,
        pending.then((r) => {
          throw new Error(`publish ended before meeting the stopped server: ${JSON.stringify(r)}`);
        }),
      ]);
      // …and a new process comes back on the same port, over the same destination
      const { BaseWriter: BW } = await import('@qi/core');
      const { createTargetMcpServer } = await import('../src/index');
      const again = createTargetMcpServer({
        name: 'qi-test',
        version: '0',
        writer: new BW({ name: 'memory', handler: mem.handler, batch: { lingerMs: 1 } }),
      });
      const http = await again.serveHttp({ port });
      const report = expectOk(await pending);
      expect(report).toEqual({ written: 300, rejected: [] });
      expectOk(await writer.publishPrices(sampleRecords('price', 100, 500) as never));
      expect(mem.rows.size).toBe(600);
      expect(http.port).toBe(port);
      await again.close();
    } finally {
      await writer.close();
    }
  });

  it('retries a tool error the server marks retryable', async () => {
    // the server's own writer gives up after one attempt, twice; the client writer retries the call
    const srv = await memoryServer({ memory: { failTimes: 2 }, retry: { maxAttempts: 1 } });
    const writer = await plugin.create(plugin.configSchema.parse({ url: srv.url, ...fast }), testContext());
    try {
      expect(expectOk(await writer.publishPrices(sampleRecords('price', 5) as never))).toEqual({
        written: 5,
        rejected: [],
      });
      expect(srv.mem.calls.length).toBe(3);
    } finally {
      await writer.close();
      await srv.server.close();
    }
  });

  it('fails fast on a wrong token (401 is not retried) and on a URL that is not a Qi MCP server', async () => {
    const srv = await memoryServer({ http: { env: { QI_MCP_TOKEN: TOKEN } } });
    try {
      const wrong = await plugin.create(
        plugin.configSchema.parse({ url: srv.url, token: 'not-the-token-0000', ...fast }),
        testContext(),
      );
      const r = await wrong.publishPrices(sampleRecords('price', 1) as never);
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.error).toMatchObject({ code: 'QI_MCP_UNAUTHORIZED', category: 'auth', retryable: false });
      await wrong.close();
      const handler = createMcpWriterHandler({ url: srv.url.replace('/mcp', '/elsewhere'), token: TOKEN });
      await expect(handler.init!()).rejects.toMatchObject({ code: 'QI_MCP_NOT_FOUND', retryable: false });
    } finally {
      await srv.server.close();
    }
  });

  it('classifies a refused connection and a tool timeout as retryable', async () => {
    const srv = await memoryServer();
    const port = srv.http.port;
    await srv.server.close();
    const handler = createMcpWriterHandler({ url: `http://127.0.0.1:${port}/mcp` });
    await expect(handler.init!()).rejects.toMatchObject({
      code: 'QI_MCP_NETWORK',
      category: 'network',
      retryable: true,
    });

    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = await memoryServer({
      handler: (h) => ({
        ...h,
        writeBatch: async (k, rs) => {
          await gate;
          return h.writeBatch(k, rs);
        },
      }),
    });
    const timed = createMcpWriterHandler({ url: slow.url, toolTimeoutMs: 200 });
    try {
      await expect(timed.writeBatch('price', sampleRecords('price', 2) as never)).rejects.toMatchObject({
        code: 'QI_MCP_TIMEOUT',
        retryable: true,
      });
    } finally {
      release();
      await timed.close();
      await slow.server.close();
    }
  });
});
