import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extraCoins, STAND_IN_COINS, type StandInCoin } from './stand-in-data';
import { type Reply, route } from './stand-in-routes';

/**
 * A local stand-in for the CoinGecko API v3 (the internet is the one thing Qi's
 * tests fake). It answers /ping, /simple/price, /coins/markets, /coins/{id}/ohlc,
 * /global and /coins/{id}/tickers with CoinGecko's response shapes, prices that
 * move over time (exact decimals, including extremes), CoinGecko's key checks
 * and error bodies, injectable faults, and a log of every request.
 */
export interface StandInOptions {
  port?: number;
  host?: string;
  /** which CoinGecko it plays: public (no key), demo (api host) or pro (pro-api host) */
  plan?: 'public' | 'demo' | 'pro';
  /** the key a demo or pro stand-in accepts */
  apiKey?: string;
  /** the clock its prices follow (default Date.now): tests move it to make prices change */
  now?: () => number;
  /** prices move every this many ms (default 10 000) */
  priceUpdateMs?: number;
  /** extra synthetic coins coin-00001…, for paging and benchmarks */
  extraCoins?: number;
  /** delay before every answer, ms */
  latencyMs?: number;
}

export type Fault =
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  | { kind: 'server-error'; status?: number }
  | { kind: 'cdn-html'; status?: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'missing-key' }
  | { kind: 'wrong-host'; code: 10010 | 10011 }
  | { kind: 'plan-restricted' }
  | { kind: 'not-found' }
  | { kind: 'bad-request'; message?: string };

export interface FaultRule {
  fault: Fault;
  /** only requests whose path (without /api/v3) contains this, or matches it */
  path?: string | RegExp;
  /** how many requests it hits (default 1; Infinity for all) */
  times?: number;
}

export interface LoggedRequest {
  path: string;
  query: Record<string, string>;
  /** stand-in clock, ms */
  at: number;
  status: number;
  demoKey: boolean;
  proKey: boolean;
}

export interface StandIn {
  /** API root to use as baseUrl / COINGECKO_BASE_URL, e.g. http://127.0.0.1:41234/api/v3 */
  url: string;
  port: number;
  server: Server;
  coins: ReadonlyMap<string, StandInCoin>;
  requests: LoggedRequest[];
  /** requests whose path contains `path` (all when omitted) */
  count(path?: string): number;
  inject(rule: FaultRule | Fault): void;
  /** forget faults and the request log */
  reset(): void;
  close(): Promise<void>;
}

const now0 = () => Date.now();
const RATE_LIMIT_BODY = {
  status: {
    error_code: 429,
    error_message:
      "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits.",
  },
};
const keyMissing = () => ({
  status: {
    timestamp: new Date().toISOString(),
    error_code: 10002,
    error_message:
      "API Key Missing. Please make sure you're using the right authentication method. For more information, refer to https://docs.coingecko.com/",
  },
});
const wrongHost = (code: 10010 | 10011) => ({
  timestamp: new Date().toISOString(),
  error_code: code,
  status: {
    error_message:
      code === 10011
        ? 'If you are using Demo API key, please change your root URL from pro-api.coingecko.com to api.coingecko.com and use x-cg-demo-api-key instead. See https://docs.coingecko.com/'
        : 'If you are using Pro API key, please change your root URL from api.coingecko.com to pro-api.coingecko.com and use x-cg-pro-api-key instead. See https://docs.coingecko.com/',
  },
});
// CoinGecko's code for a wrong key value is not documented: this reply carries none.
const INVALID_KEY: Reply = { status: 401, body: { status: { error_message: 'Invalid API Key' } } };
const CDN_HTML =
  '<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body><h1>Error 1020</h1><p>Access denied</p></body></html>';

/** Starts the stand-in on `port` (0: any free port). */
export async function startStandIn(opts: StandInOptions = {}): Promise<StandIn> {
  const now = opts.now ?? now0;
  const coins = new Map([...STAND_IN_COINS, ...extraCoins(opts.extraCoins ?? 0)].map((c) => [c.id, c]));
  const faults: Array<Required<Pick<FaultRule, 'fault' | 'times'>> & Pick<FaultRule, 'path'>> = [];
  const requests: LoggedRequest[] = [];
  const closing = new AbortController();

  const takeFault = (path: string): Fault | undefined => {
    const i = faults.findIndex(
      (f) =>
        f.times > 0 &&
        (f.path === undefined || (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path))),
    );
    if (i < 0) return undefined;
    const rule = faults[i]!;
    rule.times -= 1;
    if (rule.times <= 0) faults.splice(i, 1);
    return rule.fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname.replace(/^\/api\/v3(?=\/|$)/, '') || '/';
    const entry: LoggedRequest = {
      path,
      query: Object.fromEntries(url.searchParams),
      at: now(),
      status: 0,
      demoKey: req.headers['x-cg-demo-api-key'] !== undefined,
      proKey: req.headers['x-cg-pro-api-key'] !== undefined,
    };
    requests.push(entry);
    const gone = AbortSignal.any([closing.signal, abortedWhenClosed(res)]);
    let reply: Reply | undefined;
    let extraHeaders: Record<string, string> = {};
    if (opts.latencyMs) await sleep(opts.latencyMs, gone);
    const fault = takeFault(path); // one fault per request
    if (fault) {
      if (fault.kind === 'slow') await sleep(fault.delayMs, gone);
      else if (fault.kind === 'rate-limit') {
        reply = { status: 429, body: RATE_LIMIT_BODY };
        if (fault.retryAfterSeconds !== undefined)
          extraHeaders = { 'retry-after': String(fault.retryAfterSeconds) };
      } else if (fault.kind === 'server-error')
        reply = { status: fault.status ?? 500, body: { error: 'Internal Server Error' } };
      else if (fault.kind === 'cdn-html') reply = { status: fault.status ?? 503, body: CDN_HTML };
      else if (fault.kind === 'missing-key') reply = { status: 401, body: keyMissing() };
      else if (fault.kind === 'wrong-host') reply = { status: 400, body: wrongHost(fault.code) };
      // CoinGecko does not document the HTTP status of 10005; 403 is this stand-in's choice.
      else if (fault.kind === 'plan-restricted')
        reply = {
          status: 403,
          body: {
            status: {
              error_code: 10005,
              error_message: 'You may not have access to this endpoint. Upgrade your plan.',
            },
          },
        };
      else if (fault.kind === 'not-found') reply = { status: 404, body: { error: 'coin not found' } };
      else if (fault.kind === 'bad-request')
        reply = { status: 400, body: { error: fault.message ?? 'invalid parameter' } };
    }
    if (gone.aborted) return void res.destroy();
    reply ??=
      checkKey(req, opts) ??
      route(path, url.searchParams, { coins, now: now(), updateMs: opts.priceUpdateMs ?? 10_000 });
    entry.status = reply.status;
    if (reply.body === CDN_HTML)
      return void res.writeHead(reply.status, { 'content-type': 'text/html; charset=UTF-8' }).end(CDN_HTML);
    res
      .writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...extraHeaders })
      .end(JSON.stringify(reply.body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent)
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e) }));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}/api/v3`,
    port,
    server,
    coins,
    requests,
    count: (path) => requests.filter((r) => path === undefined || r.path.includes(path)).length,
    inject: (rule) => {
      const r = 'fault' in rule ? rule : { fault: rule };
      faults.push({ fault: r.fault, path: r.path, times: r.times ?? 1 });
    },
    reset: () => {
      faults.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The plan's key check, the way CoinGecko's two hosts answer. */
function checkKey(req: IncomingMessage, opts: StandInOptions): Reply | undefined {
  const plan = opts.plan ?? 'public';
  const demo = req.headers['x-cg-demo-api-key'];
  const pro = req.headers['x-cg-pro-api-key'];
  if (plan === 'pro') {
    if (demo !== undefined && pro === undefined) return { status: 400, body: wrongHost(10011) };
    if (pro === undefined) return { status: 401, body: keyMissing() };
    if (opts.apiKey !== undefined && pro !== opts.apiKey) return INVALID_KEY;
    return undefined;
  }
  if (pro !== undefined) return { status: 400, body: wrongHost(10010) };
  if (plan === 'demo') {
    if (demo === undefined) return { status: 401, body: keyMissing() };
    if (opts.apiKey !== undefined && demo !== opts.apiKey) return INVALID_KEY;
  }
  return undefined;
}

function abortedWhenClosed(res: ServerResponse): AbortSignal {
  const c = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) c.abort();
  });
  return c.signal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export {
  candleMs,
  extraCoins,
  FX,
  globalData,
  ohlcRows,
  quote,
  STAND_IN_COINS,
  type StandInCoin,
  wobble,
} from './stand-in-data';
