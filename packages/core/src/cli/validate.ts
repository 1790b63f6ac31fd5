import { runCheck } from '../host/checks';
import type { PluginUse } from '../host/host';
import { kindWarnings } from '../host/kind-warnings';
import { redactValue } from '../host/secrets';
import type { CheckResult } from '../plugin';
import { EXIT, type GlobalOpts, prepareOrReport, printError } from './context';

const mark = (r: CheckResult) => (r.problem === undefined ? '✔' : '✖');
const line = (where: string, r: CheckResult) =>
  `    ${mark(r)} ${where}: ${r.what}${r.problem === undefined ? '' : ` — ${r.problem}`}`;

/**
 * qi validate: the config, every plugin in it and their static checks (exit 2 on a problem);
 * with --connect, every database and broker too (exit 1 naming the one that cannot be reached).
 */
export async function validateCommand(
  opts: GlobalOpts & { print?: boolean; connect?: boolean },
): Promise<number> {
  const prepared = await prepareOrReport(opts);
  if (!prepared) return EXIT.USAGE;
  const lines = prepared.pipelines.map(
    (p) =>
      `  ✔ ${p.name}: ${p.source.resolved.packageName} → ${p.targets.map((t) => `${t.name} (${t.resolved.packageName})`).join(', ')}`,
  );
  const uses: PluginUse[] = prepared.pipelines.flatMap((p) => [
    p.source,
    ...p.targets,
    ...(p.deadLetter ? [p.deadLetter] : []),
  ]);
  // with --connect a plugin's check runs again, static parts included: its answer replaces the first
  const checked = opts.connect ? [] : uses.flatMap((u) => (u.checks ?? []).map((r) => line(u.where, r)));
  const failed: Array<{ where: string; result: CheckResult }> = [];
  if (opts.connect) {
    const baseDir = prepared.file.baseDir;
    const results = await Promise.all(
      uses.map(async (u) => ({
        u,
        results: await runCheck(u, { baseDir, connect: true, secrets: prepared.secrets }),
      })),
    );
    for (const { u, results: rs } of results) {
      checked.push(...rs.map((r) => line(u.where, r)));
      failed.push(...rs.filter((r) => r.problem !== undefined).map((result) => ({ where: u.where, result })));
    }
    const unchecked = uses.filter((u) => !u.resolved.plugin.check).map((u) => u.where);
    if (unchecked.length) checked.push(`    - not checked (no check in the plugin): ${unchecked.join(', ')}`);
  }
  const verdict = failed.length
    ? `config ${prepared.file.filepath} is valid, but ${failed.length} check(s) failed`
    : `config ${prepared.file.filepath} is valid`;
  const warnings = kindWarnings(prepared.pipelines).map((w) => `  ⚠ ${w}`);
  const out = [verdict, ...lines, ...warnings, ...(checked.length ? ['  checked:', ...checked] : [])];
  process.stdout.write(`${prepared.secrets.scrub(out.join('\n'))}\n`);
  if (opts.print) {
    const shown = prepared.pipelines.map((p) => ({
      name: p.name,
      source: p.source.config,
      targets: p.targets.map((t) => ({ name: t.name, config: t.config })),
    }));
    process.stdout.write(`${JSON.stringify(redactValue(shown, prepared.secrets), null, 2)}\n`);
  }
  if (failed.length) {
    printError(
      `qi validate --connect:\n${failed.map((f) => `  ✖ ${f.where}: ${f.result.what}: ${f.result.problem}`).join('\n')}`,
      prepared.secrets,
    );
    // a wrong value found only by connecting (bad credentials) is still reported, as a runtime failure
    return EXIT.RUNTIME;
  }
  return EXIT.OK;
}
