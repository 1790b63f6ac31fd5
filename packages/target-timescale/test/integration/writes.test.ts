import { EXTREME_PRICES, expectOk, samplePrice, sampleRecords } from '@qi/core/testkit';
import { admin, countRows, dropSchema, requirePostgres, tableOf, unique, writer } from './helpers';

const schema = unique('qi_ts_writes');
const price = tableOf(schema, 'price');

beforeAll(requirePostgres);
beforeEach(async () => {
  // a fresh schema per test: constraints added by one test do not leak into the next
  await dropSchema(schema);
});
afterAll(async () => {
  await dropSchema(schema);
  await admin.$pool.end();
});

const PATHS = [
  { name: 'COPY', config: { writePath: 'copy' as const } },
  { name: 'INSERT', config: { writePath: 'insert' as const } },
];

describe.each(PATHS)('writes through the $name path', ({ config }) => {
  it('leaves the row count unchanged when the same batch is written twice', async () => {
    const w = writer(schema, { ...config, batchSize: 50 });
    const batch = sampleRecords('price', 120);
    expect(expectOk(await w.publishPrices(batch as never[])).written).toBe(120);
    expect(await countRows(schema, 'price')).toBe(120);
    expect(expectOk(await w.publishPrices(batch as never[])).written).toBe(120);
    expect(expectOk(await w.publishPrices(batch.slice(30, 90) as never[])).written).toBe(60);
    expect(await countRows(schema, 'price')).toBe(120);
    if (config.writePath === 'copy') {
      expect(w.writeStats.conflicts).toBeGreaterThan(0);
      expect(w.writeStats.staged).toBeGreaterThan(0);
    }
    expectOk(await w.close());
  });

  it('upserts changed values on the natural key, and keeps the stored row in ignore mode', async () => {
    const up = writer(schema, config);
    expectOk(await up.publishPrice(samplePrice(1, { price: '10' })));
    expectOk(await up.publishPrice(samplePrice(1, { price: '11' })));
    // two records with one key in one batch: the last one wins
    expectOk(await up.publishPrices([samplePrice(2, { price: '20' }), samplePrice(2, { price: '21' })]));
    expectOk(await up.close());
    const ignore = writer(schema, { ...config, writeMode: 'ignore' });
    expectOk(await ignore.publishPrice(samplePrice(1, { price: '12' })));
    // ignore mode, one key twice in a batch: the first one stays
    expectOk(await ignore.publishPrices([samplePrice(3, { price: '30' }), samplePrice(3, { price: '31' })]));
    expectOk(await ignore.close());
    expect(await countRows(schema, 'price')).toBe(3);
    expect(
      await admin.one(`SELECT price FROM ${price} WHERE coin_id = $1`, [samplePrice(3).coin_id]),
    ).toEqual({ price: '30' });
    const byCoin = await admin.any(
      `SELECT coin_id, price FROM ${price} WHERE coin_id IN ($1, $2) ORDER BY coin_id`,
      [samplePrice(1).coin_id, samplePrice(2).coin_id],
    );
    expect(byCoin).toEqual(
      [
        { coin_id: samplePrice(1).coin_id, price: '11' },
        { coin_id: samplePrice(2).coin_id, price: '21' },
      ].sort((a, b) => a.coin_id.localeCompare(b.coin_id)),
    );
  });

  it('reads back tiny and huge prices and market caps above 1e12 exactly', async () => {
    const w = writer(schema, config);
    const values = ['0.000000001234', '1234567890123.45678', ...EXTREME_PRICES];
    const records = values.map((p, i) =>
      samplePrice(i, {
        price: p,
        market_cap: `${1_234_567_890_123_456 + i}.987654321`,
        volume_24h: '1000000000000.000000000001',
      }),
    );
    expectOk(await w.publishPrices(records));
    expectOk(await w.close());
    const rows = await admin.any<{ price: string; market_cap: string; volume_24h: string }>(
      `SELECT price, market_cap, volume_24h FROM ${price} ORDER BY ts, coin_id`,
    );
    expect(rows.map((r) => r.price).sort()).toEqual([...values].sort());
    expect(rows.map((r) => r.market_cap).sort()).toEqual(
      values.map((_, i) => `${1_234_567_890_123_456 + i}.987654321`).sort(),
    );
    expect(new Set(rows.map((r) => r.volume_24h))).toEqual(new Set(['1000000000000.000000000001']));
  });

  it('keeps text with tabs, newlines, backslashes, quotes and non-ASCII exactly', async () => {
    const w = writer(schema, config);
    const odd = 'a\tb\nc\\d\re "q" \'s\' é 币 \\N \\.';
    expectOk(await w.publishPrices([samplePrice(1, { symbol: odd, attribution: '\\' })]));
    expectOk(await w.close());
    expect(await admin.any(`SELECT symbol, attribution FROM ${price}`)).toEqual([
      { symbol: odd, attribution: '\\' },
    ]);
  });

  it('commits the good rows of a batch and rejects only the bad ones, with the database reason', async () => {
    const w = writer(schema, { ...config, batchSize: 100 });
    expectOk(await w.init());
    // a rule only the database knows: the DSL accepts any price >= 0, this table caps it
    await admin.none(`ALTER TABLE ${price} ADD CONSTRAINT price_capped CHECK (price < 1000000000)`);
    const records = Array.from({ length: 40 }, (_, i) => samplePrice(i));
    records[5] = samplePrice(5, { price: '2000000000' });
    records[17] = samplePrice(17, { coin_id: 'nul\u0000coin' }); // PostgreSQL text cannot hold 0x00
    records[31] = samplePrice(31, { price: `${'9'.repeat(140_000)}.5` }); // beyond NUMERIC's 131072 digits
    const report = expectOk(await w.publishPrices(records));
    expectOk(await w.close());
    expect(report.written).toBe(37);
    const reasons = new Map(
      report.rejected.map((r) => [(r.record as { ts: string; coin_id: string }).coin_id, r.error]),
    );
    expect(report.rejected).toHaveLength(3);
    for (const r of report.rejected) {
      expect(r.stage).toBe('write');
      expect(r.error.category).toBe('data');
      expect(r.error.retryable).toBe(false);
      expect(r.error.code).toBe('QI_TARGET_TIMESCALE_DATA');
    }
    expect(reasons.get(samplePrice(5).coin_id)?.message).toMatch(/price_capped/);
    expect(reasons.get(samplePrice(5).coin_id)?.context.sqlstate).toBe('23514');
    expect(reasons.get('nul\u0000coin')?.context.sqlstate).toBe('22021');
    expect(reasons.get('nul\u0000coin')?.message).toMatch(/invalid byte sequence/);
    const overflow = report.rejected.find((r) => (r.record as { price: string }).price.length > 1000);
    expect(overflow?.error.context.sqlstate).toBe('22003');
    expect(await countRows(schema, 'price')).toBe(37);
    const stored = await admin.map(`SELECT price FROM ${price}`, [], (r: { price: string }) => r.price);
    expect(stored).not.toContain('2000000000');
  });

  it('isolates bad rows in a batch that also replays stored rows (the staged COPY path)', async () => {
    const w = writer(schema, { ...config, batchSize: 50 });
    expectOk(await w.publishPrices(Array.from({ length: 20 }, (_, i) => samplePrice(i))));
    const replay = Array.from({ length: 40 }, (_, i) => samplePrice(i, { price: `${i + 100}` }));
    replay[25] = samplePrice(25, { coin_id: 'bad\u0000coin' });
    const report = expectOk(await w.publishPrices(replay));
    expectOk(await w.close());
    expect(report.written).toBe(39);
    expect(report.rejected.map((r) => r.error.context.sqlstate)).toEqual(['22021']);
    expect(await countRows(schema, 'price')).toBe(39);
    expect(await admin.one(`SELECT count(*)::int AS n FROM ${price} WHERE price >= 100`)).toEqual({ n: 39 });
    if (config.writePath === 'copy') expect(w.writeStats.staged).toBeGreaterThan(0);
  });

  it('writes every record with two batches in flight', async () => {
    const w = writer(schema, { ...config, batchSize: 64, concurrency: 2 });
    const all = [
      ...sampleRecords('price', 1000),
      ...sampleRecords('ohlcv', 500),
      ...sampleRecords('level1', 300),
      ...sampleRecords('analytics', 50),
    ];
    const report = expectOk(await w.publishBatch(all));
    expectOk(await w.close());
    expect(report).toEqual({ written: all.length, rejected: [] });
    expect([
      await countRows(schema, 'price'),
      await countRows(schema, 'ohlcv'),
      await countRows(schema, 'level1'),
      await countRows(schema, 'analytics'),
    ]).toEqual([1000, 500, 300, 50]);
  });
});
