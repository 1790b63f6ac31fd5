import { normalizeDecimal } from '@qi/core';
import { expectOk, sampleOhlcv, samplePrice } from '@qi/core/testkit';
import { queryLatestPrices, queryOhlcv } from '../../src/index';
import { admin, dropSchema, requirePostgres, tableOf, unique, writer } from './helpers';

// The read-only queries the MCP package reuses (query_latest_prices, query_ohlcv).
const schema = unique('qi_ts_queries');
const w = writer(schema);

beforeAll(async () => {
  await requirePostgres();
  // 4 updates of each of 6 coins; the newest has the highest index
  expectOk(await w.publishPrices(Array.from({ length: 24 }, (_, i) => samplePrice(i))));
  expectOk(await w.publishOHLCVBatch(Array.from({ length: 60 }, (_, i) => sampleOhlcv(i))));
});
afterAll(async () => {
  await w.close();
  await dropSchema(schema);
  await admin.$pool.end();
});

describe('read-only queries', () => {
  it('gives the newest price of each coin, newest first, with exact decimals and ISO times', async () => {
    const latest = await w.latestPrices();
    expect(latest).toHaveLength(6);
    for (const row of latest) {
      const i =
        18 + ['bitcoin', 'ethereum', 'solana', 'dogecoin', 'pepe', 'tether'].indexOf(row.coin_id as string);
      expect(row).toMatchObject({
        coin_id: samplePrice(i).coin_id,
        price: normalizeDecimal(samplePrice(i).price),
        ts: samplePrice(i).ts,
      });
    }
    expect(await w.latestPrices({ coinIds: ['bitcoin', 'pepe'], limit: 1 })).toHaveLength(1);
    expect((await w.latestPrices({ coinIds: ['bitcoin'], vsCurrency: 'eur' })).length).toBe(0);
  });

  it('gives the latest candles of a coin in chart order, within the window and the limit', async () => {
    const all = await w.ohlcv({ coinId: 'bitcoin', interval: '30m' });
    expect(all).toHaveLength(10);
    expect(all.map((r) => r.ts)).toEqual([...all.map((r) => r.ts as string)].sort());
    const last3 = await w.ohlcv({ coinId: 'bitcoin', limit: 3 });
    expect(last3).toEqual(all.slice(-3));
    const windowed = await queryOhlcv(await w.db(), tableOf(schema, 'ohlcv'), {
      coinId: 'bitcoin',
      from: all[2]!.ts as string,
      to: all[5]!.ts as string,
    });
    expect(windowed.map((r) => r.ts)).toEqual(all.slice(2, 5).map((r) => r.ts));
  });

  it('refuses a limit out of range and treats values as data, not SQL', async () => {
    await expect(
      queryLatestPrices(await w.db(), tableOf(schema, 'price'), { limit: 0 }),
    ).rejects.toMatchObject({ code: 'QI_VALIDATION' });
    await expect(
      queryLatestPrices(await w.db(), tableOf(schema, 'price'), { limit: 10_001 }),
    ).rejects.toMatchObject({ code: 'QI_VALIDATION' });
    expect(await w.latestPrices({ coinIds: ["bitcoin' OR '1'='1"] })).toEqual([]);
  });

  it('runs in a read-only transaction', async () => {
    // `table` is trusted (the writer's own quoted name); here a probe expression shows the transaction mode
    const probe = `(SELECT p.*, current_setting('transaction_read_only') AS read_only FROM ${tableOf(schema, 'price')} p) probed`;
    const rows = await queryLatestPrices(await w.db(), probe, { limit: 2 });
    expect(rows.map((r) => r.read_only)).toEqual(['on', 'on']);
  });
});
