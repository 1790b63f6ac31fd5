// Child process of source.bench.ts: produces price records to a topic at a fixed
// rate (a batch every 10 ms), each record's `ts` being the moment it was sent,
// and prints {"produced": n, "ackedAt": {ts: acknowledged at}} when done (both epoch ms).
//   node fixed-rate-producer.ts <topic> <msgs/s> <seconds> [client]
import { instrumentKey } from '@qi/core';
import { encodeRecord } from '@qi/kafka-codec';
import { createStreamingClient } from '@qi/streaming';

const [topic, rateArg, secondsArg, client = 'kafkajs'] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const TICK_MS = 10;
const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
const brokers = (process.env.QI_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

const s = await createStreamingClient({ client: client as 'kafkajs', brokers, clientId: 'qi-bench-rate' });
if (!s.ok) throw s.error;
const producer = await s.value.getProducer({ acks: -1, idempotent: true });
if (!producer.ok) throw producer.error;

let produced = 0;
// per send: tick -> acknowledged, ms (the producer's own share of the end-to-end latency)
const acked: number[] = [];
// per tick: its ts (epoch ms) -> when its send was acknowledged (epoch ms)
const ackedAt: Record<number, number> = {};
let seq = 0;
const sends: Array<Promise<unknown>> = [];
const start = performance.now();
const ticks = Math.round((seconds * 1000) / TICK_MS);
for (let k = 0; k < ticks; k++) {
  // drift-free schedule: tick k at start + k * 10 ms
  const wait = start + k * TICK_MS - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const now = new Date();
  const ts = now.toISOString();
  const sentAt = performance.now();
  const messages = [];
  for (let j = 0; j < perTick; j++, seq++) {
    const coin = `coin-${seq % 1000}`;
    const record = {
      kind: 'price',
      coin_id: coin,
      symbol: coin,
      exchange: 'aggregate',
      vs_currency: 'usd',
      price: `${(seq % 9973) + 1}.${String(seq % 1_000_000).padStart(6, '0')}`,
      market_cap: null,
      volume_24h: '12.5',
      change_24h_pct: null,
      ts,
      source: 'bench',
      attribution: 'Benchmark data',
    } as const;
    const enc = encodeRecord(record as never, 'json');
    messages.push({ key: instrumentKey(record as never), value: enc.value, headers: enc.headers });
  }
  const p = producer.value.sendBatch([{ topic: topic!, messages }]).then((r) => {
    if (!r.ok) throw r.error;
    produced += messages.length;
    acked.push(performance.now() - sentAt);
    ackedAt[now.getTime()] = Date.now();
  });
  sends.push(p);
  if (sends.length > 64) await sends.shift();
}
await Promise.all(sends);
await s.value.disconnect();
acked.sort((a, b) => a - b);
const q = (f: number) => Math.round(acked[Math.min(acked.length - 1, Math.floor(f * acked.length))] ?? 0);
process.stdout.write(
  `${JSON.stringify({ produced, seconds: (performance.now() - start) / 1000, ackedMs: { p50: q(0.5), p99: q(0.99) }, ackedAt })}\n`,
);
