// @qi/source-redpanda -> @qi/target-timescale through core's runner, against a raw
// kafkajs consumer + raw COPY in the same run, then end-to-end latency at a fixed rate.
//   pnpm bench source-redpanda                       (1,000,000 rows, 3 runs each, medians; 10,000 msgs/s for 30 s)
//   QI_BENCH_ROWS=200000 QI_BENCH_RUNS=1 QI_BENCH_SECONDS=10 pnpm bench source-redpanda
// then the max RSS of the qi path alone reading the backlog once (a fresh child process).
// Env: QI_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test), QI_KAFKA_BROKERS,
// QI_BENCH_CLIENT (kafkajs|platformatic|rdkafka; unset: each of them in turn, in its own process, then a summary), QI_BENCH_BATCH (source maxBatchRecords, 5000),
// QI_BENCH_INFLIGHT (pipeline maxInFlight, 4), QI_BENCH_RATE (10000), QI_BENCH_SECONDS (30, 0 skips the latency run),
// QI_BENCH_ONLY=qi (skip the raw baseline, e.g. to profile with --cpu-prof) or latency, QI_BENCH_LINGER (target lingerMs of the latency run),
// QI_BENCH_ONLY=memory: max RSS of the qi path alone (a child process reading the backlog once), with
// process.memoryUsage() sampled every 250 ms; QI_BENCH_SOURCE_WITH / QI_BENCH_TARGET_WITH (JSON) add config.
// QI_BENCH_BATCH_WAIT (source maxBatchWaitMs, default the source's), QI_BENCH_PLAIN_TABLES=1 (target timescale.enabled false: a PostgreSQL with timescaledb installed but not preloaded).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import {
  boundHeap,
  createMetrics,
  type MarketRecord,
  type PreparedPipeline,
  quoteIdent,
  RECORD_SPECS,
  type Reader,
  runPipeline,
  type SourceBatch,
  silentLogger,
  tableDdl,
  type Writer,
} from '@qi/core';
import { benchPrice, testContext } from '@qi/core/testkit';
import { CLIENT_NAMES, type ClientName, createStreamingClient } from '@qi/streaming';
import { createRedpandaWriter, configSchema as targetConfig } from '@qi/target-redpanda';
import timescale from '@qi/target-timescale';
import kafkajs from 'kafkajs';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import source from '../dist/index.js';

/** No client named: the whole bench once per connector, each in a fresh process, then their lines side by side. */
async function everyClient(): Promise<never> {
  const lines: Array<Record<string, unknown>> = [];
  let failed = 0;
  for (const client of CLIENT_NAMES) {
    console.log(`\n--- ${client}`);
    const child = spawn(process.execPath, ['--no-warnings', ...process.execArgv, import.meta.filename], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, QI_BENCH_CLIENT: client },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    if ((await new Promise((r) => child.on('close', r))) !== 0) failed++;
    for (const l of out.split('\n'))
      if (l.startsWith('{"bench"')) lines.push({ client, ...(JSON.parse(l) as Record<string, unknown>) });
  }
  console.log('\nconnector      line                         value      ratio');
  for (const l of lines) {
    const what = String(l.bench).startsWith('source-redpanda end-to-end')
      ? ['latency p50/p99 ms', `${l.p50}/${l.p99}`]
      : l.maxRssMB !== undefined
        ? ['max RSS MB (backlog)', String(l.maxRssMB)]
        : ['rows/s', String(l.rate)];
    const ratio = typeof l.ratio === 'number' ? l.ratio.toFixed(2) : '';
    console.log(
      `${String(l.client).padEnd(14)} ${what[0]!.padEnd(28)} ${what[1]!.padStart(9)}  ${ratio.padStart(5)}`,
    );
  }
  process.exit(failed ? 1 : 0);
}
if (!process.env.QI_BENCH_CLIENT) await everyClient();

// as `qi run` does (QI_NODE_HEAP=node: Node's defaults); the raw baseline shares the process
const heap = boundHeap();
const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const ROWS = env('QI_BENCH_ROWS', 1_000_000);
const RUNS = env('QI_BENCH_RUNS', 3);
const BATCH = env('QI_BENCH_BATCH', 5000);
const INFLIGHT = env('QI_BENCH_INFLIGHT', 4);
const RATE = env('QI_BENCH_RATE', 10_000);
const SECONDS = env('QI_BENCH_SECONDS', 30);
const ONLY = process.env.QI_BENCH_ONLY; // qi | latency
const LINGER = process.env.QI_BENCH_LINGER; // target lingerMs in the latency run (default: the target's)
const BATCH_WAIT = process.env.QI_BENCH_BATCH_WAIT;
const SOURCE_WITH = JSON.parse(process.env.QI_BENCH_SOURCE_WITH ?? '{}') as Record<string, unknown>;
const TARGET_WITH = JSON.parse(process.env.QI_BENCH_TARGET_WITH ?? '{}') as Record<string, unknown>;
const PLAIN = process.env.QI_BENCH_PLAIN_TABLES === '1' ? { timescale: { enabled: false } } : {};
const CLIENT = (process.env.QI_BENCH_CLIENT ?? 'kafkajs') as ClientName;
const PG_URL = process.env.QI_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BROKERS = (process.env.QI_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const TOPIC = `qi-bench-source.${ROWS}.prices`;
const schema = `qi_bench_src_${process.pid}`;
const tag = `${process.pid}-${Date.now().toString(36)}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'qi-bench-src-'));

async function sql(text: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

/** 1,000,000 price records in a 6-partition topic: made once, reused by later runs of the bench. */
async function ensureData(): Promise<void> {
  const s = await createStreamingClient({ brokers: BROKERS, clientId: 'qi-bench' });
  if (!s.ok) throw s.error;
  const admin = await s.value.getAdmin();
  if (!admin.ok) throw admin.error;
  const offsets = await admin.value.fetchTopicOffsets(TOPIC);
  const held = offsets.ok
    ? offsets.value.reduce((n, o) => n + Number(BigInt(o.high) - BigInt(o.low)), 0)
    : -1;
  if (held === ROWS) return void (await s.value.disconnect());
  if (held >= 0) await admin.value.deleteTopics([TOPIC]);
  await s.value.disconnect();
  console.log(`producing ${ROWS} records to ${TOPIC} …`);
  const writer = createRedpandaWriter(
    targetConfig.parse({
      client: 'platformatic',
      brokers: BROKERS,
      topicPrefix: 'qi-bench-source.',
      topics: { price: TOPIC },
      partitions: 6,
      batchSize: 10_000,
      deadLetterTopic: 'qi-bench-source.dlq',
    }),
    testContext({ name: 'bench-producer', pipeline: 'bench' }),
  );
  const CHUNK = 50_000;
  for (let i = 0; i < ROWS; i += CHUNK) {
    const r = await writer.publishPrices(
      Array.from({ length: Math.min(CHUNK, ROWS - i) }, (_, k) => benchPrice(i + k)) as never[],
    );
    if (!r.ok) throw r.error;
  }
  await writer.close();
}

/** Baseline: kafkajs eachBatch, JSON.parse, one COPY per fetched batch, then commit (what a hand-written consumer does). */
async function raw(run: number): Promise<number> {
  const table = `raw_${run}`;
  for (const s of tableDdl(RECORD_SPECS.price, { schema, tables: { price: table } }).statements) await sql(s);
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  const cols = [
    'kind',
    'coin_id',
    'symbol',
    'exchange',
    'vs_currency',
    'price',
    'market_cap',
    'volume_24h',
    'change_24h_pct',
    'ts',
    'source',
    'attribution',
  ];
  const copySql = `COPY ${quoteIdent(schema)}.${quoteIdent(table)} (${cols.map(quoteIdent).join(', ')}) FROM STDIN`;
  const N = '\\N';
  const kafka = new kafkajs.Kafka({
    clientId: 'qi-bench-raw',
    brokers: BROKERS,
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `qi-bench-raw-${tag}-${run}`,
    maxBytes: 10 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let rows = 0;
  let first = 0;
  let last = 0;
  let done!: () => void;
  const finishedAll = new Promise<void>((r) => (done = r));
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (batch.messages.length === 0) return;
      first ||= performance.now();
      let text = '';
      for (const m of batch.messages) {
        const r = JSON.parse(m.value!.toString('utf8'));
        text += `${r.kind}\t${r.coin_id}\t${r.symbol}\t${r.exchange}\t${r.vs_currency}\t${r.price}\t${r.market_cap ?? N}\t${r.volume_24h ?? N}\t${r.change_24h_pct ?? N}\t${r.ts}\t${r.source}\t${r.attribution}\n`;
      }
      const stream = db.query(copyStreams.from(copySql));
      stream.end(text);
      await finished(stream);
      await consumer.commitOffsets([
        {
          topic: batch.topic,
          partition: batch.partition,
          offset: (BigInt(batch.lastOffset()) + 1n).toString(),
        },
      ]);
      resolveOffset(batch.lastOffset());
      await heartbeat();
      rows += batch.messages.length;
      if (rows >= ROWS) {
        last = performance.now();
        done();
      }
    },
  });
  await finishedAll;
  await consumer.disconnect();
  await db.end();
  const n = Number(
    (
      (await sql(`SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.${quoteIdent(table)}`)) as Array<{
        n: number;
      }>
    )[0]!.n,
  );
  if (n !== ROWS) throw new Error(`raw path wrote ${n} rows, expected ${ROWS}`);
  return Math.round(ROWS / ((last - first) / 1000));
}

interface Hooks {
  onReader?(reader: Reader): void;
  onBatch?(b: SourceBatch): void;
  onAcked?(): void;
  onWritten?(records: readonly MarketRecord[], at: number): void;
}

/** The plugins as the host would prepare them, with hooks to time the first batch, the last ack and each write. */
function pipeline(
  name: string,
  sourceWith: Record<string, unknown>,
  table: string,
  hooks: Hooks,
  targetWith: Record<string, unknown> = {},
): PreparedPipeline {
  const src = {
    ...source,
    async create(config: never, ctx: never) {
      const reader = (await source.create(config, ctx)) as Reader;
      hooks.onReader?.(reader);
      const stream = reader.stream.bind(reader);
      reader.stream = async function* (opts) {
        for await (const b of stream(opts)) {
          hooks.onBatch?.(b);
          const ack = b.ack!;
          yield {
            ...b,
            ack: async () => {
              await ack();
              hooks.onAcked?.();
            },
          };
        }
      };
      return reader;
    },
  };
  const tgt = {
    ...timescale,
    async create(config: never, ctx: never) {
      const w = (await timescale.create(config, ctx)) as Writer;
      const publish = w.publishBatch.bind(w);
      w.publishBatch = async (records) => {
        const r = await publish(records);
        hooks.onWritten?.(records as MarketRecord[], Date.now());
        return r;
      };
      return w;
    },
  };
  const use = (plugin: typeof src | typeof tgt, where: string, config: unknown) => ({
    where,
    name: where,
    resolved: { plugin: plugin as never, packageName: plugin.name, version: '1.0.0', location: 'bench' },
    config,
  });
  return {
    name,
    config: { maxInFlight: INFLIGHT } as never,
    source: use(
      src,
      'source',
      source.configSchema.parse({
        client: CLIENT,
        brokers: BROKERS,
        fromBeginning: true,
        maxBatchRecords: BATCH,
        ...(BATCH_WAIT === undefined ? {} : { maxBatchWaitMs: Number(BATCH_WAIT) }),
        // generous: on a busy machine a fetch can take over a second, and --once would end early
        onceIdleMs: 10_000,
        ...SOURCE_WITH,
        ...sourceWith,
      }),
    ),
    targets: [
      {
        ...use(
          tgt,
          'timescale',
          timescale.configSchema.parse({
            connectionString: PG_URL,
            schema,
            tables: { price: table },
            ...PLAIN,
            ...TARGET_WITH,
            ...targetWith,
          }),
        ),
        required: true,
        onError: 'fail',
      },
    ],
    deadLetter: undefined,
  };
}

async function qi(run: number): Promise<number> {
  let first = 0;
  let last = 0;
  const table = `qi_${run}`;
  const p = pipeline(`qi-${run}`, { topics: [TOPIC], groupId: `qi-bench-src-${tag}-${run}` }, table, {
    onBatch: () => {
      first ||= performance.now();
    },
    onAcked: () => {
      last = performance.now();
    },
  });
  const r = await runPipeline(p, {
    signal: new AbortController().signal,
    once: true,
    logger: silentLogger(),
    metrics: createMetrics(),
    baseDir: dataDir,
    dataDir,
  });
  if (!r.ok) throw r.error;
  const n = Number(
    (
      (await sql(`SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.${quoteIdent(table)}`)) as Array<{
        n: number;
      }>
    )[0]!.n,
  );
  if (n !== ROWS)
    throw new Error(`qi path wrote ${n} rows, expected ${ROWS} (records in ${r.value.recordsIn})`);
  return Math.round(ROWS / ((last - first) / 1000));
}

/** Produce at RATE msgs/s for SECONDS in a child process; latency = commit of the row's transaction - record ts. */
async function latency() {
  const topic = `qi-bench-source-latency-${tag}`;
  const s = await createStreamingClient({ brokers: BROKERS });
  if (!s.ok) throw s.error;
  const admin = await s.value.getAdmin();
  if (!admin.ok) throw admin.error;
  await admin.value.createTopics([{ topic, partitions: 6 }]);
  const lat = new Float64Array(RATE * SECONDS + 1000);
  // per record: its ts (the producer's tick) and when it was written, to subtract the producer's own lag later
  const tsOf = new Float64Array(RATE * SECONDS + 1000);
  const writtenAt = new Float64Array(RATE * SECONDS + 1000);
  // the part until the source yielded the record (produce, broker, fetch, queue)
  const toYield = new Float64Array(RATE * SECONDS + 1000);
  const yieldedAt = new WeakMap<object, number>();
  let n = 0;
  let batches = 0;
  let reader: (Reader & { handler?: { session?: { ownership: { assigned: boolean } } } }) | undefined;
  const controller = new AbortController();
  const p = pipeline(
    'latency',
    { topics: [topic], groupId: `qi-bench-lat-${tag}`, fromBeginning: true },
    'latency',
    {
      onReader: (r) => {
        reader = r;
      },
      onBatch: (b) => {
        batches++;
        const at = Date.now();
        for (const r of b.records) yieldedAt.set(r as object, at);
      },
      onWritten: (records, at) => {
        for (const r of records) {
          const ts = Date.parse((r as { ts: string }).ts);
          const y = yieldedAt.get(r as object) ?? ts;
          toYield[n] = y - ts;
          tsOf[n] = ts;
          writtenAt[n] = at;
          lat[n++] = at - ts;
        }
      },
    },
    LINGER === undefined ? {} : { lingerMs: Number(LINGER) },
  );
  const running = runPipeline(p, {
    signal: controller.signal,
    logger: silentLogger(),
    metrics: createMetrics(),
    baseDir: dataDir,
    dataDir,
  });
  // start producing once the source joined the group
  while (!reader?.handler?.session?.ownership.assigned) await new Promise((r) => setTimeout(r, 20));
  const child = spawn(
    process.execPath,
    [
      '--no-warnings',
      path.join(import.meta.dirname, 'fixed-rate-producer.ts'),
      topic,
      String(RATE),
      String(SECONDS),
      CLIENT,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('close', r));
  const { produced, ackedMs, ackedAt } = JSON.parse(out) as {
    produced: number;
    ackedMs: unknown;
    ackedAt: Record<string, number>;
  };
  const until = Date.now() + 60_000;
  while (n < produced && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  controller.abort();
  const r = await running;
  if (!r.ok) throw r.error;
  await admin.value.deleteTopics([topic]);
  await s.value.disconnect();
  const quantiles = (xs: Float64Array) => {
    const sorted = Array.from(xs.subarray(0, n)).sort((a, b) => a - b);
    const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]!;
    return { p50: q(0.5), p99: q(0.99), max: sorted[sorted.length - 1]! };
  };
  const all = quantiles(lat);
  // Kafka -> written: from the moment the broker acknowledged the record's send (it was in Kafka by then)
  const fromKafka = new Float64Array(n);
  for (let i = 0; i < n; i++) fromKafka[i] = Math.max(0, writtenAt[i]! - (ackedAt[tsOf[i]!] ?? tsOf[i]!));
  const kafka = quantiles(fromKafka);
  const y = quantiles(toYield);
  return {
    produced,
    written: n,
    ...kafka,
    producedToWritten: all,
    untilYielded: y,
    producerAcked: ackedMs,
    batches,
    perBatch: Math.round(n / Math.max(1, batches)),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The qi path alone in this process: its peak RSS and what the heap, Buffers (external) and RSS were at that peak. */
async function memory(): Promise<void> {
  const samples: NodeJS.MemoryUsage[] = [];
  const timer = setInterval(() => samples.push(process.memoryUsage()), 250);
  const started = performance.now();
  const rate = await qi(0);
  clearInterval(timer);
  const mb = (b: number) => Math.round(b / 1024 / 1024);
  const peak = samples.reduce((a, b) => (b.rss > a.rss ? b : a), samples[0]!);
  console.log(
    JSON.stringify({
      bench: `source-redpanda -> target-timescale max RSS (${CLIENT}, ${ROWS} rows backlog)`,
      maxRssMB: mb(process.resourceUsage().maxRSS * 1024),
      unit: 'MB',
      atPeak: {
        heapUsed: mb(peak.heapUsed),
        heapTotal: mb(peak.heapTotal),
        external: mb(peak.external),
        arrayBuffers: mb(peak.arrayBuffers),
      },
      rate,
      seconds: Math.round((performance.now() - started) / 1000),
      heap,
      source: SOURCE_WITH,
      target: TARGET_WITH,
      loadavg: loadavg()[0],
    }),
  );
}

try {
  await sql(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  if (ONLY === 'memory-child') await memory();
  else if (ONLY !== 'latency' && ONLY !== 'memory') {
    await ensureData();
    const rawRates: number[] = [];
    const qiRates: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      rawRates.push(ONLY === 'qi' ? Number.NaN : await raw(i));
      qiRates.push(await qi(i));
      console.log(`run ${i + 1}/${RUNS}: raw ${rawRates[i]} rows/s, qi ${qiRates[i]} rows/s`);
    }
    const rate = median(qiRates);
    const baseline = median(rawRates);
    const line = {
      bench: `source-redpanda -> target-timescale (${CLIENT}, ${ROWS} rows)`,
      rate,
      unit: 'rows/s',
      baseline,
      ratio: Math.round((rate / baseline) * 100) / 100,
      runs: { qi: qiRates, raw: rawRates },
      loadavg: loadavg()[0],
    };
    console.log(JSON.stringify(line));
    console.table([
      { path: 'qi: source-redpanda -> runner -> target-timescale', 'rows/s': rate },
      { path: 'raw: kafkajs eachBatch + JSON.parse + COPY + commit', 'rows/s': baseline },
    ]);
  }
  if (ONLY === undefined || ONLY === 'memory') {
    await ensureData();
    // a fresh process: what producing the backlog and the runs above used is not counted
    const child = spawn(process.execPath, ['--no-warnings', ...process.execArgv, import.meta.filename], {
      stdio: 'inherit',
      env: { ...process.env, QI_BENCH_ONLY: 'memory-child' },
    });
    const code = await new Promise((r) => child.on('close', r));
    if (code !== 0) throw new Error(`the memory run failed (exit ${code})`);
  }
  if (SECONDS > 0 && !ONLY?.startsWith('memory')) {
    const l = await latency();
    console.log(
      JSON.stringify({
        bench: `source-redpanda end-to-end latency at ${RATE} msgs/s for ${SECONDS} s (${CLIENT})`,
        unit: 'ms',
        ...l,
        lingerMs: LINGER === undefined ? 'default' : Number(LINGER),
        maxBatchWaitMs: BATCH_WAIT === undefined ? 'default' : Number(BATCH_WAIT),
        loadavg: loadavg()[0],
      }),
    );
  }
} finally {
  await sql(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  rmSync(dataDir, { recursive: true, force: true });
}
