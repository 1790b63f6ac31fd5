// Throughput of the NATS target (validation, batching, JetStream publish with acks and
// Nats-Msg-Id) against the raw client publishing the same JSON with the same ids and the
// same number of acks in flight. Needs NATS with JetStream on 127.0.0.1:4222 and the built
// dist: node --no-warnings bench/writer.bench.ts (BENCH_RECORDS, BENCH_ROUNDS to change size).
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { type PriceInput, parseRecord } from '@qi/core';
import { testContext } from '@qi/core/testkit';
import plugin, { configSchema, messageId, subjectFor } from '../dist/index.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WINDOW = 1024;
const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const COINS = ['bitcoin', 'ethereum', 'solana', 'dogecoin', 'pepe', 'tether'];
const raw: PriceInput[] = Array.from({ length: RECORDS }, (_, i) => ({
  kind: 'price' as const,
  coin_id: COINS[i % 6]!,
  symbol: 'x',
  exchange: 'aggregate',
  vs_currency: 'usd',
  price: `${(i % 97) + 1}.${String(i).padStart(6, '0')}`,
  market_cap: `${1e12 + i}.5`,
  volume_24h: '12345.25',
  change_24h_pct: '-1.25',
  ts: new Date(BASE + Math.floor(i / 6) * 1000).toISOString(),
  source: 'bench',
  attribution: 'bench',
}));
const ctx = testContext({ name: 'bench', pipeline: 'bench' });

const nc = await connect({ servers: '127.0.0.1:4222' });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
let n = 0;
const fresh = async () => {
  const name = `QI_BENCH_${process.pid}_${n++}`;
  await jsm.streams.add({ name, subjects: [`qibench${n}.>`] });
  return { name, prefix: `qibench${n}` };
};

async function rawClient(): Promise<number> {
  const { name, prefix } = await fresh();
  const records = raw.map((r) => {
    const p = parseRecord(r);
    if (!p.ok) throw p.error;
    return p.value;
  });
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < records.length) {
      const r = records[next++]!;
      // the same headers the target sends
      const h = headers();
      h.set('Qi-Kind', r.kind);
      h.set('Qi-Schema-Version', '1');
      h.set('Qi-Key', messageId(r).slice(r.kind.length + 1));
      h.set('Content-Type', 'application/json');
      await js.publish(subjectFor(r, prefix), JSON.stringify(r), { msgID: messageId(r), headers: h });
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
  const rate = records.length / ((performance.now() - started) / 1000);
  await jsm.streams.delete(name);
  return rate;
}

async function target(concurrency: number): Promise<number> {
  const { name, prefix } = await fresh();
  const writer = await plugin.create(
    configSchema.parse({
      subjectPrefix: prefix,
      stream: { name },
      maxPendingAcks: WINDOW,
      batchSize: 5000,
      concurrency,
    }),
    ctx,
  );
  const started = performance.now();
  for (let i = 0; i < raw.length; i += 10_000) {
    const r = await writer.publishPrices(raw.slice(i, i + 10_000));
    if (!r.ok) throw r.error;
  }
  await writer.flush();
  const rate = raw.length / ((performance.now() - started) / 1000);
  await writer.close();
  await jsm.streams.delete(name);
  return rate;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base: number[] = [];
const one: number[] = [];
const two: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  base.push(await rawClient());
  one.push(await target(1));
  two.push(await target(2));
}
await nc.close();
const b = Math.round(median(base));
const rows = [
  ['qi-plugin-nats, concurrency 1', Math.round(median(one))],
  ['qi-plugin-nats, concurrency 2', Math.round(median(two))],
] as const;
for (const [label, rate] of rows) {
  console.log(
    JSON.stringify({ bench: label, rate, unit: 'rows/s', baseline: b, ratio: Number((rate / b).toFixed(2)) }),
  );
}
console.log(`\n${RECORDS} price records, batches of 5000, median of ${ROUNDS}, ${WINDOW} acks in flight`);
console.log(`raw @nats-io/jetstream publish   ${String(b).padStart(8)} rows/s`);
for (const [label, rate] of rows)
  console.log(`${label.padEnd(32)} ${String(rate).padStart(8)} rows/s  (${(rate / b).toFixed(2)}x)`);
