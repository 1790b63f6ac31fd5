import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { avroSchema, normalizeDecimal, RECORD_SPECS } from '../../packages/core/src/index';
import { PG_URL, psql, REPO, start, tempDir } from './helpers';

// Part 1 of the trust issue: number literals reach PostgreSQL, a JSON topic and an
// Avro topic digit for digit, through the file source of the built CLI. Topics are
// read with kafkajs and avsc directly, not with Qi's decoder.
const { Kafka, logLevel } = require(path.join(REPO, 'packages/streaming/node_modules/kafkajs'));
const avro = require(path.join(REPO, 'packages/kafka-codec/node_modules/avsc'));

const LITERALS = [
  '3456789012345678.123456789',
  '0.99999999999999999',
  '1.0000000000000001',
  '1e-12',
  '1.5E+20',
  '123456789012345678901234567890.123456789',
  '0.000000000000000000000000000012345678901234567890123',
  '9007199254740993',
  '-0',
  '-0.0',
  '0.1',
  '1E3',
];
const PERCENT = ['-12.345678901234567890123', '-1e-12', '-0', '7.000000000000000001'];

const FIELDS = ['price', 'market_cap', 'volume_24h', 'change_24h_pct'] as const;
type Row = Record<(typeof FIELDS)[number] | 'coin_id', string>;

describe('exact numbers: file source → PostgreSQL, JSON and Avro topics', () => {
  const work = tempDir('qi-exact-');
  const schema = `qi_exact_${process.pid}`;
  const prefix = `exact${process.pid}-${Date.now()}`;
  const ts = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
  // every literal once as a JSON number and once as a JSON string, in every decimal field
  const expected: Row[] = [];
  const lines: string[] = [];
  LITERALS.forEach((lit, i) => {
    const pct = PERCENT[i % PERCENT.length]!;
    for (const asString of [false, true]) {
      const coin = `exact-${i}-${asString ? 's' : 'n'}`;
      const v = (x: string) => (asString ? JSON.stringify(x) : x);
      lines.push(
        `{"kind":"price","coin_id":"${coin}","symbol":"x","price":${v(lit)},"market_cap":${v(lit)},"volume_24h":${v(lit)},"change_24h_pct":${v(pct)},"ts":"${ts}","source":"test","attribution":"test"}`,
      );
      expected.push({ coin_id: coin, price: lit, market_cap: lit, volume_24h: lit, change_24h_pct: pct });
    }
  });

  beforeAll(() => {
    mkdirSync(path.join(work.dir, 'node_modules/@qi'), { recursive: true });
    for (const p of ['core', 'target-timescale', 'target-redpanda'])
      symlinkSync(path.join(REPO, 'packages', p), path.join(work.dir, 'node_modules/@qi', p), 'dir');
    writeFileSync(path.join(work.dir, 'in.ndjson'), `${lines.join('\n')}\n`);
    writeFileSync(
      path.join(work.dir, 'qi.config.yaml'),
      `pipelines:
  exact:
    source: { use: file, with: { path: in.ndjson } }
    targets:
      - use: "@qi/target-timescale"
        with: { connectionString: "${PG_URL}", schema: ${schema}, timescale: { enabled: false } }
      - use: "@qi/target-redpanda"
        name: json
        with: { brokers: ["127.0.0.1:9092"], topicPrefix: "${prefix}.json.", serialization: json }
      - use: "@qi/target-redpanda"
        name: avro
        with: { brokers: ["127.0.0.1:9092"], topicPrefix: "${prefix}.avro.", serialization: avro }
`,
    );
  });
  afterAll(() => {
    psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    work.cleanup();
  });

  async function consume(topic: string, n: number): Promise<Buffer[]> {
    const kafka = new Kafka({
      brokers: ['127.0.0.1:9092'],
      clientId: 'exact-test',
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `${topic}-reader` });
    const values: Buffer[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${topic}: ${values.length} of ${n} messages`)),
          60_000,
        );
        void consumer.run({
          eachMessage: async ({ message }: { message: { value: Buffer } }) => {
            values.push(message.value);
            if (values.length >= n) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    return values;
  }

  it('keeps every digit of every literal, as number and as string, in all three destinations', async () => {
    const run = start(process.execPath, [path.join(REPO, 'packages/core/bin/qi.cjs'), 'run', '--once'], {
      cwd: work.dir,
    });
    const r = await run.done;
    expect({ code: r.code, dead: r.stderr.includes('dead-lettered') }).toEqual({ code: 0, dead: false });

    // PostgreSQL: compared as NUMERIC with the input text, and as the column's text
    const cols = FIELDS.map((f) => `"${f}"::text`).join(', ');
    const inDb = psql(`SELECT coin_id, ${cols} FROM "${schema}".prices ORDER BY coin_id`)
      .split('\n')
      .map((l) => l.split('|'));
    expect(inDb).toHaveLength(expected.length);
    const byCoin = new Map(inDb.map((cells) => [cells[0], cells.slice(1)]));
    for (const e of expected) {
      expect([e.coin_id, byCoin.get(e.coin_id)]).toEqual([
        e.coin_id,
        FIELDS.map((f) => normalizeDecimal(e[f])),
      ]);
      const checks = FIELDS.map((f) => `"${f}" = '${e[f]}'::numeric`).join(' AND ');
      expect(
        psql(`SELECT count(*) FROM "${schema}".prices WHERE coin_id = '${e.coin_id}' AND ${checks}`),
      ).toBe('1');
    }

    // JSON topic: the decimal strings, read from the raw message text
    const json = (await consume(`${prefix}.json.prices`, expected.length)).map(
      (v) => JSON.parse(v.toString('utf8')) as Row,
    );
    // Avro topic: decoded with avsc and the DSL's Avro schema
    const type = avro.Type.forSchema(avroSchema(RECORD_SPECS.price));
    const fromAvro = (await consume(`${prefix}.avro.prices`, expected.length)).map(
      (v) => type.fromBuffer(v) as Row,
    );
    for (const messages of [json, fromAvro]) {
      expect(messages).toHaveLength(expected.length);
      const got = new Map(messages.map((m) => [m.coin_id, FIELDS.map((f) => m[f])]));
      for (const e of expected)
        expect([e.coin_id, got.get(e.coin_id)]).toEqual([
          e.coin_id,
          FIELDS.map((f) => normalizeDecimal(e[f])),
        ]);
    }
  });
});
