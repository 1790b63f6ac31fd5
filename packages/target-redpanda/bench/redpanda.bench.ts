// Throughput of @qi/target-redpanda against the raw client libraries, in the same run.
//   pnpm bench redpanda                               (1,000,000 price records as JSON, 3 runs, medians)
//   QI_BENCH_RECORDS=200000 QI_BENCH_RUNS=1 pnpm bench redpanda
// Env: QI_BENCH_BROKERS (127.0.0.1:9092), QI_BENCH_BATCH (1000 records per produce request, both sides),
// QI_BENCH_INFLIGHT (publish calls in flight through the target, 4), QI_BENCH_CLIENTS (kafkajs,platformatic),
// QI_BENCH_SKIP_RAW=1 (target only, for profiling), QI_BENCH_HANDLER=0 (skip the handler-only line).
// Same settings on both sides: acks -1 (all), idempotent producer, no compression, the same key and headers.
import { randomBytes } from 'node:crypto';
import { compatibilityPartitioner, Producer, stringSerializer } from '@platformatic/kafka';
import { createMetrics, parseRecordOfKind, silentLogger } from '@qi/core';
import { createStreamingClient, type StreamingAdmin } from '@qi/streaming';
import kafkajs from 'kafkajs';
import plugin, { configSchema, createRedpandaHandler } from '../dist/index.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const RECORDS = env('QI_BENCH_RECORDS', 1_000_000);
const RUNS = env('QI_BENCH_RUNS', 3);
const BATCH = env('QI_BENCH_BATCH', 1000);
const INFLIGHT = env('QI_BENCH_INFLIGHT', 4);
const BROKERS = (process.env.QI_BENCH_BROKERS ?? '127.0.0.1:9092').split(',');
const CLIENTS = (process.env.QI_BENCH_CLIENTS ?? 'kafkajs,platformatic').split(',');
const COINS = Array.from({ length: 500 }, (_, i) => `coin-${i}`);
const BASE = Date.parse('2026-01-01T00:00:00Z');
const run = randomBytes(3).toString('hex');
const topics: string[] = [];

/** Price records as a source hands them over (plain objects; the target validates them). */
function records(n: number): Array<Record<string, unknown>> {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const coin = COINS[i % COINS.length]!;
    out[i] = {
      kind: 'price',
      coin_id: coin,
      symbol: coin.slice(0, 6),
      exchange: 'aggregate',
      vs_currency: 'usd',
      price: `${(i % 9973) + 1}.${String(i % 1000000).padStart(6, '0')}`,
      market_cap: i % 5 === 0 ? null : `${1_000_000_000_000 + i}.5`,
      volume_24h: `${12_345_678 + i}.25`,
      change_24h_pct: i % 7 === 0 ? null : '-1.25',
      ts: new Date(BASE + Math.floor(i / COINS.length) * 1000).toISOString(),
      source: 'bench',
      attribution: 'Benchmark data',
    };
  }
  return out;
}

// what the raw baseline sends: the same bytes the target sends (JSON value, instrument key, headers)
const keyOf = (r: Record<string, unknown>) => `${r.coin_id}|${r.exchange}|${r.vs_currency}`;
const headers = {
  'content-type': 'application/json',
  'qi-schema': 'price',
  'qi-schema-version': '1',
  'qi-source': 'bench',
};

async function newTopic(admin: StreamingAdmin, name: string) {
  topics.push(name);
  const r = await admin.createTopics([
    { topic: name, partitions: 6, replicationFactor: 1, configs: { 'retention.ms': '600000' } },
  ]);
  if (!r.ok) throw r.error;
}

async function rawKafkajs(data: Array<Record<string, unknown>>, topic: string): Promise<number> {
  const kafka = new kafkajs.Kafka({
    clientId: 'bench-raw',
    brokers: BROKERS,
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  const t0 = performance.now();
  for (let i = 0; i < data.length; i += BATCH) {
    const messages = data
      .slice(i, i + BATCH)
      .map((r) => ({ key: keyOf(r), value: Buffer.from(JSON.stringify(r)), headers }));
    await producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
  }
  const secs = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return data.length / secs;
}

async function rawPlatformatic(data: Array<Record<string, unknown>>, topic: string): Promise<number> {
  const producer = new Producer({
    clientId: 'bench-raw',
    bootstrapBrokers: BROKERS,
    idempotent: true,
    acks: -1,
    partitioner: compatibilityPartitioner,
    autocreateTopics: false,
    retries: 5,
    serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
  });
  await producer.listApis();
  const t0 = performance.now();
  for (let i = 0; i < data.length; i += BATCH) {
    const messages = data
      .slice(i, i + BATCH)
      .map((r) => ({ topic, key: keyOf(r), value: Buffer.from(JSON.stringify(r)), headers }));
    await producer.send({ messages });
  }
  const secs = (performance.now() - t0) / 1000;
  await producer.close();
  return data.length / secs;
}

async function target(client: string, data: Array<Record<string, unknown>>, prefix: string): Promise<number> {
  const config = configSchema.parse({
    client,
    brokers: BROKERS,
    topicPrefix: prefix,
    deadLetterTopic: `${prefix}dead-letter`,
    batchSize: BATCH,
    lingerMs: 0,
    retentionMs: 600000,
  });
  const writer = await plugin.create(config, {
    name: 'bench',
    pipeline: 'bench',
    logger: silentLogger(),
    metrics: createMetrics(),
    signal: new AbortController().signal,
    apiVersion: '1.0.0',
    baseDir: process.cwd(),
  });
  topics.push(
    ...['prices', 'ohlcv', 'market_analytics', 'level1', 'dead-letter'].map((n) => `${prefix}${n}`),
  );
  const warm = await writer.publishPrices([data[0]] as never); // connect and create topics outside the clock
  if (!warm.ok) throw warm.error;
  const t0 = performance.now();
  const inflight = new Set<Promise<unknown>>();
  for (let i = 0; i < data.length; i += BATCH) {
    const p = writer.publishPrices(data.slice(i, i + BATCH) as never).then((r) => {
      if (!r.ok) throw r.error;
      if (r.value.rejected.length) throw new Error(`rejected: ${r.value.rejected[0]!.error.message}`);
    });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    if (inflight.size >= INFLIGHT) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const flushed = await writer.flush();
  const secs = (performance.now() - t0) / 1000;
  if (!flushed.ok) throw flushed.error;
  await writer.close();
  return data.length / secs;
}

/**
 * The plugin's own share: its WriterHandler alone on records validated beforehand (what
 * BaseWriter hands it), one batch at a time like the raw loop. The gap between this and
 * `target` is core's BaseWriter (validation, batching); the gap to raw is this package.
 */
async function handlerOnly(client: string, parsed: unknown[], prefix: string): Promise<number> {
  const config = configSchema.parse({
    client,
    brokers: BROKERS,
    topicPrefix: prefix,
    deadLetterTopic: `${prefix}dead-letter`,
    batchSize: BATCH,
    retentionMs: 600000,
  });
  const handler = createRedpandaHandler(config);
  topics.push(
    ...['prices', 'ohlcv', 'market_analytics', 'level1', 'dead-letter'].map((n) => `${prefix}${n}`),
  );
  await handler.init!();
  const t0 = performance.now();
  for (let i = 0; i < parsed.length; i += BATCH)
    await handler.writeBatch('price', parsed.slice(i, i + BATCH) as never);
  const secs = (performance.now() - t0) / 1000;
  await handler.close();
  return parsed.length / secs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const data = records(RECORDS);
const parsed =
  process.env.QI_BENCH_HANDLER === '0'
    ? []
    : data.map((r) => {
        const p = parseRecordOfKind('price', r);
        if (!p.ok) throw p.error;
        return p.value;
      });
const streaming = await createStreamingClient({ brokers: BROKERS, clientId: 'bench-admin' });
if (!streaming.ok) throw streaming.error;
const admin = await streaming.value.getAdmin();
if (!admin.ok) throw admin.error;
const rows: Array<{ bench: string; rate: number; baseline: number; ratio: number }> = [];
try {
  for (const client of CLIENTS) {
    const raw: number[] = [];
    const through: number[] = [];
    const handlerRates: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const topic = `qi-bench-${run}-raw-${client}-${r}`;
      await newTopic(admin.value, topic);
      if (!process.env.QI_BENCH_SKIP_RAW)
        raw.push(client === 'kafkajs' ? await rawKafkajs(data, topic) : await rawPlatformatic(data, topic));
      through.push(await target(client, data, `qi-bench-${run}-${client}-${r}.`));
      if (process.env.QI_BENCH_HANDLER !== '0')
        handlerRates.push(await handlerOnly(client, parsed, `qi-bench-${run}-${client}-h${r}.`));
    }
    const row = {
      bench: `target-redpanda/${client}/json`,
      rate: Math.round(median(through)),
      unit: 'msgs/s',
      baseline: Math.round(median(raw)),
      ratio: 0,
    };
    row.ratio = Number((row.rate / row.baseline).toFixed(3));
    rows.push(row);
    console.log(
      JSON.stringify({
        ...row,
        records: RECORDS,
        batch: BATCH,
        inflight: INFLIGHT,
        runs: RUNS,
        raw: raw.map(Math.round),
        target: through.map(Math.round),
        handler: handlerRates.map(Math.round),
      }),
    );
    if (handlerRates.length) {
      const h = {
        bench: `target-redpanda/${client}/json/handler-only`,
        rate: Math.round(median(handlerRates)),
        unit: 'msgs/s',
        baseline: row.baseline,
        ratio: 0,
      };
      h.ratio = Number((h.rate / h.baseline).toFixed(3));
      rows.push(h);
      console.log(JSON.stringify(h));
    }
  }
} finally {
  await admin.value.deleteTopics(topics);
  await streaming.value.disconnect();
}
console.log(
  `\n${RECORDS.toLocaleString('en')} price records, JSON, batch ${BATCH}, acks -1, idempotent, medians of ${RUNS}`,
);
console.log('connector      path                          msgs/s   raw client msgs/s   ratio');
for (const r of rows) {
  const path = r.bench.endsWith('handler-only')
    ? 'handler only (pre-validated)'
    : 'target (BaseWriter + handler)';
  console.log(
    `${r.bench.split('/')[1]!.padEnd(14)} ${path.padEnd(29)} ${String(r.rate).padStart(6)}   ${String(r.baseline).padStart(17)}   ${r.ratio.toFixed(2)}`,
  );
}
