import { isSchemaPlanner, type SchemaChange, type SchemaPlanner } from '../contracts/schema-plan';
import type { PluginUse } from '../host/host';
import { createLogger, type LogLevel } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { PLUGIN_API_VERSION } from '../plugin';
import { EXIT, type GlobalOpts, prepareOrReport, printError } from './context';

export interface SchemaPlanOpts extends GlobalOpts {
  json?: boolean;
}

interface Planned {
  where: string;
  plugin: string;
  changes: SchemaChange[];
}

/**
 * `qi schema plan|apply [pipeline...]`: every target of the config whose
 * instance is a SchemaPlanner says what applying the current DSL would change.
 * A change that is not ok (incompatible) fails the whole command with exit 2
 * and nothing is applied anywhere; an unreachable service is exit 1.
 */
export async function schemaPlanCommand(
  mode: 'plan' | 'apply',
  names: string[],
  opts: SchemaPlanOpts,
): Promise<number> {
  const prepared = await prepareOrReport(opts, names.length ? names : undefined);
  if (!prepared) return EXIT.USAGE;
  const logger = createLogger({
    level: (opts.logLevel ?? 'warn') as LogLevel,
    scrub: (line) => prepared.secrets.scrub(line),
  });
  const metrics = createMetrics();
  const signal = new AbortController().signal;
  const planners: Array<{ use: PluginUse; planner: SchemaPlanner & { close?(): Promise<unknown> } }> = [];
  const fail = (message: string, code: number) => {
    printError(message, prepared.secrets);
    return code;
  };
  try {
    for (const p of prepared.pipelines)
      for (const use of p.targets) {
        const instance = await use.resolved.plugin.create(use.config as never, {
          name: use.name,
          pipeline: p.name,
          logger: logger.child({ pipeline: p.name, plugin: use.resolved.packageName }),
          metrics,
          signal,
          apiVersion: PLUGIN_API_VERSION,
          baseDir: prepared.file.baseDir,
        });
        if (isSchemaPlanner(instance)) planners.push({ use, planner: instance as never });
        else await (instance as { close?(): Promise<unknown> }).close?.();
      }
    if (planners.length === 0) {
      process.stdout.write('qi schema: no target in this config plans schema changes\n');
      return EXIT.OK;
    }
    const plans: Planned[] = [];
    for (const { use, planner } of planners) {
      const r = await planner.planSchema();
      if (!r.ok)
        return fail(
          `qi schema ${mode}: ${use.where} (${use.resolved.packageName}): ${r.error.message}`,
          EXIT.RUNTIME,
        );
      plans.push({ where: use.where, plugin: use.resolved.packageName, changes: r.value });
    }
    const refused = plans.flatMap((p) =>
      p.changes.filter((c) => !c.ok).map((c) => ({ ...c, where: p.where })),
    );
    if (mode === 'apply' && refused.length === 0) {
      for (let i = 0; i < planners.length; i++) {
        const { use, planner } = planners[i]!;
        const r = await planner.applySchema();
        if (!r.ok)
          return fail(
            `qi schema apply: ${use.where} (${use.resolved.packageName}): ${r.error.message}`,
            EXIT.RUNTIME,
          );
        plans[i]!.changes = r.value;
      }
    }
    print(plans, mode, refused.length, opts.json);
    if (refused.length) {
      for (const c of refused)
        printError(`qi schema ${mode}: ${c.where}: ${c.target}: ${c.reason ?? c.action}`, prepared.secrets);
      return EXIT.USAGE;
    }
    return EXIT.OK;
  } finally {
    for (const { planner } of planners) await planner.close?.().catch(() => undefined);
  }
}

function print(plans: Planned[], mode: 'plan' | 'apply', refused: number, json?: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ mode, ok: refused === 0, targets: plans }, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  let total = 0;
  for (const p of plans) {
    lines.push(`${p.where} (${p.plugin})`);
    if (p.changes.length === 0) lines.push('  no changes');
    for (const c of p.changes) {
      total++;
      const mark = c.ok ? (mode === 'apply' ? '✓' : '+') : '✖';
      lines.push(`  ${mark} ${c.area.padEnd(8)} ${c.target}: ${c.action}${c.reason ? ` (${c.reason})` : ''}`);
    }
  }
  const verb = mode === 'apply' && refused === 0 ? 'applied' : 'to apply';
  lines.push(
    refused ? `${refused} of ${total} change(s) refused: nothing applied` : `${total} change(s) ${verb}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
