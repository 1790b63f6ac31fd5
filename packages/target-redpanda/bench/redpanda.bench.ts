// Throughput of @qi/target-redpanda against the raw client libraries, in the same run.
//   pnpm bench redpanda                               (1,000,000 price records as JSON, 5 rounds, medians)
//   QI_BENCH_RECORDS=200000 QI_BENCH_RUNS=1 pnpm bench redpanda
// Env: QI_BENCH_BROKERS (127.0.0.1:9092), QI_BENCH_BATCH (1000 records per produce request, both sides),
// QI_BENCH_INFLIGHT (publish calls in flight through the target, 4), QI_BENCH_CLIENTS (kafkajs,platformatic,rdkafka),
// QI_BENCH_SKIP_RAW=1 (target only, for profiling), QI_BENCH_HANDLER=0 (skip the handler-only line),
// QI_BENCH_REGISTRY (Avro + Schema Registry lines against this Confluent-API URL, default the local
// scripts/schema-registry.sh one; "0" skips them).
// Same settings on both sides: acks -1 (all), idempotent producer, no compression, the same key and headers.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { compatibilityPartitioner, Producer, stringSerializer } from '@platformatic/kafka';
import { parseRecordOfKind } from '@qi/core';
import { benchPrices, testContext } from '@qi/core/testkit';
import { createStreamingClient, type StreamingAdmin } from '@qi/streaming';
import kafkajs from 'kafkajs';
import plugin, {
  configSchema,
  createRedpandaHandler,
  createRegistryClient,
  encodeConfluent,
  schemaRegistrySchema,
} from '../dist/index.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const RECORDS = env('QI_BENCH_RECORDS', 1_000_000);
const RUNS = env('QI_BENCH_RUNS', 5);
const BATCH = env('QI_BENCH_BATCH', 1000);
const INFLIGHT = env('QI_BENCH_INFLIGHT', 4);
const BROKERS = (process.env.QI_BENCH_BROKERS ?? '127.0.0.1:9092').split(',');
const CLIENTS = (process.env.QI_BENCH_CLIENTS ?? 'kafkajs,platformatic,rdkafka').split(',');
const REGISTRY = process.env.QI_BENCH_REGISTRY ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
const run = randomBytes(3).toString('hex');
const topics: string[] = [];

// what the raw baseline sends: the same bytes the target sends (JSON value, instrument key, headers)
const keyOf = (r: Record<string, unknown>) => `${r.coin_id}|${r.exchange}|${r.vs_currency}`;
const jsonHeaders = {
  'content-type': 'application/json',
  'qi-schema': 'price',
  'qi-schema-version': '1',
  'qi-source': 'bench',
};
// the Avro + registry baseline sends what the target sends: Confluent-framed values, encoded before
// the clock starts (the raw client only transports bytes; the target encodes inside its clock)
const confluentHeaders = { ...jsonHeaders, 'content-type': 'application/vnd.confluent.avro' };
let headers: Record<string, string> = jsonHeaders;
let preEncoded: Buffer[] | undefined;
const messageValue = (r: Record<string, unknown>, i: number) =>
  preEncoded?.[i] ?? Buffer.from(JSON.stringify(r));

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
      .map((r, j) => ({ key: keyOf(r), value: messageValue(r, i + j), headers }));
    await producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
  }
  const secs = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return data.length / secs;
}

/**
 * librdkafka's native producer as its README shows it: produce() per message, delivery reports
 * polled in the background, each batch awaited in full (as sendBatch is). Same settings as the
 * connector: idempotent, acks all, murmur2 for keys, linger 5 ms.
 */
async function rawRdkafka(data: Array<Record<string, unknown>>, topic: string): Promise<number> {
  // resolved where @qi/streaming finds it (an optional peer, not a dependency of this package)
  const rd = createRequire(import.meta.resolve('@qi/streaming'))('@confluentinc/kafka-javascript');
  const producer = new rd.Producer({
    'bootstrap.servers': BROKERS.join(','),
    'client.id': 'bench-raw',
    'enable.idempotence': true,
    acks: -1,
    partitioner: 'murmur2_random',
    'linger.ms': 5,
    dr_cb: true,
  });
  await new Promise((res, rej) => producer.connect({}, (e: unknown) => (e ? rej(e) : res(undefined))));
  producer.setPollInBackground(true);
  let left = 0;
  let wake: (() => void) | undefined;
  producer.on('delivery-report', (e: unknown) => {
    if (e) throw e;
    if (--left === 0) wake?.();
  });
  const h = Object.entries(headers).map(([k, v]) => ({ [k]: v }));
  const t0 = performance.now();
  for (let i = 0; i < data.length; i += BATCH) {
    const end = Math.min(data.length, i + BATCH);
    const done = new Promise<void>((r) => {
      wake = r;
    });
    left = end - i;
    for (let j = i; j < end; j++)
      producer.produce(topic, null, messageValue(data[j]!, j), keyOf(data[j]!), null, null, h);
    await done;
  }
  const secs = (performance.now() - t0) / 1000;
  await new Promise((r) => producer.disconnect(r));
  return data.length / secs;
}

/**
 * `headers`: 'strings' is the client's documented usage (string headers, string serializers);
 * 'buffers' converts the header names and values and the keys once, as @qi/streaming does;
 * 'none' sends no headers (a reference only: the target always sends four).
 */
async function rawPlatformatic(
  data: Array<Record<string, unknown>>,
  topic: string,
  mode: 'strings' | 'buffers' | 'none',
): Promise<number> {
  const same = (b?: Buffer) => b;
  const producer = new Producer<string, Buffer, string | Buffer, string | Buffer>({
    clientId: 'bench-raw',
    bootstrapBrokers: BROKERS,
    idempotent: true,
    acks: -1,
    partitioner: compatibilityPartitioner,
    autocreateTopics: false,
    retries: 5,
    serializers:
      mode === 'buffers'
        ? { key: stringSerializer, headerKey: same as never, headerValue: same as never }
        : {
            key: stringSerializer,
            headerKey: stringSerializer as never,
            headerValue: stringSerializer as never,
          },
  });
  const headerBuffers = new Map(Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
  const h = mode === 'strings' ? headers : mode === 'buffers' ? headerBuffers : undefined;
  await producer.listApis();
  const t0 = performance.now();
  for (let i = 0; i < data.length; i += BATCH) {
    const messages = data
      .slice(i, i + BATCH)
      .map((r, j) => ({ topic, key: keyOf(r), value: messageValue(r, i + j), headers: h as never }));
    await producer.send({ messages });
  }
  const secs = (performance.now() - t0) / 1000;
  await producer.close();
  return data.length / secs;
}

async function target(
  client: string,
  data: Array<Record<string, unknown>>,
  prefix: string,
  registry = false,
): Promise<number> {
  const config = configSchema.parse({
    ...(registry ? { serialization: 'avro', schemaRegistry: { url: REGISTRY } } : {}),
    client,
    brokers: BROKERS,
    topicPrefix: prefix,
    deadLetterTopic: `${prefix}dead-letter`,
    batchSize: BATCH,
    lingerMs: 0,
    retentionMs: 600000,
  });
  const writer = await plugin.create(config, testContext({ name: 'bench', pipeline: 'bench' }));
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

/** Registers the DSL price schema for the topic (as the target does) and frames every record under its id. */
async function confluentValues(topic: string): Promise<Buffer[]> {
  const registry = createRegistryClient(schemaRegistrySchema.parse({ url: REGISTRY }));
  const id = await registry.idFor('price', topic);
  return data.map((r) => {
    const p = parseRecordOfKind('price', r);
    if (!p.ok) throw p.error;
    return encodeConfluent(p.value, id, registry.frame).value;
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const data = benchPrices(RECORDS) as unknown as Array<Record<string, unknown>>;
// validated just before the handler-only run and dropped after it: 1M extra live records would slow
// every other path's garbage collection
const validated = () =>
  data.map((r) => {
    const p = parseRecordOfKind('price', r);
    if (!p.ok) throw p.error;
    return p.value;
  });
const streaming = await createStreamingClient({ brokers: BROKERS, clientId: 'bench-admin' });
if (!streaming.ok) throw streaming.error;
const admin = await streaming.value.getAdmin();
if (!admin.ok) throw admin.error;
type Row = { bench: string; path: string; rate: number; baseline: number; ratio: number };
const rows: Row[] = [];
try {
  for (const client of CLIENTS) {
    // path name → how to run it once; the first is the baseline every ratio is taken against
    const paths: Array<[string, (r: number) => Promise<number>]> = [];
    const rawTopic = async (r: number, name: string) => {
      const topic = `qi-bench-${run}-raw-${client}-${name}-${r}`;
      await newTopic(admin.value, topic);
      return topic;
    };
    if (!process.env.QI_BENCH_SKIP_RAW) {
      if (client === 'kafkajs')
        paths.push(['raw client', async (r) => rawKafkajs(data, await rawTopic(r, 'strings'))]);
      else if (client === 'rdkafka')
        paths.push(['raw client', async (r) => rawRdkafka(data, await rawTopic(r, 'strings'))]);
      else {
        paths.push([
          'raw client',
          async (r) => rawPlatformatic(data, await rawTopic(r, 'strings'), 'strings'),
        ]);
        paths.push([
          'raw client, header Buffers',
          async (r) => rawPlatformatic(data, await rawTopic(r, 'buffers'), 'buffers'),
        ]);
        paths.push([
          'raw client, no headers',
          async (r) => rawPlatformatic(data, await rawTopic(r, 'none'), 'none'),
        ]);
      }
    }
    paths.push(['target', (r) => target(client, data, `qi-bench-${run}-${client}-${r}.`)]);
    if (process.env.QI_BENCH_HANDLER !== '0')
      paths.push([
        'handler only',
        (r) => handlerOnly(client, validated(), `qi-bench-${run}-${client}-h${r}.`),
      ]);
    // Avro + Schema Registry: its own baseline (the same client sending the pre-encoded framed bytes)
    const avroFrom = paths.length;
    if (REGISTRY !== '0') {
      if (!process.env.QI_BENCH_SKIP_RAW)
        paths.push([
          'raw client, Confluent Avro',
          async (r) => {
            const topic = await rawTopic(r, 'confluent');
            ({ headers, preEncoded } = {
              headers: confluentHeaders,
              preEncoded: await confluentValues(topic),
            });
            try {
              return client === 'kafkajs'
                ? await rawKafkajs(data, topic)
                : client === 'rdkafka'
                  ? await rawRdkafka(data, topic)
                  : await rawPlatformatic(data, topic, 'buffers');
            } finally {
              ({ headers, preEncoded } = { headers: jsonHeaders, preEncoded: undefined });
            }
          },
        ]);
      paths.push([
        'target, Avro + registry',
        (r) => target(client, data, `qi-bench-${run}-${client}-sr${r}.`, true),
      ]);
    }
    const rates = paths.map(() => [] as number[]);
    for (let r = 0; r < RUNS; r++) {
      // the order rotates between runs: the broker slows as its logs grow and the heap fills, so a
      // fixed order would favour whoever runs first
      for (let s = 0; s < paths.length; s++) {
        const i = (s + r) % paths.length;
        rates[i]!.push(await paths[i]![1](r));
      }
    }
    paths.forEach(([path], i) => {
      const b = i >= avroFrom && !process.env.QI_BENCH_SKIP_RAW ? avroFrom : 0;
      const baseline = Math.round(median(rates[b]!));
      const rate = Math.round(median(rates[i]!));
      // each round's paths ran back to back: the median of per-round ratios cancels the machine's drift
      const ratio = median(rates[i]!.map((x, r) => x / rates[b]![r]!));
      const format = i >= avroFrom ? 'avro-registry' : 'json';
      const row = {
        bench: `target-redpanda/${client}/${format}/${path.replaceAll(' ', '-').replaceAll(',', '')}`,
        path,
        rate,
        baseline,
        ratio: Number(ratio.toFixed(3)),
      };
      rows.push(row);
      console.log(
        JSON.stringify({
          ...row,
          unit: 'msgs/s',
          records: RECORDS,
          batch: BATCH,
          inflight: INFLIGHT,
          runs: rates[i]!.map(Math.round),
        }),
      );
    });
  }
} finally {
  await admin.value.deleteTopics(topics);
  await streaming.value.disconnect();
}
console.log(
  `\n${RECORDS.toLocaleString('en')} price records, JSON (and Avro + registry), batch ${BATCH}, acks -1, idempotent, medians of ${RUNS} rounds; ratio (median of per-round ratios) against each connector's raw client of the same format`,
);
console.log('connector      path                          msgs/s   ratio');
for (const r of rows)
  console.log(
    `${r.bench.split('/')[1]!.padEnd(14)} ${r.path.padEnd(29)} ${String(r.rate).padStart(6)}   ${r.ratio.toFixed(2)}`,
  );
