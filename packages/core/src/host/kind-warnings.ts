import type { PreparedPipeline } from './host';

/**
 * Where a target would be given kinds it cannot write (it would dead-letter them every
 * cycle): the source's `produces`, less the target's `kinds`, against the target's `accepts`.
 * Plugins that declare nothing are not second-guessed.
 */
export function kindWarnings(pipelines: PreparedPipeline[]): string[] {
  const out: string[] = [];
  for (const p of pipelines) {
    const declared = p.source.resolved.plugin.produces;
    const produces =
      typeof declared === 'function' ? declared(p.source.config as never) : (declared ?? undefined);
    for (const [i, t] of p.targets.entries()) {
      const accepts = t.resolved.plugin.accepts;
      if (!accepts) continue;
      const where = `pipelines.${p.name}.targets[${i}]`;
      const sent = t.kinds ?? produces;
      if (!sent) continue;
      const refused = sent.filter((k) => !accepts.includes(k));
      if (!refused.length) continue;
      const fix = `set ${where}.kinds: [${accepts.filter((k) => !produces || produces.includes(k)).join(', ')}]`;
      out.push(
        t.kinds
          ? `${where}.kinds: ${t.resolved.packageName} cannot write ${refused.join(', ')} (it writes ${accepts.join(', ')})`
          : `${where}: ${t.resolved.packageName} cannot write ${refused.join(', ')}, which ${p.source.resolved.packageName} produces; ${fix}`,
      );
    }
  }
  return out;
}
