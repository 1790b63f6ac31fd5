#!/usr/bin/env node
// Checks a release would be right before `pnpm release` runs:
//  1. every package changed since <base> has a pending changeset (and the changesets parse);
//  2. every publishable package, as packed (workspace: ranges resolved), has the right
//     exports, types, main/module/bin files, README, engines, and — for plugins and
//     libraries built on core — a peer range of @qi/core that admits the current core,
//     never a bundled core; a plugin's default export is a Qi plugin the host accepts;
//  3. publint and Are-The-Types-Wrong (attw) find nothing wrong in the packed tarball.
// Packages must be built first (pnpm build). Exit 1 on any error; warnings do not fail.
//
// Usage: node scripts/release-check.mjs [--since <git ref>] [--only name,name] [--no-attw] [--no-publint] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, stripVTControlCharacters } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORKSPACE_DIRS = ['packages', 'examples/plugins'];
const { values: opts } = parseArgs({
  options: {
    since: { type: 'string', default: process.env.QI_RELEASE_BASE ?? 'main' },
    only: { type: 'string' },
    attw: { type: 'boolean', default: true },
    'no-attw': { type: 'boolean', default: false },
    publint: { type: 'boolean', default: true },
    'no-publint': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const useAttw = opts.attw && !opts['no-attw'];
const usePublint = opts.publint && !opts['no-publint'];

/** @type {Array<{ pkg: string; tool: string; level: 'error' | 'warning' | 'suggestion'; message: string }>} */
const findings = [];
const report = (pkg, tool, level, message) => findings.push({ pkg, tool, level, message });

function sh(cmd, args, cwd = ROOT) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  return {
    code: r.status ?? (r.error ? 127 : 1),
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? r.error?.message ?? '',
  };
}

function workspacePackages() {
  return WORKSPACE_DIRS.flatMap((d) =>
    existsSync(path.join(ROOT, d)) ? readdirSync(path.join(ROOT, d)).map((x) => path.join(ROOT, d, x)) : [],
  )
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .map((dir) => ({
      dir,
      rel: path.relative(ROOT, dir),
      manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')),
    }))
    .filter((p) => !p.manifest.private);
}

// ---------- 1. changesets ----------
function checkChangesets(packages) {
  const status = sh(process.execPath, [path.join(ROOT, 'node_modules/@changesets/cli/bin.js'), 'status']);
  if (status.code !== 0 && !/no changesets were found/i.test(status.stdout + status.stderr)) {
    report(
      '(changesets)',
      'changeset status',
      'error',
      `changeset status failed: ${(status.stderr || status.stdout).trim().split('\n').slice(-3).join(' ')}`,
    );
  }
  const base = sh('git', ['rev-parse', '--verify', '--quiet', `${opts.since}^{commit}`]);
  if (base.code !== 0) {
    report(
      '(changesets)',
      'git',
      'warning',
      `base ref "${opts.since}" not found: skipped the changed-packages check (pass --since <ref>)`,
    );
    return;
  }
  const changed = new Set(
    [
      sh('git', ['diff', '--name-only', opts.since]).stdout,
      sh('git', ['ls-files', '--others', '--exclude-standard']).stdout,
    ]
      .join('\n')
      .split('\n')
      .filter(Boolean),
  );
  const pending = readdirSync(path.join(ROOT, '.changeset'))
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => readFileSync(path.join(ROOT, '.changeset', f), 'utf8'));
  const covered = new Set(
    pending.flatMap((text) =>
      [...(text.split('---')[1] ?? '').matchAll(/^\s*["']?([^"':\s]+)["']?\s*:/gm)].map((m) => m[1]),
    ),
  );
  for (const p of packages) {
    // what ships: source, bins, templates, the manifest; tests, benches and docs do not need a release
    const shipped = [...changed].filter(
      (f) => f.startsWith(`${p.rel}/`) && !/\/(test|bench)\/|\.md$|\.md\.tpl$/.test(f.slice(p.rel.length)),
    );
    if (shipped.length > 0 && !covered.has(p.manifest.name)) {
      report(
        '(changesets)',
        'changesets',
        'error',
        `${p.manifest.name} changed since ${opts.since} (${shipped.slice(0, 3).join(', ')}${shipped.length > 3 ? ', …' : ''}) but no pending changeset names it: run pnpm changeset`,
      );
    }
  }
}

// ---------- 2. manifests and tarballs ----------
function pack(p, dest) {
  const r = sh('pnpm', ['pack', '--pack-destination', dest], p.dir);
  const tgz = r.stdout.trim().split('\n').pop()?.trim();
  if (r.code !== 0 || !tgz || !existsSync(tgz))
    throw new Error(`pnpm pack failed in ${p.rel}: ${r.stderr || r.stdout}`);
  const files = new Set(
    sh('tar', ['-tzf', tgz])
      .stdout.split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, '')),
  );
  const manifest = JSON.parse(sh('tar', ['-xzOf', tgz, 'package/package.json']).stdout);
  return { tgz, files, manifest };
}

function targetsOf(exp) {
  if (typeof exp === 'string') return [exp];
  if (exp && typeof exp === 'object') return Object.values(exp).flatMap(targetsOf);
  return [];
}

function checkManifest(packed, core) {
  const m = packed.manifest;
  const name = m.name;
  const err = (msg) => report(name, 'manifest', 'error', msg);
  const warn = (msg) => report(name, 'manifest', 'warning', msg);
  const has = (file) => packed.files.has(String(file).replace(/^\.\//, ''));
  if (JSON.stringify(m).includes('workspace:')) err('the packed package.json still has a workspace: range');
  if (m.type !== 'module') warn(`"type" is ${JSON.stringify(m.type)}, expected "module" (the house layout)`);
  if (!m.exports?.['.']) err('no exports["."]');
  for (const [sub, target] of Object.entries(m.exports ?? {})) {
    if (sub === './package.json') continue;
    for (const cond of ['import', 'require']) {
      if (!target?.[cond])
        err(`exports["${sub}"] has no "${cond}" condition (ESM and CommonJS users both load plugins)`);
      else if (!target[cond].types) err(`exports["${sub}"].${cond} has no "types" condition`);
    }
    for (const file of targetsOf(target))
      if (!has(file)) err(`exports["${sub}"] points at ${file}, which is not in the tarball`);
  }
  for (const field of ['main', 'module', 'types']) {
    if (!m[field]) warn(`no "${field}" field (older resolvers use it)`);
    else if (!has(m[field])) err(`"${field}" points at ${m[field]}, which is not in the tarball`);
  }
  for (const [cmd, file] of Object.entries(typeof m.bin === 'string' ? { [name]: m.bin } : (m.bin ?? {}))) {
    if (!has(file)) err(`bin "${cmd}" points at ${file}, which is not in the tarball`);
  }
  if (!Array.isArray(m.files)) err('no "files" allow-list: the tarball would carry tests and sources');
  if (!has('README.md')) warn('README.md is not in the tarball');
  if (!m.license) warn('no "license"');
  if (!/^>=\s*22/.test(m.engines?.node ?? ''))
    warn(`engines.node is ${JSON.stringify(m.engines?.node)}, expected ">=22"`);

  checkTypeImports(packed, name);

  const isPlugin = (m.keywords ?? []).includes('qi-plugin') && name !== 'create-qi-plugin';
  const peer = m.peerDependencies?.['@qi/core'];
  if (name === '@qi/core') return isPlugin;
  if (m.dependencies?.['@qi/core'])
    err(
      `@qi/core is a dependency (${m.dependencies['@qi/core']}): it must be a peer dependency, or plugins would load a second core`,
    );
  if (isPlugin && !peer) err('a plugin (keyword qi-plugin) without a peer dependency on @qi/core');
  if (peer) {
    if (!core.semver.satisfies(core.version, peer))
      err(`peer range @qi/core ${peer} does not admit the current core ${core.version}`);
    else if (peer !== `^${core.version}`)
      warn(`peer range @qi/core ${peer}; the release convention is ^${core.version}`);
  }
  return isPlugin;
}

/** Packages the shipped .d.ts files import must be installable with the package: dependencies or peers. */
function checkTypeImports(packed, name) {
  const m = packed.manifest;
  const declared = new Set([
    name,
    ...Object.keys(m.dependencies ?? {}),
    ...Object.keys(m.peerDependencies ?? {}),
  ]);
  const missing = new Set();
  for (const file of [...packed.files].filter((f) => /\.d\.(c|m)?ts$/.test(f))) {
    const text = sh('tar', ['-xzOf', packed.tgz, `package/${file}`]).stdout;
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'".][^'"]*)['"]/g)) {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (
        !pkg.startsWith('node:') &&
        !builtinModules.includes(pkg) &&
        !declared.has(pkg) &&
        !declared.has(`@types/${pkg}`)
      )
        missing.add(pkg);
    }
  }
  for (const pkg of missing) {
    report(
      name,
      'types',
      'warning',
      `the type declarations import "${pkg}", which is neither a dependency nor a peer: TypeScript users with a strict installer (pnpm) get unresolved types`,
    );
  }
}

/** The built plugin loads and passes the host's own checks (brand, kind, apiVersion range). */
function checkPluginExport(p, name, core) {
  const entry = path.join(p.dir, 'dist/index.cjs');
  if (!existsSync(entry))
    return report(name, 'plugin', 'error', `${path.relative(ROOT, entry)} is missing: build first`);
  let mod;
  try {
    mod = createRequire(entry)(entry);
  } catch (e) {
    return report(name, 'plugin', 'error', `dist/index.cjs does not load: ${e.message}`);
  }
  const plugin = mod?.default ?? mod;
  if (!core.api.isQiPlugin(plugin)) {
    return report(
      name,
      'plugin',
      'error',
      'has the keyword qi-plugin (how users find plugins) but its default export is not a Qi plugin made with definePlugin: export one, or drop the keyword',
    );
  }
  const checked = core.api.checkPlugin(plugin, name, plugin.kind, 'default export');
  if (!checked.ok) return report(name, 'plugin', 'error', checked.error.message);
  if (plugin.name !== name)
    report(
      name,
      'plugin',
      'warning',
      `definePlugin name "${plugin.name}" differs from the package name (qi plugins shows both)`,
    );
}

// ---------- 3. publint and attw ----------
async function runPublint(name, packed, publint, formatMessage) {
  const buf = readFileSync(packed.tgz);
  const { messages } = await publint({
    pack: { tarball: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) },
    level: 'suggestion',
    strict: false,
  });
  for (const msg of messages)
    report(
      name,
      'publint',
      msg.type,
      stripVTControlCharacters(formatMessage(msg, packed.manifest) ?? msg.code),
    );
}

function runAttw(name, packed) {
  const r = sh(process.execPath, [
    path.join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'),
    packed.tgz,
    '--no-definitely-typed',
    '--format',
    'json',
  ]);
  let out;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    return report(name, 'attw', 'error', `attw failed: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
  }
  const problems = Object.values(out.analysis?.problems ?? out.problems ?? {}).flat();
  for (const pr of problems) {
    // node10 = TypeScript's legacy "moduleResolution": "node", which ignores exports: subpaths cannot resolve there
    const level = pr.resolutionKind === 'node10' ? 'warning' : 'error';
    report(
      name,
      'attw',
      level,
      `${pr.kind}${pr.entrypoint ? ` ${pr.entrypoint}` : ''}${pr.resolutionKind ? ` (${pr.resolutionKind})` : ''}`,
    );
  }
}

// ---------- main ----------
const all = workspacePackages();
const only = opts.only ? new Set(opts.only.split(',')) : undefined;
const packages = only ? all.filter((p) => only.has(p.manifest.name)) : all;
const coreDir = path.join(ROOT, 'packages/core');
const coreRequire = createRequire(path.join(coreDir, 'package.json'));
if (!existsSync(path.join(coreDir, 'dist/index.cjs'))) {
  console.error('release-check: packages/core is not built: run pnpm build first');
  process.exit(2);
}
const core = {
  version: JSON.parse(readFileSync(path.join(coreDir, 'package.json'), 'utf8')).version,
  semver: coreRequire('semver'),
  api: coreRequire('./dist/index.cjs'),
};
const { publint } = usePublint ? await import('publint') : {};
const { formatMessage } = usePublint ? await import('publint/utils') : {};

checkChangesets(all);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'qi-release-check-'));
/** the packed peer range of @qi/core, per package, for the summary */
const peers = new Map();
try {
  for (const p of packages) {
    const name = p.manifest.name;
    let packed;
    try {
      packed = pack(p, tmp);
    } catch (e) {
      report(name, 'pack', 'error', e.message);
      continue;
    }
    const isPlugin = checkManifest(packed, core);
    peers.set(name, packed.manifest.peerDependencies?.['@qi/core']);
    if (isPlugin) checkPluginExport(p, name, core);
    if (usePublint) await runPublint(name, packed, publint, formatMessage);
    if (useAttw) runAttw(name, packed);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const errors = findings.filter((f) => f.level === 'error');
if (opts.json) {
  process.stdout.write(
    `${JSON.stringify({ packages: packages.map((p) => p.manifest.name), findings }, null, 2)}\n`,
  );
} else {
  const icon = { error: '✗', warning: '!', suggestion: '·' };
  for (const name of ['(changesets)', ...packages.map((p) => p.manifest.name)]) {
    const mine = findings.filter((f) => f.pkg === name);
    if (name === '(changesets)') {
      console.log(
        mine.length === 0
          ? `changesets: every package changed since ${opts.since} has a pending changeset`
          : 'changesets:',
      );
      for (const f of mine) console.log(`  ${icon[f.level]} ${f.message}`);
      continue;
    }
    const version = packages.find((p) => p.manifest.name === name)?.manifest.version;
    const peer = peers.get(name) ? ` (peer @qi/core ${peers.get(name)})` : '';
    const errs = mine.filter((f) => f.level === 'error').length;
    console.log(`${name}${version ? `@${version}` : ''}${peer}: ${errs > 0 ? `${errs} error(s)` : 'ok'}`);
    for (const f of mine) console.log(`  ${icon[f.level]} ${f.tool}: ${f.message}`);
  }
  console.log(
    `\n${errors.length} error(s), ${findings.length - errors.length} warning(s)/suggestion(s) in ${packages.length} package(s)`,
  );
}
process.exit(errors.length > 0 ? 1 : 0);
