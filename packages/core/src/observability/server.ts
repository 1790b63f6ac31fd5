import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { QiMetrics } from './metrics';

export interface HealthReport {
  ok: boolean;
  [k: string]: unknown;
}

/** /metrics (Prometheus text) and /healthz (200 when healthy, 503 otherwise). */
export async function startMetricsServer(opts: {
  port: number;
  host: string;
  metrics: QiMetrics;
  health: () => Promise<HealthReport>;
}): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    try {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': opts.metrics.registry.contentType });
        res.end(await opts.metrics.registry.metrics());
      } else if (req.url === '/healthz') {
        const h = await opts.health();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(h));
      } else {
        res.writeHead(404).end('not found: try /metrics or /healthz\n');
      }
    } catch (e) {
      res.writeHead(500).end(String((e as Error).message));
    }
  });
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(opts.port, opts.host, resolve),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://${opts.host}:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
