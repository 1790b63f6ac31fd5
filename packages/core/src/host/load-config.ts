import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import YAML from 'yaml';
import { CoreErrors, qiError } from '../errors';
import { err, ok, type Result } from '../result';

export const CONFIG_FILES = [
  'package.json',
  '.qirc',
  '.qirc.json',
  '.qirc.yaml',
  '.qirc.yml',
  'qi.config.ts',
  'qi.config.mts',
  'qi.config.mjs',
  'qi.config.js',
  'qi.config.cjs',
  'qi.config.yaml',
  'qi.config.yml',
  'qi.config.json',
];

// Node >= 22.18 strips types natively, so TS configs load without a compiler in the user's project.
const importLoader: Loader = async (filepath) => {
  const mod = await import(pathToFileURL(filepath).href);
  return mod.default ?? mod;
};

const yamlLoader: Loader = (filepath, content) => {
  const doc = YAML.parseDocument(content, { prettyErrors: true });
  if (doc.errors.length) throw new Error(`${filepath}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS();
};

export interface LoadedConfig {
  filepath: string;
  /** the directory plugins and relative paths resolve from */
  baseDir: string;
  raw: unknown;
}

/** Finds and reads the config (explicit path, or searched from `cwd` upwards). Does not validate. */
export async function loadConfigFile(
  opts: { configPath?: string; cwd?: string } = {},
): Promise<Result<LoadedConfig>> {
  const explorer = cosmiconfig('qi', {
    searchPlaces: CONFIG_FILES,
    loaders: {
      '.ts': importLoader,
      '.mts': importLoader,
      '.mjs': importLoader,
      '.js': importLoader,
      '.cjs': importLoader,
      '.yaml': yamlLoader,
      '.yml': yamlLoader,
      noExt: yamlLoader,
    },
    searchStrategy: 'global',
    cache: false,
  });
  try {
    if (opts.configPath) {
      const file = path.resolve(opts.cwd ?? process.cwd(), opts.configPath);
      await readFile(file).catch(() => {
        throw qiError(CoreErrors.CONFIG, `config file not found: ${file}`);
      });
      const r = await explorer.load(file);
      if (!r) return err(qiError(CoreErrors.CONFIG, `config file ${file} is empty`));
      return ok({ filepath: r.filepath, baseDir: path.dirname(r.filepath), raw: r.config });
    }
    const r = await explorer.search(opts.cwd ?? process.cwd());
    if (!r) {
      return err(
        qiError(
          CoreErrors.CONFIG,
          `no Qi config found from ${opts.cwd ?? process.cwd()} upwards (looked for ${CONFIG_FILES.slice(1).join(', ')} and package.json#qi); run "qi init" to write one`,
        ),
      );
    }
    return ok({ filepath: r.filepath, baseDir: path.dirname(r.filepath), raw: r.config });
  } catch (e) {
    if ((e as { code?: string }).code === 'QI_CONFIG') return err(e as never);
    return err(qiError(CoreErrors.CONFIG, `cannot read config: ${(e as Error).message}`, { cause: e }));
  }
}
