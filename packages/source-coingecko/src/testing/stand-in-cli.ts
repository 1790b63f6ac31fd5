import { parseArgs } from 'node:util';
import { startStandIn } from './stand-in';

/**
 * qi-coingecko-stand-in [--port 0] [--host 127.0.0.1] [--plan public|demo|pro] [--api-key KEY]
 *                       [--price-update-ms 10000] [--extra-coins 0] [--latency-ms 0] [--verbose]
 * Prints the API root (for COINGECKO_BASE_URL) as the first line on stdout and serves until SIGINT/SIGTERM.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    plan: { type: 'string', default: 'public' },
    'api-key': { type: 'string' },
    'price-update-ms': { type: 'string', default: '10000' },
    'extra-coins': { type: 'string', default: '0' },
    'latency-ms': { type: 'string', default: '0' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(
      'usage: qi-coingecko-stand-in [--port 0] [--host 127.0.0.1] [--plan public|demo|pro] [--api-key KEY] [--price-update-ms 10000] [--extra-coins 0] [--latency-ms 0] [--verbose]\n',
    );
    return;
  }
  const plan = values.plan as 'public' | 'demo' | 'pro';
  if (!['public', 'demo', 'pro'].includes(plan))
    throw new Error(`--plan must be public, demo or pro, got "${values.plan}"`);
  const standIn = await startStandIn({
    port: Number(values.port),
    host: values.host,
    plan,
    ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
    priceUpdateMs: Number(values['price-update-ms']),
    extraCoins: Number(values['extra-coins']),
    latencyMs: Number(values['latency-ms']),
  });
  process.stdout.write(`${standIn.url}\n`);
  if (values.verbose) {
    standIn.server.on('request', (req) =>
      process.stderr.write(`${new Date().toISOString()} ${req.method} ${req.url}\n`),
    );
  }
  const stop = () => {
    standIn.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`qi-coingecko-stand-in: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
