import { parseArgs } from 'node:util';
import type { QiPlugin } from '@qi/core';
import * as core from '@qi/core';
import type { McpExtension } from './extension';
import { serveTargetFromConfig } from './serve-config';

export interface ServeCliOptions {
  /** the command name, e.g. "qi-timescale-mcp" */
  bin: string;
  plugin?: QiPlugin;
  extension?: McpExtension<never>;
  argv?: string[];
  env?: NodeJS.ProcessEnv;
}

const usage = (bin: string) => `Usage: ${bin} [--config <qi config file>] [--target <pipeline>.<target>]
          [--transport http|stdio] [--host 127.0.0.1] [--port 8080] [--path /mcp]
          [--token-env QI_MCP_TOKEN] [--max-body-bytes 8388608]

Serves a target of a qi config as an MCP server (tools publish_prices, publish_ohlcv,
publish_analytics, publish_level1, publish_batch, flush, health and the target's own).
A bearer token (from --token-env) is required when --host is not loopback.
Exit codes: 0 stopped, 1 runtime failure, 2 bad config or usage.`;

/** The bins of the -mcp packages: parse flags, serve, stop cleanly on SIGINT/SIGTERM. Resolves to an exit code. */
export async function runServeCli(opts: ServeCliOptions): Promise<number> {
  // a core older than this call has no muteKnownWarnings: then Node prints kafkajs's timer warning
  (core as { muteKnownWarnings?: () => void }).muteKnownWarnings?.();
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: opts.argv ?? process.argv.slice(2),
      options: {
        config: { type: 'string', short: 'c' },
        target: { type: 'string', short: 't' },
        transport: { type: 'string', default: 'http' },
        host: { type: 'string' },
        port: { type: 'string' },
        path: { type: 'string' },
        'token-env': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${opts.bin}: ${(e as Error).message}\n${usage(opts.bin)}\n`);
    return 2;
  }
  if (values.help) {
    process.stderr.write(`${usage(opts.bin)}\n`);
    return 0;
  }
  const transport = values.transport as string;
  const port = values.port === undefined ? undefined : Number(values.port);
  const maxBody = values['max-body-bytes'] === undefined ? undefined : Number(values['max-body-bytes']);
  if (
    (transport !== 'http' && transport !== 'stdio') ||
    (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) ||
    (maxBody !== undefined && !(Number.isInteger(maxBody) && maxBody > 0))
  ) {
    process.stderr.write(`${opts.bin}: bad --transport, --port or --max-body-bytes\n${usage(opts.bin)}\n`);
    return 2;
  }
  const r = await serveTargetFromConfig({
    ...(values.config ? { configPath: values.config as string } : {}),
    ...(values.target ? { target: values.target as string } : {}),
    transport,
    ...(values.host ? { host: values.host as string } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(values.path ? { path: values.path as string } : {}),
    ...(values['token-env'] ? { tokenEnv: values['token-env'] as string } : {}),
    ...(maxBody ? { maxBodyBytes: maxBody } : {}),
    ...(opts.plugin ? { plugin: opts.plugin } : {}),
    ...(opts.extension ? { extension: opts.extension } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  if (!r.ok) {
    process.stderr.write(`${opts.bin}: ${r.error.code}: ${r.error.message}\n`);
    return r.error.category === 'config' ? 2 : 1;
  }
  const served = r.value;
  if (served.url)
    process.stderr.write(
      `${opts.bin}: serving ${served.pipeline}.${served.target} (${served.use}) on ${served.url}\n`,
    );
  let why = 'the client closed the connection';
  const stop = (signal: NodeJS.Signals) => {
    why = signal;
    void served.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await served.closed;
  // stderr: on stdio, stdout is the protocol
  process.stderr.write(`${opts.bin}: stopped serving ${served.pipeline}.${served.target} (${why})\n`);
  return 0;
}
