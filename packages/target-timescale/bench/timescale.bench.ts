// Throughput of @qi/target-timescale against a raw COPY baseline, in the same run.
//   pnpm bench timescale                          (1,000,000 rows, 3 runs, medians)
//   QI_BENCH_ROWS=100000 QI_BENCH_RUNS=1 pnpm bench timescale
// Env: QI_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test), QI_BENCH_BATCH (default: the
// plugin's batchSize), QI_BENCH_CONCURRENCY (default: the plugin's), QI_BENCH_PATH (copy|insert), QI_BENCH_CALL (records per
// publish call, default one batch), QI_BENCH_INFLIGHT (publish calls in flight, 4),
// QI_BENCH_DIRECT=0 (always COPY through the staging table), QI_BENCH_EXTRA=1 (also: replay of the same rows, and the embedded PGlite on 100k rows),
// QI_BENCH_TIMESCALE=off|on|both (plain tables, hypertables, or both in each run, each against a raw COPY into the same
// kind of table; on/both default to scripts/timescaledb.sh's server, postgres://postgres@127.0.0.1:5433/postgres).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { quoteIdent, RECORD_SPECS, tableDdl } from '@qi/core';
import { benchPrices, testContext } from '@qi/core/testkit';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import plugin from '../dist/index.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const ROWS = env('QI_BENCH_ROWS', 1_000_000);
const RUNS = env('QI_BENCH_RUNS', 3);
const TIMESCALE = process.env.QI_BENCH_TIMESCALE ?? 'off';
if (!['off', 'on', 'both'].includes(TIMESCALE)) throw new Error('QI_BENCH_TIMESCALE must be off, on or both');
const KINDS: Array<'plain' | 'hypertable'> =
  TIMESCALE === 'both' ? ['plain', 'hypertable'] : TIMESCALE === 'on' ? ['hypertable'] : ['plain'];
const URL_ =
  process.env.QI_BENCH_PG_URL ??
  (TIMESCALE === 'off'
    ? 'postgres://postgres@127.0.0.1:5432/test'
    : 'postgres://postgres@127.0.0.1:5433/postgres');
const CHUNK = '1 day'; // 1M bench rows span ~33 minutes: one chunk, as a day of 1 Hz data would be
const PATH = process.env.QI_BENCH_PATH ?? 'copy';
const INFLIGHT = env('QI_BENCH_INFLIGHT', 4);
const EXTRA = process.env.QI_BENCH_EXTRA === '1';
const schema = `qi_bench_${process.pid}`;

/** CPU of this process, of all postgres processes, and of the whole machine (Linux /proc), in ms. */
function cpu() {
  let pgMs = 0;
  let total = 0;
  let idle = 0;
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const st = readFileSync(`/proc/${d}/stat`, 'utf8');
        if (!st.includes('(postgres)')) continue;
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        pgMs += (Number(f[11]) + Number(f[12])) * 10;
      } catch {
        // the process ended meanwhile
      }
    }
    const all = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
    total = all.reduce((a, b) => a + b, 0) * 10;
    idle = (all[3]! + all[4]!) * 10;
  } catch {
    // no /proc: CPU figures stay 0
  }
  const u = process.cpuUsage();
  return { wall: performance.now(), node: (u.user + u.system) / 1000, pg: pgMs, total, idle };
}
type Cpu = ReturnType<typeof cpu>;

/** Rate plus CPU per row: where the time went (µs/row of node, postgres, and other processes). */
function measure(rows: number, a: Cpu, b: Cpu) {
  const us = (ms: number) => Math.round(((ms * 1000) / rows) * 100) / 100;
  const busy = b.total - a.total - (b.idle - a.idle);
  return {
    rate: Math.round((rows / (b.wall - a.wall)) * 1000),
    cpu: {
      nodeUsPerRow: us(b.node - a.node),
      pgUsPerRow: us(b.pg - a.pg),
      otherUsPerRow: us(Math.max(0, busy - (b.node - a.node) - (b.pg - a.pg))),
    },
  };
}

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: URL_ });
  await client.connect();
  await client.query(text);
  await client.end();
}

/** Baseline: one COPY FROM STDIN of the same rows with pg + pg-copy-streams, formatting included. */
async function rawCopy(rows: Array<Record<string, unknown>>, table: string, kind: 'plain' | 'hypertable') {
  const client = new pg.Client({ connectionString: URL_ });
  await client.connect();
  const ddl = tableDdl(RECORD_SPECS.price, {
    schema,
    tables: { price: table },
    timescale: kind === 'hypertable' ? { chunkInterval: CHUNK } : false,
  });
  for (const s of [...ddl.statements, ...ddl.timescale]) await client.query(s);
  await client.query('CHECKPOINT');
  const cols = Object.keys(rows[0]!);
  const N = '\\N';
  // hand-written formatting of known-clean rows: the fastest a raw client gets (no validation, no escaping)
  const line = (r: Record<string, unknown>) =>
    `${r.kind}\t${r.coin_id}\t${r.symbol}\t${r.exchange}\t${r.vs_currency}\t${r.price}\t${r.market_cap ?? N}\t${r.volume_24h ?? N}\t${r.change_24h_pct ?? N}\t${r.ts}\t${r.source}\t${r.attribution}\n`;
  const start = cpu();
  const stream = client.query(
    copyStreams.from(
      `COPY ${quoteIdent(schema)}.${quoteIdent(table)} (${cols.map(quoteIdent).join(', ')}) FROM STDIN`,
    ),
  );
  for (let i = 0; i < rows.length; i += 10_000) {
    let text = '';
    for (let j = i; j < Math.min(i + 10_000, rows.length); j++) text += line(rows[j]!);
    if (!stream.write(text)) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  await finished(stream);
  const m = measure(rows.length, start, cpu());
  await client.end();
  return m;
}

/** The target as a pipeline drives it: the plugin's create, publish calls of one source batch, a few in flight. */
async function throughTarget(
  rows: Array<Record<string, unknown>>,
  config: Record<string, unknown>,
  baseDir = process.cwd(),
) {
  const batch = {
    ...(process.env.QI_BENCH_BATCH ? { batchSize: Number(process.env.QI_BENCH_BATCH) } : {}),
    ...(process.env.QI_BENCH_CONCURRENCY ? { concurrency: Number(process.env.QI_BENCH_CONCURRENCY) } : {}),
  };
  const direct = process.env.QI_BENCH_DIRECT === '0' ? { copyDirect: false } : {};
  const cfg = plugin.configSchema.parse({ lingerMs: 0, ...batch, ...direct, ...config });
  const writer = await plugin.create(cfg, testContext({ name: 'bench', pipeline: 'bench', baseDir }));
  // connect and create the tables before the clock starts (BaseWriter.init; publish would do it lazily)
  const init = await (writer as unknown as { init(): Promise<{ ok: boolean; error?: unknown }> }).init();
  if (!init.ok) throw init.error;
  if (cfg.connectionString) await sql('CHECKPOINT'); // both sides start from a fresh checkpoint
  const call = env('QI_BENCH_CALL', cfg.batchSize);
  const inflight = new Set<Promise<void>>();
  const start = cpu();
  for (let i = 0; i < rows.length; i += call) {
    const p = writer.publishPrices(rows.slice(i, i + call) as never[]).then((r) => {
      if (!r.ok) throw r.error;
      if (r.value.rejected.length)
        throw new Error(`rejected ${r.value.rejected.length}: ${r.value.rejected[0]!.error.message}`);
    });
    inflight.add(p);
    void p.finally(() => inflight.delete(p)).catch(() => {});
    if (inflight.size >= INFLIGHT) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const flushed = await writer.flush();
  if (!flushed.ok) throw flushed.error;
  const m = measure(rows.length, start, cpu());
  const stats = (writer as unknown as { writeStats: unknown }).writeStats;
  await writer.close();
  return { ...m, stats, batchSize: cfg.batchSize, concurrency: cfg.concurrency };
}

async function count(table: string): Promise<number> {
  const client = new pg.Client({ connectionString: URL_ });
  await client.connect();
  const r = await client.query(`SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.${quoteIdent(table)}`);
  await client.end();
  return r.rows[0].n;
}

const results: Array<Record<string, unknown>> = [];
function report(bench: string, rate: number, baseline: number | null, extra: Record<string, unknown> = {}) {
  const line = {
    bench,
    rate,
    unit: 'rows/s',
    baseline,
    ratio: baseline ? Math.round((rate / baseline) * 100) / 100 : null,
    ...extra,
  };
  results.push(line);
  console.log(JSON.stringify(line));
}
const median = <T>(xs: T[], by: (x: T) => number): T =>
  [...xs].sort((a, b) => by(a) - by(b))[xs.length >> 1]!;

await sql(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
try {
  const rows = benchPrices(ROWS) as unknown as Array<Record<string, unknown>>;
  const rawRate: Partial<Record<'plain' | 'hypertable', number>> = {};
  for (const kind of KINDS) {
    const raws: Array<Awaited<ReturnType<typeof rawCopy>>> = [];
    const targets: Array<Awaited<ReturnType<typeof throughTarget>>> = [];
    const timescale = { enabled: kind === 'hypertable', chunkInterval: CHUNK };
    for (let run = 0; run < RUNS; run++) {
      raws.push(await rawCopy(rows, `raw_${kind}_${run}`, kind));
      const t = await throughTarget(rows, {
        connectionString: URL_,
        schema,
        writePath: PATH,
        timescale,
        tables: { price: `target_${kind}_${run}` },
      });
      const n = await count(`target_${kind}_${run}`);
      if (n !== ROWS) throw new Error(`the target wrote ${n} rows, expected ${ROWS}`);
      targets.push(t);
      console.error(
        `${kind} run ${run + 1}/${RUNS}: raw COPY ${raws[run]!.rate} rows/s ${JSON.stringify(raws[run]!.cpu)}; target ${t.rate} rows/s ${JSON.stringify(t.cpu)}`,
      );
    }
    const raw = median(raws, (r) => r.rate);
    const target = median(targets, (t) => t.rate);
    rawRate[kind] = raw.rate;
    report(`target-timescale price ${PATH}, ${kind}, ${ROWS} rows`, target.rate, raw.rate, {
      // a hypertable against the plain raw COPY of the same run: what the hypertable itself costs
      ...(kind === 'hypertable' && rawRate.plain
        ? { ratioToPlainRawCopy: Math.round((target.rate / rawRate.plain) * 100) / 100 }
        : {}),
      runs: RUNS,
      batchSize: target.batchSize,
      concurrency: target.concurrency,
      stats: target.stats,
      cpu: target.cpu,
      baselineCpu: raw.cpu,
    });
  }
  if (EXTRA) {
    const raw = { rate: results[0]!.baseline as number };
    const kind = KINDS[0]!;
    const timescale = { enabled: kind === 'hypertable', chunkInterval: CHUNK };
    const replay = await throughTarget(rows, {
      connectionString: URL_,
      schema,
      writePath: PATH,
      timescale,
      tables: { price: `target_${kind}_0` },
    });
    report(`target-timescale price ${PATH}, replay of ${ROWS} existing rows`, replay.rate, raw.rate, {
      stats: replay.stats,
      cpu: replay.cpu,
    });
    const upsert = await throughTarget(
      rows.map((r) => ({ ...r, price: '1.5' })),
      { connectionString: URL_, schema, writePath: PATH, timescale, tables: { price: `target_${kind}_0` } },
    );
    report(`target-timescale price ${PATH}, upsert of ${ROWS} changed rows`, upsert.rate, raw.rate, {
      stats: upsert.stats,
      cpu: upsert.cpu,
    });
    if (rawRate.hypertable) {
      // into compressed chunks: TimescaleDB decompresses the segments a batch touches before it can check the key
      const table = 'target_hypertable_0';
      const rel = `${quoteIdent(schema)}.${quoteIdent(table)}`;
      const [, setCompression] = tableDdl(RECORD_SPECS.price, {
        schema,
        tables: { price: table },
        timescale: { chunkInterval: CHUNK, compressAfter: '7 days' },
      }).timescale;
      await sql(setCompression!);
      // what the table holds now: the extra upsert above rewrote it when it ran on this table
      const stored = KINDS[0] === 'hypertable' ? rows.map((r) => ({ ...r, price: '1.5' })) : rows;
      const inputs = [
        ['replay', stored],
        ['upsert', rows.map((r) => ({ ...r, price: '2.5' }))],
      ] as const;
      // a 5000-row batch touches ~100k compressed rows, TimescaleDB's default cap per transaction (README, Troubleshooting)
      const unlimited = `${URL_}${URL_.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c timescaledb.max_tuples_decompressed_per_dml_transaction=0')}`;
      for (const [what, input] of inputs) {
        await sql(`SELECT count(compress_chunk(c, if_not_compressed => TRUE)) FROM show_chunks('${rel}') c`);
        const r = await throughTarget(input, {
          connectionString: unlimited,
          schema,
          writePath: PATH,
          timescale: { enabled: true, chunkInterval: CHUNK },
          tables: { price: table },
        });
        report(
          `target-timescale price ${PATH}, hypertable, ${what} of ${ROWS} rows into compressed chunks`,
          r.rate,
          rawRate.hypertable,
          { stats: r.stats, cpu: r.cpu },
        );
      }
    }
    const small = rows.slice(0, Math.min(ROWS, 100_000));
    const dir = mkdtempSync(join(tmpdir(), 'qi-bench-pglite-'));
    try {
      const emb = await throughTarget(small, { embedded: { dataDir: 'pgdata' } }, dir);
      report(`target-timescale price embedded PGlite (INSERT), ${small.length} rows`, emb.rate, null, {
        stats: emb.stats,
        cpu: emb.cpu,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await sql(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
}

console.log('\n| bench | rows/s | raw COPY rows/s | ratio |\n| --- | --- | --- | --- |');
for (const r of results) console.log(`| ${r.bench} | ${r.rate} | ${r.baseline ?? '-'} | ${r.ratio ?? '-'} |`);
