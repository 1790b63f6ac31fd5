import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ScaffoldOptions } from './options';
import { API_RANGE, coreRange, TEMPLATES_DIR } from './versions';

/** Template files that npm would drop or act on under their real names get a "_" instead of their dot. */
const RENAMES: Record<string, string> = {
  _gitignore: '.gitignore',
  '_package.json': 'package.json',
  _changeset: '.changeset',
};

/** Markdown templates end in .tpl: formatters would read `__TOKEN__` as bold and front matter as a heading. */
const realName = (part: string) => RENAMES[part] ?? part.replace(/\.tpl$/, '');

/**
 * Writes the plugin package: templates/common, then templates/<kind> on top.
 * Templates are real files (valid TypeScript, JSON, Markdown as .md.tpl) with tokens the
 * generator replaces, so they can be read and linted where they live.
 */
export function renderPlugin(opts: ScaffoldOptions): string[] {
  if (existsSync(opts.dir) && readdirSync(opts.dir).length > 0 && !opts.force) {
    throw new Error(`${opts.dir} is not empty (use --force to write into it anyway)`);
  }
  const tokens = templateTokens(opts);
  const written: string[] = [];
  for (const layer of ['common', opts.kind]) {
    for (const rel of listFiles(path.join(TEMPLATES_DIR, layer))) {
      const target = path.join(opts.dir, ...rel.split('/').map(realName));
      const text = substitute(readFileSync(path.join(TEMPLATES_DIR, layer, rel), 'utf8'), tokens, opts);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, text);
      written.push(path.relative(opts.dir, target));
    }
  }
  return written.sort();
}

export function templateTokens(opts: ScaffoldOptions): Record<string, string> {
  const peer = coreRange();
  return {
    __PLUGIN_NAME__: opts.name,
    __PLUGIN_SLUG__: opts.name.replace(/^@[^/]+\//, ''),
    __PLUGIN_DESCRIPTION__: opts.description,
    __PLUGIN_KIND__: opts.kind,
    __RECORD_KINDS__: opts.kinds.join(', '),
    __QI_CORE_RANGE__: peer,
    __QI_CORE_DEV__: opts.qiCore ?? peer,
    __API_RANGE__: API_RANGE,
  };
}

/** Replaces tokens and the kinds list: `[/* qi:kinds *\/ 'price', …]` becomes the chosen kinds. */
export function substitute(
  text: string,
  tokens: Record<string, string>,
  opts: Pick<ScaffoldOptions, 'kinds'>,
): string {
  let out = text.replace(
    /\[\s*\/\* qi:kinds \*\/[^\]]*\]/g,
    `[${opts.kinds.map((k) => `'${k}'`).join(', ')}]`,
  );
  for (const [token, value] of Object.entries(tokens)) out = out.split(token).join(jsonSafe(token, value));
  return out;
}

// descriptions land inside JSON and TS strings: keep quotes and backslashes from breaking them
function jsonSafe(token: string, value: string): string {
  return token === '__PLUGIN_DESCRIPTION__'
    ? JSON.stringify(value).slice(1, -1).replace(/'/g, '\u2019')
    : value;
}

function listFiles(root: string, rel = ''): string[] {
  const dir = path.join(root, rel);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const child = rel ? `${rel}/${entry}` : entry;
    return statSync(path.join(root, child)).isDirectory() ? listFiles(root, child) : [child];
  });
}
