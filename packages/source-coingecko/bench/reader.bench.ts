// Throughput of the CoinGecko reader (fetch → exact JSON → mapping → DSL validation) against the
// raw client (fetch + JSON.parse) on the same stand-in responses. Run by `pnpm bench` on the built dist.
import { testContext } from '@qi/core/testkit';
import { createCoinGeckoReader } from '../dist/index.js';
import { startStandIn } from '../dist/stand-in.js';

const COINS = 5000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const standIn = await startStandIn({ extraCoins: COINS });
const ids = [...standIn.coins.keys()];
const ctx = testContext({ name: 'bench', pipeline: 'bench' });

async function rawMarkets(): Promise<number> {
  let rows = 0;
  for (let i = 0; i < ids.length; i += 250) {
    const res = await fetch(
      `${standIn.url}/coins/markets?vs_currency=usd&ids=${ids.slice(i, i + 250).join(',')}&per_page=250&page=1&precision=full`,
    );
    rows += ((await res.json()) as unknown[]).length;
  }
  return rows;
}

async function rawSimple(): Promise<number> {
  let rows = 0;
  for (let i = 0; i < ids.length; i += 250) {
    const q =
      'vs_currencies=usd&include_market_cap=true&include_24hr_vol=true&include_24hr_change=true&include_last_updated_at=true&precision=full';
    const res = await fetch(`${standIn.url}/simple/price?ids=${ids.slice(i, i + 250).join(',')}&${q}`);
    rows += Object.keys((await res.json()) as object).length;
  }
  return rows;
}

function qi(endpoint: 'simple' | 'markets') {
  const reader = createCoinGeckoReader(
    { baseUrl: standIn.url, rateLimitPerMinute: 1_000_000, prices: { endpoint } },
    ctx,
    { env: {} },
  );
  return async (): Promise<number> => {
    const r = await reader.getCurrentPrices(ids);
    if (!r.ok) throw r.error;
    return r.value.length;
  };
}

async function rate(fn: () => Promise<number>): Promise<number> {
  await fn(); // warm-up (and the symbol lookup of /simple/price)
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const n = await fn();
    rates.push(n / ((performance.now() - t) / 1000));
  }
  return rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)]!;
}

const results = [];
for (const [name, raw, ours] of [
  ['coingecko /simple/price → price records', rawSimple, qi('simple')],
  ['coingecko /coins/markets → price records', rawMarkets, qi('markets')],
] as const) {
  const baseline = await rate(raw);
  const value = await rate(ours);
  const line = {
    bench: name,
    rate: Math.round(value),
    unit: 'rows/s',
    baseline: Math.round(baseline),
    ratio: Number((value / baseline).toFixed(2)),
  };
  results.push(line);
  console.log(JSON.stringify(line));
}
console.table(
  results.map((r) => ({
    bench: r.bench,
    'qi rows/s': r.rate,
    'raw fetch+JSON.parse rows/s': r.baseline,
    ratio: r.ratio,
  })),
);
await standIn.close();
