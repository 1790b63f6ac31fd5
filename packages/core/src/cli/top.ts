import { loadConfigFile } from '../host/load-config';
import type { StatusReport } from '../observability/status';
import { EXIT, type GlobalOpts, printError } from './context';
import { renderTop, type Sample } from './top-view';

export interface TopOpts extends GlobalOpts {
  url?: string;
  port?: string;
  interval?: string;
  once?: boolean;
}

const DEFAULT_PORT = 9464;

/** --url, else --port, else the config's metrics.port (and host), else 9464 on loopback. */
async function baseUrl(opts: TopOpts): Promise<string> {
  if (opts.url) return opts.url.replace(/\/+$/, '').replace(/\/status$/, '');
  if (opts.port) return `http://127.0.0.1:${opts.port}`;
  const loaded = await loadConfigFile({ configPath: opts.config });
  const m = loaded.ok
    ? (loaded.value.raw as { metrics?: { port?: unknown; host?: unknown } })?.metrics
    : undefined;
  const port = Number(m?.port);
  const host = typeof m?.host === 'string' && !m.host.includes('${') ? m.host : '127.0.0.1';
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${Number.isInteger(port) && port > 0 ? port : DEFAULT_PORT}`;
}

async function fetchStatus(url: string): Promise<StatusReport> {
  const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}/status`);
  const body = (await res.json()) as StatusReport;
  if (!Array.isArray(body?.pipelines)) throw new Error(`${url}/status is not the status of a qi run`);
  return body;
}

const why = (e: unknown) => {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message;
};

/** qi top: a live view of a running `qi run`, from its /status; q or Ctrl-C quits. */
export async function topCommand(opts: TopOpts): Promise<number> {
  const url = await baseUrl(opts);
  const every = Math.max(200, Number(opts.interval ?? 1000) || 1000);
  let prev: Sample | undefined;
  let cur: Sample;
  try {
    cur = { at: Date.now(), report: await fetchStatus(url) };
  } catch (e) {
    printError(
      `qi top: nothing answers at ${url}/status (${why(e)}). Is \`qi run\` running with --metrics-port (or metrics.port) set to that port? Point qi top at it with --port <port> or --url <url>.`,
    );
    return EXIT.RUNTIME;
  }
  const out = process.stdout;
  const width = () => Math.max(40, out.columns ?? 160);
  if (opts.once || !out.isTTY) {
    // a pipe or --once: one plain screen, rates over one interval
    await new Promise((r) => setTimeout(r, every));
    prev = cur;
    cur = await fetchStatus(url)
      .then((report) => ({ at: Date.now(), report }))
      .catch(() => prev!);
    out.write(`${renderTop(url, cur, prev === cur ? undefined : prev, width()).join('\n')}\n`);
    return EXIT.OK;
  }
  return new Promise<number>((resolve) => {
    let notice: string | undefined;
    const draw = () =>
      out.write(`\x1b[H${renderTop(url, cur, prev, width(), notice).join('\x1b[K\n')}\x1b[K\x1b[J`);
    const stdin = process.stdin;
    const quit = () => {
      clearInterval(timer);
      process.off('SIGINT', quit);
      process.off('SIGTERM', quit);
      stdin.off('data', onKey);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      out.write('\x1b[?25h\x1b[?1049l');
      resolve(EXIT.OK);
    };
    const onKey = (d: Buffer) => {
      const k = d.toString();
      if (k === 'q' || k === 'Q' || k.includes('\u0003')) quit();
    };
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const report = await fetchStatus(url);
        prev = cur;
        cur = { at: Date.now(), report };
        notice = undefined;
      } catch (e) {
        notice = `no answer from ${url}/status (${why(e)}): the run stopped? retrying; q quits`;
      } finally {
        busy = false;
      }
      draw();
    };
    // alternate screen and hidden cursor, restored on quit
    out.write('\x1b[?1049h\x1b[?25l\x1b[2J');
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
    process.on('SIGINT', quit);
    process.on('SIGTERM', quit);
    out.on('resize', draw);
    draw();
    const timer = setInterval(() => void tick(), every);
  });
}
