import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { QiMetrics } from './metrics';

export interface HealthReport {
  ok: boolean;
}

const ROUTES = '/metrics, /healthz, /ready, /status';

/**
 * /metrics (Prometheus text), /healthz (the status, 503 when a pipeline is
 * unhealthy), /ready (200 once every pipeline has started, 503 before and after)
 * and /status (the same JSON as /healthz, always 200: for tools, not probes).
 */
export async function startMetricsServer(opts: {
  port: number;
  host: string;
  metrics: QiMetrics;
  health: () => Promise<HealthReport>;
  ready?: () => boolean;
  /** applied to every JSON body (scrubs secrets from error messages) */
  scrub?: (text: string) => string;
}): Promise<{ url: string; close: () => Promise<void> }> {
  const scrub = opts.scrub ?? ((t: string) => t);
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(scrub(JSON.stringify(body)));
  };
  const server = http.createServer(async (req, res) => {
    try {
      const url = (req.url ?? '/').split('?')[0];
      if (url === '/metrics') {
        res.writeHead(200, { 'content-type': opts.metrics.registry.contentType });
        res.end(await opts.metrics.registry.metrics());
      } else if (url === '/healthz' || url === '/status') {
        const h = await opts.health();
        json(res, h.ok || url === '/status' ? 200 : 503, h);
      } else if (url === '/ready') {
        const ready = opts.ready ? opts.ready() : true;
        json(res, ready ? 200 : 503, { ready });
      } else {
        res.writeHead(404).end(`not found: try ${ROUTES}\n`);
      }
    } catch (e) {
      res.writeHead(500).end(scrub(String((e as Error).message)));
    }
  });
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(opts.port, opts.host, resolve),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://${opts.host}:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
