// 100,000 price records through the MCP writer → qi-timescale-mcp (a separate process, Streamable
// HTTP) → PostgreSQL, against the direct @qi/target-timescale target in the same run.
//   pnpm bench timescale-mcp
// Env: QI_BENCH_ROWS (100000), QI_BENCH_BATCH (1000), QI_BENCH_CONCURRENCY (2), QI_BENCH_RUNS (3),
//      QI_BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/test).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteIdent, type Writer } from '@qi/core';
import { benchPrices, testContext } from '@qi/core/testkit';
import timescale, { pgp } from '@qi/target-timescale';
import plugin from '../dist/index.js';

const ROWS = Number(process.env.QI_BENCH_ROWS ?? 100_000);
const BATCH = Number(process.env.QI_BENCH_BATCH ?? 1000);
const CONCURRENCY = Number(process.env.QI_BENCH_CONCURRENCY ?? 2);
const RUNS = Number(process.env.QI_BENCH_RUNS ?? 3);
// The MCP hop adds a round trip per batch; more batches in flight hide it (the server's writer keeps CONCURRENCY).
const MCP_CONCURRENCY = Number(process.env.QI_BENCH_MCP_CONCURRENCY ?? 4);
const INFLIGHT = Number(process.env.QI_BENCH_INFLIGHT ?? 8);
const PG_URL = process.env.QI_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `qi_bench_tsmcp_${process.pid}`;
const db = pgp({ connectionString: PG_URL, max: 1 });

const ctx = () => testContext({ name: 'bench', pipeline: 'bench' });
const workflow = { batchSize: BATCH, concurrency: CONCURRENCY, lingerMs: 0 };

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

async function count(table: string) {
  return (await db.one(`SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.${quoteIdent(table)}`))
    .n as number;
}

async function direct(rows: unknown[], table: string) {
  const w = await timescale.create(
    timescale.configSchema.parse({ connectionString: PG_URL, schema, tables: { price: table }, ...workflow }),
    ctx(),
  );
  const init = await (w as unknown as { init(): Promise<{ ok: boolean; error?: unknown }> }).init();
  if (!init.ok) throw init.error;
  await db.none('CHECKPOINT');
  const c0 = process.cpuUsage();
  const rate = await drive(w, rows);
  cpu.direct.push({ client: cpuMs(process.cpuUsage(c0)) });
  await w.close();
  return rate;
}

/** Starts qi-timescale-mcp as its own process (as deployed) and resolves its URL. */
function startServer(
  dir: string,
  table: string,
): Promise<{ url: string; cpuMs: () => number; stop: () => Promise<void> }> {
  const config = join(dir, `qi-${table}.yaml`);
  writeFileSync(
    config,
    `pipelines:\n  bench:\n    source: { use: file, with: { path: in.ndjson } }\n    targets:\n      - use: "@qi/target-timescale"\n        with: { connectionString: "${PG_URL}", schema: ${schema}, tables: { price: ${table} }, batchSize: ${BATCH}, concurrency: ${CONCURRENCY}, lingerMs: 0 }\nlogLevel: warn\n`,
  );
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '..', 'bin', 'qi-timescale-mcp.cjs'), '--config', config, '--port', '0'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, QI_MCP_TOKEN: 'bench-token-0123456789abcdef' },
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
    child.once('exit', (code) => reject(new Error(`qi-timescale-mcp exited ${code}: ${err}`)));
  });
}

async function throughMcp(rows: unknown[], dir: string, table: string) {
  const server = await startServer(dir, table);
  try {
    const w = await plugin.create(
      plugin.configSchema.parse({
        url: server.url,
        token: 'bench-token-0123456789abcdef',
        ...workflow,
        concurrency: MCP_CONCURRENCY,
      }),
      ctx(),
    );
    const init = await (w as unknown as { init(): Promise<{ ok: boolean; error?: unknown }> }).init();
    if (!init.ok) throw init.error;
    await db.none('CHECKPOINT');
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

// CPU time per 100k records tells where the MCP hop's cost goes (the figures in the README)
const cpu = { direct: [] as Array<{ client: number }>, mcp: [] as Array<{ client: number; server: number }> };
const cpuMs = (u: NodeJS.CpuUsage) => Math.round((u.user + u.system) / 1000);
function cpuOfPid(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const dir = mkdtempSync(join(tmpdir(), 'qi-bench-tsmcp-'));
await db.none(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
try {
  const rows = benchPrices(ROWS);
  const directs: number[] = [];
  const mcps: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    directs.push(await direct(rows, `direct_${run}`));
    mcps.push(await throughMcp(rows, dir, `mcp_${run}`));
    for (const t of [`direct_${run}`, `mcp_${run}`])
      if ((await count(t)) !== ROWS) throw new Error(`${t}: expected ${ROWS} rows`);
    console.error(
      `run ${run + 1}/${RUNS}: direct ${directs[run]} rows/s (client CPU ${cpu.direct[run]!.client} ms), through MCP ${mcps[run]} rows/s (client CPU ${cpu.mcp[run]!.client} ms, server CPU ${cpu.mcp[run]!.server} ms)`,
    );
  }
  const base = median(directs);
  const rate = median(mcps);
  const line = {
    bench: `target-timescale-mcp price (${ROWS} rows, batch ${BATCH}, concurrency ${CONCURRENCY})`,
    rate,
    unit: 'rows/s',
    baseline: base,
    ratio: Math.round((rate / base) * 100) / 100,
    runs: RUNS,
  };
  console.log(JSON.stringify(line));
  console.log(
    `\n| path | rows/s |\n| --- | --- |\n| direct @qi/target-timescale | ${base} |\n| MCP writer → qi-timescale-mcp → PostgreSQL | ${rate} |\n| ratio | ${line.ratio} |`,
  );
} finally {
  await db.none(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await db.$pool.end();
  rmSync(dir, { recursive: true, force: true });
}
