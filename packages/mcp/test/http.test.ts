import { BaseWriter } from '@qi/core';
import { createMemoryHandler, sampleRecords } from '@qi/core/testkit';
import { createTargetMcpServer } from '../src/index';
import { connectClient, INITIALIZE, memoryServer, rawPost, TOKEN } from './helpers';

describe('@qi/mcp HTTP transport: auth, limits, concurrency', () => {
  it('refuses to listen beyond loopback without a token, with the fix in the message', async () => {
    const writer = new BaseWriter({ name: 'm', handler: createMemoryHandler().handler });
    const server = createTargetMcpServer({ name: 't', version: '0', writer });
    await expect(server.serveHttp({ host: '0.0.0.0', port: 0, env: {} })).rejects.toMatchObject({
      code: 'QI_MCP_CONFIG',
      message: expect.stringContaining('QI_MCP_TOKEN'),
    });
    await expect(
      server.serveHttp({ host: '0.0.0.0', port: 0, env: { MY_TOKEN: 'short' }, tokenEnv: 'MY_TOKEN' }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('too short'),
    });
    await server.close();
  });

  it('requires the token beyond loopback (and accepts it)', async () => {
    const srv = await memoryServer({ http: { host: '0.0.0.0', env: { QI_MCP_TOKEN: TOKEN } } });
    try {
      const url = srv.url.replace('0.0.0.0', '127.0.0.1');
      expect(srv.http.authenticated).toBe(true);
      expect((await rawPost(url, INITIALIZE)).status).toBe(401);
      const client = await connectClient(url, TOKEN);
      const r = await client.callTool({
        name: 'publish_prices',
        arguments: { records: sampleRecords('price', 3) },
      });
      expect(r.structuredContent).toMatchObject({ written: 3 });
      await client.close();
    } finally {
      await srv.server.close();
    }
  });

  describe('on loopback with a token set', () => {
    let srv: Awaited<ReturnType<typeof memoryServer>>;
    beforeAll(async () => {
      srv = await memoryServer({ http: { env: { QI_MCP_TOKEN: TOKEN }, maxBodyBytes: 64 * 1024 } });
    });
    afterAll(() => srv.server.close());

    it('answers 401 without a token and with a wrong one', async () => {
      const none = await rawPost(srv.url, INITIALIZE);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(
        (await rawPost(srv.url, INITIALIZE, { authorization: 'Bearer wrong-token-0123456789' })).status,
      ).toBe(401);
      expect((await rawPost(srv.url, INITIALIZE, { authorization: `Basic ${TOKEN}` })).status).toBe(401);
      await expect(connectClient(srv.url)).rejects.toMatchObject({ code: 401 });
      await expect(connectClient(srv.url, 'wrong-token-0123456789')).rejects.toMatchObject({ code: 401 });
      expect((await rawPost(srv.url, INITIALIZE, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    });

    it('answers 413 to a body over the limit', async () => {
      const big = {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'publish_prices', arguments: { records: sampleRecords('price', 400) } },
      };
      const res = await rawPost(srv.url, big, {
        authorization: `Bearer ${TOKEN}`,
        'mcp-protocol-version': '2025-06-18',
      });
      expect(res.status).toBe(413);
    });

    it('answers 404 off the endpoint path, 405 to GET, 403 to a foreign Host header', async () => {
      const auth = { authorization: `Bearer ${TOKEN}` };
      expect((await rawPost(srv.url.replace('/mcp', '/other'), INITIALIZE, auth)).status).toBe(404);
      expect((await fetch(srv.url, { headers: auth })).status).toBe(405);
      // fetch will not forge Host; node:http will
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          srv.url,
          {
            method: 'POST',
            headers: { host: 'evil.example:80', ...auth, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(INITIALIZE));
      });
      expect(status).toBe(403);
    });
  });

  it('keeps serving other clients while one tool call waits on the destination', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const srv = await memoryServer({
      handler: (h) => ({
        ...h,
        writeBatch: async (kind, records) => {
          entered();
          await gate;
          return h.writeBatch(kind, records);
        },
      }),
    });
    const a = await connectClient(srv.url);
    const b = await connectClient(srv.url);
    try {
      const slow = a.callTool({ name: 'publish_prices', arguments: { records: sampleRecords('price', 5) } });
      await inside;
      const h = await b.callTool({ name: 'health', arguments: {} });
      expect(h.structuredContent).toMatchObject({ ok: true, healthy: true });
      const tools = await b.listTools();
      expect(tools.tools.length).toBe(7);
      expect(srv.mem.rows.size).toBe(0); // the slow call is still waiting
      release();
      expect((await slow).structuredContent).toMatchObject({ written: 5 });
    } finally {
      release();
      await a.close();
      await b.close();
      await srv.server.close();
    }
  });
});
