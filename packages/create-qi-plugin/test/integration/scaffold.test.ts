import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Scaffolds plugins with the BUILT create-qi-plugin, then installs, builds and tests
// them as their author would, against a packed @qi/core (file: tarball): the
// other dependencies come from the npm registry, mostly from pnpm's local store.
const PKG = path.resolve(__dirname, '../..');
const CORE = path.resolve(PKG, '../core');
const BIN = path.join(PKG, 'bin/create-qi-plugin.cjs');

const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('JEST_') && k !== 'NODE_OPTIONS'),
);
function sh(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, env: { ...env, CI: 'true' }, encoding: 'utf8' });
  if (r.error)
    throw new Error(`${cmd} could not start: ${r.error.message} (is it on PATH? run through scripts/env.sh)`);
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`,
    );
  return `${r.stdout}${r.stderr}`;
}

let work: string;
let coreTarball: string;
beforeAll(() => {
  for (const built of [path.join(PKG, 'dist/cli.cjs'), path.join(CORE, 'dist/index.cjs')]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run pnpm build first`);
  }
  work = mkdtempSync(path.join(os.tmpdir(), 'qi-scaffold-'));
  sh('pnpm', ['pack', '--pack-destination', work], CORE);
  coreTarball = path.join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each([
  { kind: 'target', kinds: 'price,ohlcv', tests: 11 },
  { kind: 'source', kinds: 'all', tests: 8 },
])('create-qi-plugin --kind $kind --kinds $kinds', ({ kind, kinds, tests }) => {
  it('writes a package that installs, builds, typechecks and passes its own tests (conformance suite included) with no edits', () => {
    const name = `qi-plugin-scaffolded-${kind}`;
    const out = execFileSync(
      process.execPath,
      [BIN, name, '--kind', kind, '--kinds', kinds, '--qi-core', `file:${coreTarball}`],
      { cwd: work, encoding: 'utf8' },
    );
    expect(out).toContain(`Created ${kind} plugin ${name}`);
    const dir = path.join(work, name);
    sh('pnpm', ['install', '--prefer-offline', '--reporter=silent'], dir);
    expect(readFileSync(path.join(dir, 'node_modules/@qi/core/package.json'), 'utf8')).toContain(
      '"name": "@qi/core"',
    );

    sh('pnpm', ['run', 'build'], dir);
    for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts'])
      expect([f, existsSync(path.join(dir, 'dist', f))]).toEqual([f, true]);
    sh('pnpm', ['run', 'typecheck'], dir);

    const test = sh('pnpm', ['test', '--verbose'], dir);
    expect(test).toContain(`${kind === 'target' ? 'writer' : 'reader'} conformance: ${name}`);
    expect(test).toMatch(new RegExp(`Tests:\\s+${tests} passed, ${tests} total`));

    // the built plugin loads as CommonJS, branded for the host, named after its package
    const plugin = execFileSync(
      process.execPath,
      [
        '-e',
        `const p = require('./dist/index.cjs').default; console.log(JSON.stringify({ name: p.name, kind: p.kind, api: p.apiVersion, brand: p[Symbol.for('qi.plugin')] }))`,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(JSON.parse(plugin)).toEqual({ name, kind, api: '^1.0.0', brand: true });
  });
});
