import type { NatsConnection } from '@nats-io/transport-node';
import { isQiPlugin, type RecordKind, type Writer } from '@qi/core';
import {
  describeWriterConformance,
  expectOk,
  samplePrice,
  sampleRecords,
  testContext,
} from '@qi/core/testkit';
import plugin, { configSchema, kindFilter } from '../../src/index';
import { deleteStream, NATS_URL, readStream, testConnection, uniqueNames } from './stream';

// Everything here talks to the machine's NATS server with JetStream (127.0.0.1:4222).
let nc: NatsConnection;
beforeAll(async () => {
  nc = await testConnection();
});
afterAll(async () => {
  await nc?.close();
});

const names = uniqueNames('conf');
const makeWriter = (extra: Record<string, unknown> = {}, n = names) =>
  plugin.create(
    configSchema.parse({
      servers: NATS_URL,
      subjectPrefix: n.prefix,
      stream: { name: n.stream },
      lingerMs: 0,
      ...extra,
    }),
    testContext({ name: 'nats' }),
  ) as Promise<Writer> | Writer;

describeWriterConformance({
  name: 'qi-plugin-nats',
  create: () => makeWriter(),
  // a fresh stream per test: purging keeps the duplicate window, deleting does not
  reset: () => deleteStream(nc, names.stream),
  readBack: async (kind: RecordKind) =>
    (await readStream(nc, names.stream, kindFilter(kind, names.prefix))).map((m) => m.record),
});

describe('qi-plugin-nats against the real server', () => {
  const n = uniqueNames('own');
  afterEach(() => deleteStream(nc, n.stream));

  it('is a branded target plugin', () => {
    expect(isQiPlugin(plugin)).toBe(true);
    expect(plugin.kind).toBe('target');
  });

  it('writes each kind to <prefix>.<table>.<instrument> with the natural key as Nats-Msg-Id, and drops a replay', async () => {
    const writer = await makeWriter({}, n);
    try {
      const raw = [
        ...sampleRecords('price', 2),
        ...sampleRecords('level1', 1),
        ...sampleRecords('analytics', 1),
        ...sampleRecords('ohlcv', 1),
      ];
      expectOk(await writer.publishBatch(raw));
      expectOk(await writer.publishBatch(raw));
      const got = await readStream(nc, n.stream, `${n.prefix}.>`);
      expect(got).toHaveLength(5);
      const subjects = got.map((m) => m.subject).sort();
      expect(subjects).toEqual(
        [
          `${n.prefix}.level1.binance.BTC.USDT`,
          `${n.prefix}.market_analytics.testkit.usd`,
          `${n.prefix}.ohlcv.bitcoin.aggregate.usd.30m`,
          `${n.prefix}.prices.bitcoin.aggregate.usd`,
          `${n.prefix}.prices.ethereum.aggregate.usd`,
        ].sort(),
      );
      const btc = got.find((m) => m.subject.endsWith('prices.bitcoin.aggregate.usd'))!;
      expect(btc.msgId).toBe('price:bitcoin|aggregate|usd|2026-01-01T00:00:00.000Z');
      expect(btc.kind).toBe('price');
    } finally {
      await writer.close();
    }
  });

  it('creates the stream with the configured duplicate window and storage', async () => {
    const writer = await makeWriter(
      { stream: { name: n.stream, storage: 'memory', duplicateWindowMs: 30_000 } },
      n,
    );
    try {
      expectOk(await writer.publishPrice(samplePrice(1)));
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const info = await (await jetstreamManager(nc)).streams.info(n.stream);
      expect(info.config.subjects).toEqual([`${n.prefix}.>`]);
      expect(info.config.storage).toBe('memory');
      expect(info.config.duplicate_window).toBe(30_000 * 1_000_000);
    } finally {
      await writer.close();
    }
  });

  it('refuses an existing stream that does not capture its subjects, saying which, without retrying', async () => {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    await (await jetstreamManager(nc)).streams.add({ name: n.stream, subjects: [`${n.prefix}_other.>`] });
    const writer = await makeWriter({}, n);
    try {
      const r = await writer.publishPrice(samplePrice(1));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('NATS_STREAM_CONFIG');
      expect(r.error.retryable).toBe(false);
      expect(r.error.message).toContain(`not "${n.prefix}.>"`);
    } finally {
      await writer.close();
    }
  });

  it('rejects only the record the stream refuses as too large (a data error), and writes the others', async () => {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    await (await jetstreamManager(nc)).streams.add({
      name: n.stream,
      subjects: [`${n.prefix}.>`],
      max_msg_size: 900,
    });
    const writer = await makeWriter({}, n);
    try {
      const big = samplePrice(1, { attribution: 'x'.repeat(512) });
      const report = expectOk(await writer.publishPrices([samplePrice(0), big, samplePrice(2)]));
      expect(report.written).toBe(2);
      expect(report.rejected).toHaveLength(1);
      expect(report.rejected[0]!.stage).toBe('write');
      expect(report.rejected[0]!.error.code).toBe('NATS_MESSAGE_TOO_LARGE');
      expect((report.rejected[0]!.record as { attribution: string }).attribution).toHaveLength(512);
      const got = await readStream(nc, n.stream, `${n.prefix}.>`);
      expect(got.map((m) => (m.record as { coin_id: string }).coin_id).sort()).toEqual(['bitcoin', 'solana']);
    } finally {
      await writer.close();
    }
  });

  it('says the stream is missing when stream.create is false', async () => {
    const writer = await makeWriter({ stream: { name: n.stream, create: false } }, n);
    try {
      const r = await writer.publishPrice(samplePrice(1));
      expect(r.ok).toBe(false);
      if (!r.ok) expect([r.error.code, r.error.category]).toEqual(['NATS_NO_STREAM', 'config']);
    } finally {
      await writer.close();
    }
  });

  it('reports a server that is not there as a retryable network error', async () => {
    const writer = await plugin.create(
      configSchema.parse({
        servers: 'nats://127.0.0.1:1',
        connectTimeoutMs: 500,
        subjectPrefix: n.prefix,
        stream: { name: n.stream },
      }),
      testContext(),
    );
    const r = await writer.publishPrice(samplePrice(1));
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect([r.error.code, r.error.category, r.error.retryable]).toEqual([
        'NATS_CONNECTION',
        'network',
        true,
      ]);
    await writer.close();
  });
});
