import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './helpers';
import { kafkaProject, type QiProcess, qiRun } from './kafka-project';

// Helpers of the outage tests: a source that keeps producing whatever happens
// downstream, a private PostgreSQL, and the run's /healthz.

const run = promisify(execFile);

/**
 * A source plugin as a stranger would publish it: `perTick` prices every
 * `intervalMs` of wall time, record i always the same (testkit samplePrice), so
 * what was produced during an outage is yielded as a backlog once the pipeline
 * pulls again.
 */
const TICKER = `
const { BaseReader, definePlugin, toQiError, z } = require('@qi/core');
const { samplePrice } = require('@qi/core/testkit');
const { setTimeout: sleep } = require('node:timers/promises');
module.exports = definePlugin({
  name: 'qi-test-ticker',
  kind: 'source',
  apiVersion: '^1.0.0',
  configSchema: z.strictObject({
    intervalMs: z.number().int().default(200),
    perTick: z.number().int().default(10),
    maxBatch: z.number().int().default(500),
  }),
  create(config, ctx) {
    return new BaseReader({
      name: ctx.name,
      logger: ctx.logger,
      handler: {
        async *stream(o) {
          const t0 = Date.now();
          let emitted = 0;
          while (!o.signal.aborted) {
            const due = Math.floor((Date.now() - t0) / config.intervalMs) * config.perTick;
            const n = Math.min(due - emitted, config.maxBatch);
            if (n > 0) {
              const records = Array.from({ length: n }, (_, k) => samplePrice(emitted + k, { source: 'ticker' }));
              emitted += n;
              yield { records, position: emitted };
              continue;
            }
            try { await sleep(config.intervalMs, undefined, { signal: o.signal }); } catch { return; }
          }
        },
        classifyError: (e) => toQiError(e),
        close: async () => {},
      },
    });
  },
});
`;

/** A temp project with the built @qi packages, the ticker plugin and the given config. */
export function tickerProject(configYaml: string): { dir: string; cleanup: () => void } {
  const project = kafkaProject(configYaml);
  const pkg = path.join(project.dir, 'node_modules/qi-test-ticker');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'qi-test-ticker', version: '1.0.0', main: 'index.js' }),
  );
  writeFileSync(path.join(pkg, 'index.js'), TICKER);
  return project;
}

/** A private PostgreSQL (scripts/postgres.sh) in a temp folder on its own port. */
export function privatePostgres(port: number) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'qi-pg-outage-'));
  const env = { ...process.env, QI_PG_HOME: home, QI_PG_PORT: String(port) };
  const pg = (cmd: 'start' | 'stop') =>
    run(path.join(REPO, 'scripts/postgres.sh'), [cmd], { env, timeout: 90_000 }).catch(
      (e: Error & { stderr?: string }) => {
        throw new Error(`scripts/postgres.sh ${cmd} (port ${port}) failed: ${e.stderr ?? e.message}`);
      },
    );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    start: () => pg('start'),
    stop: () => pg('stop'),
    psql: async (sql: string) =>
      (await run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, '-c', sql])).stdout.trim(),
    remove: async () => {
      await pg('stop').catch(() => {});
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The run's health server URL, from its log line. */
export function metricsUrl(p: QiProcess): string | undefined {
  return p.logs().find((l) => l.event === 'metrics.listening')?.url as string | undefined;
}

export async function healthz(
  p: QiProcess,
): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  const url = metricsUrl(p);
  if (!url) return undefined;
  const res = await fetch(`${url}/healthz`).catch(() => undefined);
  return res ? { status: res.status, body: (await res.json()) as Record<string, unknown> } : undefined;
}

/** Polls an async check every 500 ms; fails at once if the run ended, or after `timeoutMs`. */
export async function until(
  check: () => Promise<boolean> | boolean,
  p: QiProcess,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (p.exited)
      throw new Error(
        `qi run ended (${JSON.stringify(p.exited)}) while waiting for ${what()}\n${p.stderr()}`,
      );
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}\n${p.stderr().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { type QiProcess, qiRun };
