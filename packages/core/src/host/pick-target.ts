import { CoreErrors, qiError } from '../errors';
import { err, ok, type Result } from '../result';

interface NamedTarget {
  use: string;
  name?: string;
}

/**
 * Instance names of one pipeline's targets, as logs, metrics and `<pipeline>.<target>`
 * selectors know them: `name`, or the plugin name without "@qi/target-", with `#index`
 * added to a repeated one.
 */
export function instanceNames(targets: ReadonlyArray<NamedTarget | undefined>): Array<string | undefined> {
  const seen = new Set<string>();
  return targets.map((t, i) => {
    if (!t) return undefined;
    let instance = t.name ?? t.use.replace(/^@qi\/target-/, '');
    if (seen.has(instance)) instance = `${instance}#${i}`;
    seen.add(instance);
    return instance;
  });
}

export interface TargetChoice {
  pipeline: string;
  instance: string;
  index: number;
  use: string;
}

/** Every target of a config, by pipeline then position. */
export function targetChoices(pipelines: Record<string, { targets: NamedTarget[] }>): TargetChoice[] {
  return Object.entries(pipelines).flatMap(([pipeline, p]) =>
    instanceNames(p.targets).map((instance, index) => ({
      pipeline,
      instance: instance!,
      index,
      use: p.targets[index]!.use,
    })),
  );
}

const configError = (message: string, targets: string[]) =>
  qiError(CoreErrors.CONFIG, message, { context: { targets } });

/**
 * One target, chosen by `<pipeline>.<target>` (or `<target>` alone when no other
 * pipeline has one of that name), or, without a name, the only target (of plugin
 * `use`, when given). Pipeline names may hold dots, so the whole selector is compared.
 */
export function pickTarget(
  all: TargetChoice[],
  selector: string | undefined,
  use: string | undefined,
): Result<TargetChoice> {
  const names = all.map((c) => `${c.pipeline}.${c.instance} (${c.use})`);
  const list = names.join(', ');
  if (selector) {
    const hit = all.filter((c) => `${c.pipeline}.${c.instance}` === selector || c.instance === selector);
    if (hit.length === 1) return ok(hit[0]!);
    return err(
      configError(
        hit.length
          ? `target "${selector}" is ambiguous; name it as <pipeline>.<target>: ${list}`
          : `no target "${selector}" in the config; targets: ${list}`,
        names,
      ),
    );
  }
  const hit = use ? all.filter((c) => c.use === use) : all;
  if (hit.length === 1) return ok(hit[0]!);
  return err(
    configError(
      hit.length
        ? `several targets match; choose one as <pipeline>.<target> (--target): ${list}`
        : `no target${use ? ` using ${use}` : ''} in the config; targets: ${list || 'none'}`,
      names,
    ),
  );
}
