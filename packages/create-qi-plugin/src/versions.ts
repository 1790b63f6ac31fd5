import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The package root (dist/ or src/ sit one level below it). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');

/** The plugin API range generated plugins declare; a unit test keeps it in step with @qi/core. */
export const API_RANGE = '^1.0.0';

/**
 * The @qi/core range generated plugins peer-depend on: the range this
 * generator was released against (its own devDependency, which pnpm publish
 * turns from workspace:^ into ^x.y.z); inside the Qi repository, core's version.
 */
export function coreRange(): string {
  const own = readJson(path.join(PACKAGE_ROOT, 'package.json')) as {
    version: string;
    devDependencies?: Record<string, string>;
  };
  const spec = own.devDependencies?.['@qi/core'];
  if (spec && !spec.startsWith('workspace:')) return spec;
  const core = readJson(path.join(PACKAGE_ROOT, '../core/package.json')) as { version?: string } | undefined;
  if (core?.version) return `^${core.version}`;
  return '^0.1.0';
}

export function ownVersion(): string {
  return (readJson(path.join(PACKAGE_ROOT, 'package.json')) as { version: string }).version;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
