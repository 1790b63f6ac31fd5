import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { TEST_REGISTRY_URL as REGISTRY_URL, requireBroker, requireRegistry } from '@qi/core/testkit';
import { avroSchema, RECORD_SPECS, tableDdl } from '../../packages/core/src/index';
import { deleteTopicsWithPrefixes, streamingFor } from '../support/kafka';
import { PG_URL, psql, REPO, start, tempDir } from './helpers';

// `qi schema plan|apply` as a user runs them, against the machine's PostgreSQL,
// the local broker and the real Schema Registry. The registry holds an older
// price schema (registered here with the npm client, as another team's tool
// would): without an optional field the current DSL has (an additive change),
// or without a required one (a breaking change under BACKWARD).
const PLUGINS = ['core', 'target-timescale', 'target-redpanda'];

const versions = async (subject: string): Promise<number[] | number> => {
  const r = await fetch(`${REGISTRY_URL}/subjects/${subject}/versions`);
  return r.ok ? ((await r.json()) as number[]) : r.status;
};

describe('qi schema plan | apply', () => {
  const work = tempDir('qi-schema-plan-');
  const npm = new SchemaRegistry({ host: REGISTRY_URL });
  const sqlSchema = `qi_plan_${process.pid}`;

  const config = (prefix: string, registry = REGISTRY_URL) =>
    writeFileSync(
      path.join(work.dir, 'qi.config.yaml'),
      `pipelines:
  p:
    source: { use: file, with: { path: in.ndjson } }
    targets:
      - use: "@qi/target-timescale"
        with: { connectionString: "${PG_URL}", schema: ${sqlSchema}, timescale: { enabled: false } }
      - use: "@qi/target-redpanda"
        with:
          brokers: ["127.0.0.1:9092"]
          topicPrefix: "${prefix}"
          serialization: avro
          schemaRegistry: { url: "${registry}" }
`,
    );
  const qi = async (...args: string[]) =>
    start(process.execPath, [path.join(REPO, 'packages/core/bin/qi.cjs'), ...args], { cwd: work.dir }).done;
  /** the DSL's price schema without one field: what an older version registered */
  const registerPriceWithout = (prefix: string, field: string) => {
    const s = avroSchema(RECORD_SPECS.price);
    return npm.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({ ...s, fields: s.fields.filter((f) => f.name !== field) }),
      },
      { subject: `${prefix}prices-value` },
    );
  };

  const prefixes: string[] = [];
  beforeAll(async () => {
    await requireBroker();
    await requireRegistry();
    mkdirSync(path.join(work.dir, 'node_modules/@qi'), { recursive: true });
    for (const p of PLUGINS)
      symlinkSync(path.join(REPO, 'packages', p), path.join(work.dir, 'node_modules/@qi', p), 'dir');
    writeFileSync(path.join(work.dir, 'in.ndjson'), '');
    // the prices table of an older DSL: everything but change_24h_pct
    const ddl = tableDdl(RECORD_SPECS.price, { schema: sqlSchema, timescale: false });
    psql(
      `CREATE SCHEMA ${sqlSchema}; ${ddl.statements.join('\n')} ALTER TABLE ${sqlSchema}.prices DROP COLUMN change_24h_pct;`,
    );
  });
  afterAll(async () => {
    const streaming = await streamingFor('kafkajs');
    await deleteTopicsWithPrefixes(streaming, prefixes);
    await streaming.disconnect();
    psql(`DROP SCHEMA IF EXISTS ${sqlSchema} CASCADE`);
    work.cleanup();
  });

  it('an additive change: plan lists the column, the topics and version 2; apply does it; a second plan is empty', async () => {
    const prefix = `qi-plan-add-${process.pid}-${Date.now().toString(36)}.`;
    prefixes.push(prefix);
    await registerPriceWithout(prefix, 'change_24h_pct');
    config(prefix);

    const plan = await qi('schema', 'plan');
    expect([plan.code, plan.stderr]).toEqual([0, '']);
    expect(plan.stdout).toContain(`sql      "${sqlSchema}"."prices": ADD COLUMN "change_24h_pct" NUMERIC`);
    expect(plan.stdout).toContain(`topic    ${prefix}prices: create (6 partitions`);
    expect(plan.stdout).toContain(`registry ${prefix}prices-value: register version 2`);
    expect(plan.stdout).toContain(`registry ${prefix}ohlcv-value: register version 1`);
    expect(await versions(`${prefix}prices-value`)).toEqual([1]);

    const apply = await qi('schema', 'apply');
    expect([apply.code, apply.stderr]).toEqual([0, expect.not.stringMatching(/qi schema/)]);
    expect(await versions(`${prefix}prices-value`)).toEqual([1, 2]);
    expect(await versions(`${prefix}level1-value`)).toEqual([1]);
    expect(
      psql(
        `SELECT count(*) FROM information_schema.columns WHERE table_schema = '${sqlSchema}' AND table_name = 'prices' AND column_name = 'change_24h_pct'`,
      ),
    ).toBe('1');

    const again = await qi('schema', 'plan', '--json');
    expect(again.code).toBe(0);
    const out = JSON.parse(again.stdout) as { ok: boolean; targets: Array<{ changes: unknown[] }> };
    expect(out.ok).toBe(true);
    expect(out.targets.map((t) => t.changes)).toEqual([[], []]);
  });

  it('a breaking change (a required field the registered version lacks): exit 2 naming the field, nothing applied', async () => {
    const prefix = `qi-plan-break-${process.pid}-${Date.now().toString(36)}.`;
    prefixes.push(prefix);
    await registerPriceWithout(prefix, 'price');
    config(prefix);

    const plan = await qi('schema', 'plan');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(`✖ registry ${prefix}prices-value: register version 2`);
    expect(plan.stderr).toContain(`${prefix}prices-value`);
    expect(plan.stderr).toMatch(/field "price" is new and required/);

    const apply = await qi('schema', 'apply');
    expect(apply.code).toBe(2);
    expect(apply.stdout).toContain('nothing applied');
    expect(await versions(`${prefix}prices-value`)).toEqual([1]);
    // not even the compatible subjects of the same plan
    expect(await versions(`${prefix}ohlcv-value`)).toBe(404);
  });

  it('an unreachable registry: exit 1 saying which registry and subject, nothing applied', async () => {
    const prefix = `qi-plan-down-${process.pid}-${Date.now().toString(36)}.`;
    prefixes.push(prefix);
    config(prefix, 'http://127.0.0.1:9/apis/ccompat/v7');
    const apply = await qi('schema', 'apply');
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('pipelines.p.targets[1] (@qi/target-redpanda)');
    expect(apply.stderr).toMatch(
      new RegExp(
        `Schema Registry http://127.0.0.1:9/apis/ccompat/v7 unavailable \\(subject ${prefix.replaceAll('.', '\\.')}prices-value\\)`,
      ),
    );
    expect(await versions(`${prefix}prices-value`)).toBe(404);
  });
});
