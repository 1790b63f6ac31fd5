import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BUILTIN_PLUGINS } from '../builtins/index';
import { configJsonSchema } from '../host/config-json-schema';
import { loadConfigFile } from '../host/load-config';
import { resolvePlugin } from '../host/resolve-plugin';
import type { QiPlugin } from '../plugin';
import { EXIT, printError } from './context';

function nearestPackageJson(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const f = path.join(d, 'package.json');
    if (existsSync(f)) return f;
    if (path.dirname(d) === d) return undefined;
  }
}

/** The project's dependencies whose package.json carries the `qi-plugin` keyword. */
function dependencyPlugins(baseDir: string): string[] {
  const file = nearestPackageJson(baseDir);
  if (!file) return [];
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>;
  const names = ['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((k) =>
    Object.keys(pkg[k] ?? {}),
  );
  const req = createRequire(path.join(baseDir, 'noop.js'));
  return names.filter((n) => {
    try {
      const meta = JSON.parse(readFileSync(req.resolve(`${n}/package.json`), 'utf8')) as {
        keywords?: string[];
      };
      return meta.keywords?.includes('qi-plugin') === true;
    } catch {
      return false;
    }
  });
}

/** Every `use` in a config, read loosely (the config may be invalid: that is what the schema is for). */
function usesIn(raw: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(raw)) for (const v of raw) usesIn(v, out);
  else if (raw && typeof raw === 'object')
    for (const [k, v] of Object.entries(raw)) {
      if (k === 'use' && typeof v === 'string') out.add(v);
      else usesIn(v, out);
    }
  return out;
}

/** qi schema config: the JSON Schema of the config, with the `with` of every plugin the project has. */
export async function schemaConfigCommand(opts: {
  config?: string;
  plugin?: string[];
  output?: string;
  /** no notes on stderr (qi init, before the plugins are installed) */
  quiet?: boolean;
}): Promise<number> {
  const loaded = await loadConfigFile({ configPath: opts.config });
  const baseDir = loaded.ok
    ? loaded.value.baseDir
    : opts.config
      ? path.dirname(path.resolve(opts.config))
      : process.cwd();
  const named = new Set([...(opts.plugin ?? []), ...(loaded.ok ? usesIn(loaded.value.raw) : [])]);
  const candidates = new Set([...named, ...dependencyPlugins(baseDir)]);
  const plugins: QiPlugin[] = [...BUILTIN_PLUGINS];
  for (const name of candidates) {
    if (plugins.some((p) => p.name === name)) continue;
    const r = await resolvePlugin(name, undefined, baseDir, 'qi schema config');
    if (r.ok) plugins.push({ ...r.value.plugin, name });
    // a dependency that is not a plugin is not an error; a plugin the config names is worth saying
    else if (named.has(name) && !opts.quiet)
      printError(`${r.error.message} (its "with" is not typed in the schema)`);
  }
  const text = `${JSON.stringify(configJsonSchema(plugins), null, 2)}\n`;
  if (opts.output) {
    writeFileSync(path.resolve(opts.output), text);
    if (!opts.quiet)
      process.stderr.write(
        `wrote ${opts.output}: plugins ${[...new Set(plugins.map((p) => p.name))].join(', ')}\n`,
      );
  } else process.stdout.write(text);
  return EXIT.OK;
}
