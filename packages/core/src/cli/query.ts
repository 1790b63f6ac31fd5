import { createLogger } from '../observability/logger';
import { EXIT, type GlobalOpts, prepareOrReport, printError } from './context';

/** A cell as psql would show it: text as is, null empty, the rest as JSON. */
const cell = (v: unknown) =>
  v === null || v === undefined
    ? ''
    : typeof v === 'string'
      ? v
      : v instanceof Date
        ? v.toISOString()
        : JSON.stringify(v);

/**
 * qi query "<sql>": one read-only query against a pipeline's target, when the pipeline
 * does not run (the target implements `query`, e.g. in a READ ONLY transaction).
 */
export async function queryCommand(
  text: string,
  opts: GlobalOpts & { target?: string; json?: boolean },
): Promise<number> {
  const prepared = await prepareOrReport(opts);
  if (!prepared) return EXIT.USAGE;
  const all = prepared.pipelines.flatMap((p) => p.targets.map((t) => ({ id: `${p.name}.${t.name}`, t })));
  const queryable = all.filter((x) => x.t.resolved.plugin.query);
  const chosen = opts.target ? all.filter((x) => x.id === opts.target) : queryable;
  if (chosen.length !== 1 || !chosen[0]!.t.resolved.plugin.query) {
    const names = queryable.map((x) => x.id).join(', ') || 'none';
    printError(
      opts.target
        ? `qi query: ${opts.target} is not a target that can be queried; these can: ${names}`
        : `qi query: ${queryable.length ? 'several targets can be queried' : 'no target can be queried'}; name one with --target <pipeline>.<target> (these can: ${names})`,
    );
    return EXIT.USAGE;
  }
  const { t } = chosen[0]!;
  const logger = createLogger({ level: 'error', destination: process.stderr });
  const r = await t.resolved.plugin.query!(t.config, text, { baseDir: prepared.file.baseDir, logger });
  if (!r.ok) {
    printError(`qi query: ${t.where}: ${r.error.code}: ${r.error.message}`, prepared.secrets);
    return EXIT.RUNTIME;
  }
  const { columns, rows } = r.value;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.OK;
  }
  const table = [columns, ...rows.map((row) => columns.map((c) => cell(row[c])))];
  const widths = columns.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
  const fmt = (line: string[]) =>
    line
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  process.stdout.write(
    `${[fmt(columns), rule, ...table.slice(1).map(fmt)].join('\n')}\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`,
  );
  return EXIT.OK;
}
