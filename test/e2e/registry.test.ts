import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { requirePostgres, samplePrice, sampleRecords } from '@qi/core/testkit';
import { PG_URL, psql, REPO } from './helpers';

// The release path, end to end, through a real npm registry: `changeset pack` +
// `changeset publish` (what `pnpm release` runs after the build) put every
// workspace package into a Verdaccio started here; a project outside the
// workspace then installs only @qi/core, @qi/target-timescale and the
// third-party qi-plugin-nats from it, and runs a pipeline into the machine's
// PostgreSQL and NATS JetStream with the installed `qi`.
const NATS_URL = 'nats://127.0.0.1:4222';
const id = `${process.pid}_${randomBytes(3).toString('hex')}`;
const SCHEMA = `qi_registry_${id}`;
const STREAM = `QI_REGISTRY_${id}`;
const PREFIX = `qiregistry_${id}`;

const work = mkdtempSync(path.join(os.tmpdir(), 'qi-registry-'));
const project = path.join(work, 'project');
let registry: { url: string; child: ChildProcess; log: () => string };
let env: NodeJS.ProcessEnv;

/** Runs a command to completion; a failure throws with its output. */
function run(cmd: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function ok(cmd: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): string {
  const r = run(cmd, args, cwd, extraEnv);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const bin = (pkg: string, file: string) =>
  path.join(path.dirname(require.resolve(`${pkg}/package.json`, { paths: [REPO] })), file);
const qi = (args: string[], cwd = project) =>
  run(process.execPath, [path.join(project, 'node_modules/@qi/core/bin/qi.cjs'), ...args], cwd);

interface WorkspacePackage {
  name: string;
  version: string;
  dir: string;
  peers: Record<string, string>;
  /** builds itself when packed (its prepack script) */
  prepack: boolean;
}

function workspacePackages(): WorkspacePackage[] {
  const dirs = ['packages', 'examples/plugins'].flatMap((root) =>
    readdirSync(path.join(REPO, root)).map((d) => path.join(REPO, root, d)),
  );
  return dirs
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .map((dir) => ({ dir, ...JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
    .filter((p) => !p.private)
    .map((p) => ({
      name: p.name,
      version: p.version,
      dir: p.dir,
      peers: p.peerDependencies ?? {},
      prepack: Boolean(p.scripts?.prepack),
    }));
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Verdaccio on 127.0.0.1: our names are local only (never proxied), everything else comes from npm's configured registry. */
async function startRegistry(): Promise<typeof registry> {
  const upstream = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  const port = await freePort();
  const config = path.join(work, 'verdaccio.yaml');
  const local = {
    access: '$all',
    publish: '$anonymous $authenticated',
    unpublish: '$anonymous $authenticated',
  };
  writeFileSync(
    config,
    JSON.stringify({
      storage: path.join(work, 'storage'),
      auth: { htpasswd: { file: path.join(work, 'htpasswd'), max_users: -1 } },
      uplinks: { upstream: { url: upstream, timeout: '60s' } },
      packages: {
        '@qi/*': local,
        'qi-plugin-*': local,
        'create-qi-plugin': local,
        '**': { access: '$all', proxy: 'upstream' },
      },
      log: { type: 'stdout', format: 'pretty', level: 'warn' },
    }),
  );
  const child = spawn(
    process.execPath,
    [bin('verdaccio', 'bin/verdaccio'), '--config', config, '--listen', `127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '--no-warnings' },
    },
  );
  let log = '';
  child.stdout!.on('data', (d) => {
    log += d;
  });
  child.stderr!.on('data', (d) => {
    log += d;
  });
  const url = `http://127.0.0.1:${port}/`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited (${child.exitCode}):\n${log}`);
    const up = await fetch(`${url}-/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, child, log: () => log };
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (!existsSync(path.join(REPO, 'packages/target-timescale/package.json'))) {
    throw new Error(
      'packages/target-timescale does not exist yet: this test installs @qi/target-timescale from the registry',
    );
  }
  for (const p of workspacePackages()) {
    if (!p.prepack && !existsSync(path.join(p.dir, 'dist')))
      throw new Error(`${p.name} is not built (${p.dir}/dist is missing): run pnpm build`);
  }
  await requirePostgres(() => psql('SELECT 1'), PG_URL);
  if (!(await reachable(4222)))
    throw new Error('NATS is not answering on 127.0.0.1:4222: start nats-server -js -a 127.0.0.1 -p 4222');

  registry = await startRegistry();
  // npm refuses to publish without a token; Verdaccio lets anonymous users publish our names, so any token does
  const host = registry.url.replace(/^http:/, '');
  const npmrc = path.join(work, 'npmrc');
  writeFileSync(npmrc, `registry=${registry.url}\n${host}:_authToken=anonymous-publish\n`);
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('JEST_') && k !== 'NODE_OPTIONS'),
  );
  env = {
    ...clean,
    CI: 'true',
    npm_config_userconfig: npmrc,
    npm_config_registry: registry.url,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  mkdirSync(project);
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'qi-user-project', private: true }, null, 2),
  );
});

afterAll(async () => {
  try {
    if (existsSync(path.join(project, 'stream.cjs')))
      run(process.execPath, ['stream.cjs', STREAM, 'delete'], project);
    psql(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  } finally {
    if (registry && registry.child.exitCode === null) {
      const exited = new Promise((r) => registry.child.once('exit', r));
      registry.child.kill('SIGTERM');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  }
});

describe('publishing through a real npm registry', () => {
  const packages = workspacePackages();
  const core = packages.find((p) => p.name === '@qi/core')!;

  it('changeset pack + changeset publish put every workspace package into the registry, with workspace ranges resolved', async () => {
    const tagsBefore = execFileSync('git', ['tag', '--list'], { cwd: REPO, encoding: 'utf8' });
    const changeset = bin('@changesets/cli', 'bin.js');
    ok(process.execPath, [changeset, 'pack', '--out-dir', path.join(work, 'packs')], REPO);
    const out = ok(
      process.execPath,
      [changeset, 'publish', '--from-pack-dir', path.join(work, 'packs'), '--no-git-tag'],
      REPO,
    );
    expect(execFileSync('git', ['tag', '--list'], { cwd: REPO, encoding: 'utf8' })).toBe(tagsBefore);

    for (const p of packages) {
      expect(out).toContain(`${p.name}@${p.version}`);
      const doc = (await (await fetch(`${registry.url}${p.name.replace('/', '%2f')}`)).json()) as {
        'dist-tags': { latest: string };
        versions: Record<
          string,
          { peerDependencies?: Record<string, string>; dependencies?: Record<string, string> }
        >;
      };
      expect([p.name, doc['dist-tags'].latest]).toEqual([p.name, p.version]);
      const manifest = doc.versions[p.version]!;
      expect([p.name, JSON.stringify(manifest).includes('workspace:')]).toEqual([p.name, false]);
      // a plugin peer-depends on the core it was released with, never bundles it
      if (p.peers['@qi/core']) {
        expect([p.name, manifest.peerDependencies?.['@qi/core']]).toEqual([p.name, `^${core.version}`]);
        expect([p.name, manifest.dependencies?.['@qi/core']]).toEqual([p.name, undefined]);
      }
    }
  });

  it('a project outside the workspace installs core, the Timescale target and the NATS plugin from it; qi plugins lists exactly those; qi run --once lands records in PostgreSQL and NATS', async () => {
    // resolved URLs in the lockfile show where each package came from
    ok(
      'npm',
      [
        'install',
        '@qi/core',
        '@qi/target-timescale',
        'qi-plugin-nats',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        '--omit-lockfile-registry-resolved=false',
      ],
      project,
    );
    expect(readdirSync(path.join(project, 'node_modules/@qi')).sort()).toEqual(['core', 'target-timescale']);
    const lock = JSON.parse(readFileSync(path.join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    for (const name of ['@qi/core', '@qi/target-timescale', 'qi-plugin-nats']) {
      expect([name, lock.packages[`node_modules/${name}`]?.resolved?.startsWith(registry.url)]).toEqual([
        name,
        true,
      ]);
    }

    const records = [
      samplePrice(0, { price: '0.000000001234' }),
      ...sampleRecords('price', 5, 1),
      ...sampleRecords('ohlcv', 2),
      ...sampleRecords('analytics', 1),
      ...sampleRecords('level1', 3),
    ];
    writeFileSync(
      path.join(project, 'records.ndjson'),
      `${records.map((r) => JSON.stringify(r)).join('\n')}\n`,
    );
    writeFileSync(
      path.join(project, 'qi.config.yaml'),
      [
        'pipelines:',
        '  e2e:',
        '    source: { use: file, with: { path: records.ndjson } }',
        '    targets:',
        `      - use: "@qi/target-timescale"`,
        `        with: { connectionString: "${PG_URL}", schema: ${SCHEMA} }`,
        '      - use: qi-plugin-nats',
        `        with: { servers: "${NATS_URL}", subjectPrefix: ${PREFIX}, stream: { name: ${STREAM} } }`,
        '',
      ].join('\n'),
    );

    const listed = qi(['plugins', '--json']);
    expect(listed.stderr).toBe('');
    const rows = JSON.parse(listed.stdout) as Array<{
      name: string;
      kind: string;
      version: string;
      location: string;
    }>;
    const installed = rows.filter((r) => r.location !== 'built-in');
    const version = (name: string) => packages.find((p) => p.name === name)!.version;
    expect(installed.map(({ name, kind, version, location }) => ({ name, kind, version, location }))).toEqual(
      [
        {
          name: '@qi/target-timescale',
          kind: 'target',
          version: version('@qi/target-timescale'),
          location: path.join(project, 'node_modules/@qi/target-timescale'),
        },
        {
          name: 'qi-plugin-nats',
          kind: 'target',
          version: version('qi-plugin-nats'),
          location: path.join(project, 'node_modules/qi-plugin-nats'),
        },
      ],
    );
    expect(rows.filter((r) => r.location === 'built-in').map((r) => r.name)).toEqual(['file']);
    const table = qi(['plugins']).stdout;
    expect(table).toContain(path.join(project, 'node_modules/qi-plugin-nats'));
    expect(table).toMatch(
      new RegExp(`qi-plugin-nats\\s+target\\s+${version('qi-plugin-nats').replace(/\./g, '\\.')}`),
    );

    const r = qi(['run', '--once', '--no-progress']);
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });

    expect(psql(`SELECT count(*) FROM "${SCHEMA}".prices`)).toBe('6');
    expect(psql(`SELECT count(*) FROM "${SCHEMA}".ohlcv`)).toBe('2');
    expect(psql(`SELECT count(*) FROM "${SCHEMA}".market_analytics`)).toBe('1');
    expect(psql(`SELECT count(*) FROM "${SCHEMA}".level1`)).toBe('3');
    expect(psql(`SELECT price::text FROM "${SCHEMA}".prices WHERE coin_id = 'bitcoin'`)).toBe(
      '0.000000001234',
    );

    // read the stream back with the NATS client the project installed along with the plugin
    writeFileSync(path.join(project, 'stream.cjs'), STREAM_SCRIPT);
    const messages = JSON.parse(
      ok(process.execPath, ['stream.cjs', STREAM, 'read'], project, { NATS_URL }),
    ) as Array<{ subject: string; id: string; record: { kind: string } }>;
    expect(messages).toHaveLength(records.length);
    const count = (table: string) =>
      messages.filter((m) => m.subject.startsWith(`${PREFIX}.${table}.`)).length;
    expect([count('prices'), count('ohlcv'), count('market_analytics'), count('level1')]).toEqual([
      6, 2, 1, 3,
    ]);
    const btc = messages.find((m) => m.subject === `${PREFIX}.prices.bitcoin.aggregate.usd`)!;
    expect(btc.id).toBe('price:bitcoin|aggregate|usd|2026-01-01T00:00:00.000Z');
    expect((btc.record as unknown as { price: string }).price).toBe('0.000000001234');
  });

  it('the installed host refuses a registry plugin built for another API version and a package that is not a plugin, saying why', () => {
    const future = path.join(work, 'qi-plugin-from-the-future');
    mkdirSync(future);
    writeFileSync(
      path.join(future, 'package.json'),
      JSON.stringify({
        name: 'qi-plugin-from-the-future',
        version: '2.0.0',
        main: 'index.js',
        keywords: ['qi-plugin'],
        peerDependencies: { '@qi/core': '>=0.1.0' },
      }),
    );
    writeFileSync(
      path.join(future, 'index.js'),
      "const { definePlugin, z } = require('@qi/core');\nmodule.exports = definePlugin({ name: 'qi-plugin-from-the-future', kind: 'target', apiVersion: '^2.0.0', configSchema: z.object({}), create() { throw new Error('never'); } });\n",
    );
    ok('npm', ['publish', '--loglevel=error'], future);
    ok(
      'npm',
      ['install', 'qi-plugin-from-the-future', '--no-audit', '--no-fund', '--loglevel=error'],
      project,
    );

    // pg-promise came with @qi/target-timescale: a real package, but not a Qi plugin
    const refused = path.join(project, 'refused');
    mkdirSync(refused);
    writeFileSync(
      path.join(refused, 'qi.config.yaml'),
      'pipelines:\n  p:\n    source: { use: file, with: { path: x.ndjson } }\n    targets: [{ use: qi-plugin-from-the-future }, { use: pg-promise }]\n',
    );
    const r = qi(['validate'], refused);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'pipelines.p.targets[0].use: plugin "qi-plugin-from-the-future" requires Qi plugin API ^2.0.0, but this @qi/core provides plugin API 1.0.0',
    );
    expect(r.stderr).toContain('pipelines.p.targets[1].use: package "pg-promise" is not a Qi plugin');
  });

  it('npm init qi-plugin runs create-qi-plugin from the registry', () => {
    const spec = `qi-plugin@${packages.find((p) => p.name === 'create-qi-plugin')!.version}`;
    // a fresh cache: npm exec would otherwise reuse a create-qi-plugin of the same version fetched by an earlier run
    ok(
      'npm',
      [
        'init',
        '--yes',
        spec,
        'qi-plugin-from-npm-init',
        '--',
        '--yes',
        '--kind',
        'source',
        '--kinds',
        'price',
      ],
      work,
      {
        npm_config_cache: path.join(work, 'npm-cache'),
      },
    );
    const created = path.join(work, 'qi-plugin-from-npm-init');
    const pkg = JSON.parse(readFileSync(path.join(created, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: 'qi-plugin-from-npm-init',
      peerDependencies: { '@qi/core': `^${core.version}` },
    });
    expect(readFileSync(path.join(created, 'src/encoding.ts'), 'utf8')).toContain("KINDS = ['price']");
    expect(existsSync(path.join(created, 'test/conformance.test.ts'))).toBe(true);
  });
});

/** Reads (or deletes) a stream with the project's own @nats-io packages, as JSON on stdout. */
const STREAM_SCRIPT = `
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager } = require('@nats-io/jetstream');
(async () => {
  const [stream, action] = process.argv.slice(2);
  const nc = await connect({ servers: process.env.NATS_URL || '${NATS_URL}' });
  try {
    if (action === 'delete') {
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
      return;
    }
    const consumer = await jetstream(nc).consumers.get(stream);
    const pending = (await consumer.info(true)).num_pending;
    const out = [];
    if (pending > 0) {
      for await (const m of await consumer.fetch({ max_messages: pending, expires: 5000 })) {
        out.push({ subject: m.subject, id: m.headers && m.headers.get('Nats-Msg-Id'), record: JSON.parse(m.string()) });
        if (m.info.pending === 0) break;
      }
    }
    process.stdout.write(JSON.stringify(out));
  } finally {
    await nc.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
`;
