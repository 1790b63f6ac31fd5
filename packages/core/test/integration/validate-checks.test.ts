import { existsSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { TEST_PG_URL } from '../../src/testkit/index';
import { makeProject, runQi } from '../helpers/project';

// qi validate's checks beyond the schema, with the BUILT CLI and the real plugins, against the
// machine's PostgreSQL (127.0.0.1:5432) and Kafka broker (127.0.0.1:9092).
beforeAll(() => {
  if (!existsSync(path.join(__dirname, '../../dist/cli.cjs')))
    throw new Error('packages/core is not built: run pnpm build first');
});

const PG = TEST_PG_URL;

/** A port that was just free: nothing listens there. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function project(targets: string, files: Record<string, string> = { 'in.ndjson': '' }) {
  const p = makeProject({
    ...files,
    'qi.config.yaml': `pipelines:\n  p:\n    source: { use: file, with: { path: in.ndjson } }\n    targets:\n${targets}`,
  });
  for (const pkg of ['target-timescale', 'target-redpanda'])
    symlinkSync(path.join(__dirname, `../../../${pkg}`), path.join(p.dir, `node_modules/@qi/${pkg}`), 'dir');
  return p;
}

describe('qi validate checks', () => {
  it('without --connect: an input file that does not exist is a config error naming the path, in validate and run', async () => {
    const p = project('      - use: stdout\n', {});
    try {
      const expected = `pipelines.p.source.with.path: ${path.join(p.dir, 'in.ndjson')} does not exist`;
      const v = await runQi(['validate'], { cwd: p.dir });
      expect(v.code).toBe(2);
      expect(v.stderr).toContain(expected);
      const r = await runQi(['run', '--once'], { cwd: p.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(expected);
      expect(r.stderr).not.toContain('QI_INTERNAL');
    } finally {
      p.cleanup();
    }
  });

  it('without --connect: a malformed connection URL is a config error naming the path, never quoting the secret', async () => {
    const p = project(
      '      - use: "@qi/target-timescale"\n        with: { connectionString: "postgres://qi:pa#ss99@db:5432/market" }\n',
    );
    try {
      const v = await runQi(['validate'], { cwd: p.dir });
      expect(v.code).toBe(2);
      expect(v.stderr).toContain('pipelines.p.targets[0].with.connectionString: not a valid PostgreSQL URL');
      expect(v.stderr).not.toContain('pa#ss99');
    } finally {
      p.cleanup();
    }
  });

  it('--connect: reaches PostgreSQL and the broker, prints what it checked, exit 0', async () => {
    const p = project(
      `      - use: "@qi/target-timescale"\n        with: { connectionString: "${PG}" }\n      - use: "@qi/target-redpanda"\n        with: { brokers: ["127.0.0.1:9092"] }\n`,
    );
    try {
      const plain = await runQi(['validate'], { cwd: p.dir });
      expect(plain.code).toBe(0);
      expect(plain.stdout).toContain(`✔ pipelines.p.source: input file ${path.join(p.dir, 'in.ndjson')}`);
      expect(plain.stdout).toContain('✔ pipelines.p.targets[1]: client library kafkajs is installed');
      expect(plain.stdout).not.toContain('reachable'); // no connection without the flag
      const r = await runQi(['validate', '--connect'], { cwd: p.dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /✔ pipelines\.p\.targets\[0\]: PostgreSQL 127\.0\.0\.1:5432\/test as postgres reachable \(version \d+/,
      );
      expect(r.stdout).toMatch(
        /✔ pipelines\.p\.targets\[1\]: Kafka brokers 127\.0\.0\.1:9092 reachable \(\d+ topics\)/,
      );
      expect(r.stdout.match(/pipelines\.p\.source: input file/g)).toHaveLength(1);
    } finally {
      p.cleanup();
    }
  });

  it('--connect: a database and a broker that cannot be reached exit 1, naming each target', async () => {
    const [pgPort, kafkaPort] = [await closedPort(), await closedPort()];
    const p = project(
      `      - use: "@qi/target-timescale"\n        with: { connectionString: "postgres://qi:s3cret-pw@127.0.0.1:${pgPort}/market" }\n      - use: "@qi/target-redpanda"\n        with: { brokers: ["127.0.0.1:${kafkaPort}"], connectionTimeoutMs: 1000 }\n`,
    );
    try {
      const r = await runQi(['validate', '--connect'], { cwd: p.dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`✖ pipelines.p.targets[0]: PostgreSQL 127.0.0.1:${pgPort}/market as qi:`);
      expect(r.stderr).toMatch(/ECONNREFUSED/);
      expect(r.stderr).toContain(`✖ pipelines.p.targets[1]: Kafka brokers 127.0.0.1:${kafkaPort}:`);
      expect(`${r.stdout}${r.stderr}`).not.toContain('s3cret-pw');
    } finally {
      p.cleanup();
    }
  });
});
