import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { CoreErrors, type QiError, qiError } from '../errors';
import { isQiPlugin, PLUGIN_API_VERSION, type PluginKind, type QiPlugin } from '../plugin';
import { err, ok, type Result } from '../result';

export interface ResolvedPlugin {
  plugin: QiPlugin;
  /** npm package name, or "built-in" */
  packageName: string;
  version: string;
  /** where it was loaded from */
  location: string;
}

export interface ResolvedPackage {
  /** the module as loaded (CommonJS exports or an ES module namespace) */
  module: unknown;
  packageName: string;
  version: string;
  /** the package's folder */
  location: string;
}

/**
 * Loads a package by name from the user's project (the config file's
 * directory), not from core's own location, reading its package.json first.
 * For plugins and for what extends them (an MCP server package).
 */
export async function resolvePackage(
  name: string,
  baseDir: string,
  where: string,
): Promise<Result<ResolvedPackage>> {
  const req = createRequire(path.join(baseDir, 'noop.js'));
  let pkgJsonPath: string;
  try {
    pkgJsonPath = req.resolve(`${name}/package.json`);
  } catch {
    return err(
      qiError(
        CoreErrors.PLUGIN_NOT_FOUND,
        `${where}: plugin "${name}" is not installed in ${baseDir}. Install it with: npm install ${name}`,
        {
          context: { plugin: name, baseDir, install: `npm install ${name}` },
        },
      ),
    );
  }
  const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8')) as { version?: string; name?: string };
  try {
    const module = await loadModule(req, req.resolve(name));
    return ok({
      module,
      packageName: pkg.name ?? name,
      version: pkg.version ?? '0.0.0',
      location: path.dirname(pkgJsonPath),
    });
  } catch (e) {
    return err(
      qiError(
        CoreErrors.PLUGIN_INVALID,
        `${where}: plugin "${name}" failed to load: ${(e as Error).message}`,
        { cause: e, context: { plugin: name } },
      ),
    );
  }
}

/**
 * Resolves a plugin package from the user's project (the config file's
 * directory), then checks the brand of its default export, the kind and the
 * API version range.
 */
export async function resolvePlugin(
  name: string,
  /** undefined: any kind (qi describe) */
  expectedKind: PluginKind | undefined,
  baseDir: string,
  where: string,
): Promise<Result<ResolvedPlugin>> {
  const pkg = await resolvePackage(name, baseDir, where);
  if (!pkg.ok) return pkg;
  const checked = checkPlugin(pickPlugin(pkg.value.module), name, expectedKind, where);
  if (!checked.ok) return checked;
  const { packageName, version, location } = pkg.value;
  return ok({ plugin: checked.value, packageName, version, location });
}

async function loadModule(req: NodeJS.Require, entry: string): Promise<unknown> {
  try {
    // require() takes CommonJS builds and, on Node >= 22.12, synchronous ES modules
    return req(entry);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw e;
    return import(pathToFileURL(entry).href);
  }
}

function pickPlugin(mod: unknown): unknown {
  // ESM default export, CJS `module.exports.default`, or a double-wrapped interop default
  let m = mod as { default?: unknown } | undefined;
  for (let i = 0; i < 3 && m && !isQiPlugin(m); i++) m = (m as { default?: unknown }).default as typeof m;
  return m;
}

export function checkPlugin(
  candidate: unknown,
  name: string,
  expectedKind: PluginKind | undefined,
  where: string,
): Result<QiPlugin> {
  if (!isQiPlugin(candidate)) {
    return err(
      qiError(
        CoreErrors.PLUGIN_INVALID,
        `${where}: package "${name}" is not a Qi plugin (its default export was not made with definePlugin from @qi/core)`,
        {
          context: { plugin: name },
        },
      ),
    );
  }
  if (expectedKind && candidate.kind !== expectedKind) {
    return err(
      qiError(
        CoreErrors.PLUGIN_KIND_MISMATCH,
        `${where}: plugin "${name}" is a ${candidate.kind}, but it is used as a ${expectedKind}`,
        {
          context: { plugin: name, expected: expectedKind, found: candidate.kind },
        },
      ),
    );
  }
  const range = semver.validRange(candidate.apiVersion);
  if (!range || !semver.satisfies(PLUGIN_API_VERSION, range)) {
    return err(apiMismatch(name, candidate.apiVersion, where));
  }
  return ok(candidate);
}

function apiMismatch(name: string, wanted: string, where: string): QiError {
  return qiError(
    CoreErrors.PLUGIN_API_MISMATCH,
    `${where}: plugin "${name}" requires Qi plugin API ${wanted}, but this @qi/core provides plugin API ${PLUGIN_API_VERSION}; install a version of "${name}" built for API ${PLUGIN_API_VERSION} or a matching @qi/core`,
    { context: { plugin: name, required: wanted, provided: PLUGIN_API_VERSION } },
  );
}
