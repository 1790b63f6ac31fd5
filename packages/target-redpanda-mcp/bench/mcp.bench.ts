// 100,000 price records through the MCP writer → qi-redpanda-mcp (a separate process, Streamable
// HTTP) → Kafka, against the direct @qi/target-redpanda target in the same run.
//   pnpm bench redpanda-mcp
// Env: QI_BENCH_ROWS (100000), QI_BENCH_BATCH (1000), QI_BENCH_CONCURRENCY (1, the direct target's and
//      the server's), QI_BENCH_MCP_CONCURRENCY (4), QI_BENCH_INFLIGHT (8), QI_BENCH_RUNS (3),
//      QI_BENCH_BROKERS (127.0.0.1:9092).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writer } from '@qi/core';
import { benchPrices, testContext } from '@qi/core/testkit';
import { createStreamingClient } from '@qi/streaming';
import redpanda from '@qi/target-redpanda';
import plugin from '../dist/index.js';

const ROWS = Number(process.env.QI_BENCH_ROWS ?? 100_000);
const BATCH = Number(process.env.QI_BENCH_BATCH ?? 1000);
const CONCURRENCY = Number(process.env.QI_BENCH_CONCURRENCY ?? 1);
// The MCP hop adds a round trip per batch; more batches in flight hide it (the server keeps CONCURRENCY).
const MCP_CONCURRENCY = Number(process.env.QI_BENCH_MCP_CONCURRENCY ?? 4);
const INFLIGHT = Number(process.env.QI_BENCH_INFLIGHT ?? 8);
const RUNS = Number(process.env.QI_BENCH_RUNS ?? 3);
const BROKERS = (process.env.QI_BENCH_BROKERS ?? '127.0.0.1:9092').split(',');
const run = randomBytes(3).toString('hex');
const TOKEN = 'bench-token-0123456789abcdef';

const ctx = () => testContext({ name: 'bench', pipeline: 'bench' });
const workflow = { batchSize: BATCH, concurrency: CONCURRENCY, lingerMs: 0 };
const cpu = { direct: [] as number[], mcp: [] as Array<{ client: number; server: number }> };
const cpuMs = (u: NodeJS.CpuUsage) => Math.round((u.user + u.system) / 1000);
function cpuOfPid(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
}

/** A pipeline's way of driving a writer: publish calls of 1,000 records, INFLIGHT of them at once. */
async function drive(writer: Writer, rows: unknown[]) {
  const inflight = new Set<Promise<unknown>>();
  const started = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    const p = writer.publishPrices(rows.slice(i, i + 1000) as never).then((r) => {
      if (!r.ok) throw r.error;
      if (r.value.rejected.length) throw new Error(`rejected ${r.value.rejected.length}`);
    });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    if (inflight.size >= INFLIGHT) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const f = await writer.flush();
  if (!f.ok) throw f.error;
  return Math.round((rows.length / (performance.now() - started)) * 1000);
}

async function countTopic(topic: string): Promise<number> {
  const s = await createStreamingClient({ brokers: BROKERS, clientId: 'qi-bench-count' });
  if (!s.ok) throw s.error;
  const admin = await s.value.getAdmin();
  if (!admin.ok) throw admin.error;
  const o = await admin.value.fetchTopicOffsets(topic);
  if (!o.ok) throw o.error;
  await s.value.disconnect();
  return o.value.reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0);
}

async function deleteTopics(prefix: string) {
  const s = await createStreamingClient({ brokers: BROKERS, clientId: 'qi-bench-cleanup' });
  if (!s.ok) return;
  const admin = await s.value.getAdmin();
  if (admin.ok) {
    const all = await admin.value.listTopics();
    if (all.ok) await admin.value.deleteTopics(all.value.filter((t) => t.startsWith(prefix)));
  }
  await s.value.disconnect();
}

const target = (prefix: string) => ({
  brokers: BROKERS,
  topicPrefix: prefix,
  deadLetterTopic: `${prefix}dead-letter`,
  partitions: 6,
  ...workflow,
});

async function direct(rows: unknown[], prefix: string) {
  const w = (await redpanda.create(redpanda.configSchema.parse(target(prefix)), ctx())) as Writer & {
    init(): Promise<{ ok: boolean; error?: unknown }>;
  };
  const init = await w.init();
  if (!init.ok) throw init.error;
  const c0 = process.cpuUsage();
  const rate = await drive(w, rows);
  cpu.direct.push(cpuMs(process.cpuUsage(c0)));
  await w.close();
  return rate;
}

/** Starts qi-redpanda-mcp as its own process (as deployed) and resolves its URL. */
function startServer(
  dir: string,
  prefix: string,
): Promise<{ url: string; cpuMs: () => number; stop: () => Promise<void> }> {
  const config = join(dir, `qi-${prefix}yaml`);
  writeFileSync(
    config,
    `pipelines:\n  bench:\n    source: { use: file, with: { path: in.ndjson } }\n    targets:\n      - use: "@qi/target-redpanda"\n        with: ${JSON.stringify(target(prefix))}\nlogLevel: error\n`,
  );
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '..', 'bin', 'qi-redpanda-mcp.cjs'), '--config', config, '--port', '0'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, QI_MCP_TOKEN: TOKEN, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
      const m = /on (http:\/\/\S+)/.exec(err);
      if (m)
        resolve({
          url: m[1]!,
          cpuMs: () => cpuOfPid(child.pid!),
          stop: () =>
            new Promise((r) => {
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`qi-redpanda-mcp exited ${code}: ${err}`)));
  });
}

async function throughMcp(rows: unknown[], dir: string, prefix: string) {
  const server = await startServer(dir, prefix);
  try {
    const w = (await plugin.create(
      plugin.configSchema.parse({ url: server.url, token: TOKEN, ...workflow, concurrency: MCP_CONCURRENCY }),
      ctx(),
    )) as Writer & { init(): Promise<{ ok: boolean; error?: unknown }> };
    const init = await w.init();
    if (!init.ok) throw init.error;
    const c0 = process.cpuUsage();
    const s0 = server.cpuMs();
    const rate = await drive(w, rows);
    cpu.mcp.push({ client: cpuMs(process.cpuUsage(c0)), server: server.cpuMs() - s0 });
    await w.close();
    return rate;
  } finally {
    await server.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const dir = mkdtempSync(join(tmpdir(), 'qi-bench-rpmcp-'));
const root = `qi-bench-rpmcp-${run}.`;
try {
  const rows = benchPrices(ROWS);
  const directs: number[] = [];
  const mcps: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    directs.push(await direct(rows, `${root}d${i}.`));
    mcps.push(await throughMcp(rows, dir, `${root}m${i}.`));
    for (const p of [`${root}d${i}.`, `${root}m${i}.`])
      if ((await countTopic(`${p}prices`)) !== ROWS) throw new Error(`${p}prices: expected ${ROWS} messages`);
    console.error(
      `run ${i + 1}/${RUNS}: direct ${directs[i]} msgs/s (client CPU ${cpu.direct[i]} ms), through MCP ${mcps[i]} msgs/s (client CPU ${cpu.mcp[i]!.client} ms, server CPU ${cpu.mcp[i]!.server} ms)`,
    );
  }
  const base = median(directs);
  const rate = median(mcps);
  const line = {
    bench: `target-redpanda-mcp price (${ROWS} records, batch ${BATCH}, kafkajs, acks all)`,
    rate,
    unit: 'msgs/s',
    baseline: base,
    ratio: Math.round((rate / base) * 100) / 100,
    runs: RUNS,
    directRuns: directs,
    mcpRuns: mcps,
  };
  console.log(JSON.stringify(line));
  console.log(
    `\n| path | msgs/s |\n| --- | --- |\n| direct @qi/target-redpanda | ${base} |\n| MCP writer → qi-redpanda-mcp → Kafka | ${rate} |\n| ratio | ${line.ratio} |`,
  );
} finally {
  await deleteTopics(root);
  rmSync(dir, { recursive: true, force: true });
}
