import type { TargetConfig } from './config-schema';
import type { ConfigIssue } from './validate';

interface Ref {
  use: string;
  with: Record<string, unknown>;
}
type LooseTarget = Ref & { name?: string; required?: boolean; onError?: TargetConfig['onError'] };

/** The pipeline parts whose plugins can be checked; a valid config has this shape too. */
export interface LoosePipeline {
  source?: Ref;
  /** a target too malformed to check is `undefined`, so indexes stay those of the config */
  targets: Array<LooseTarget | undefined>;
  deadLetter?: Ref;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function ref(v: unknown): Ref | undefined {
  if (!isObject(v) || typeof v.use !== 'string' || v.use === '') return undefined;
  if (v.with !== undefined && !isObject(v.with)) return undefined;
  return { use: v.use, with: (v.with as Record<string, unknown> | undefined) ?? {} };
}

/**
 * The pipelines of a config that failed the host-level schema, as far as they can
 * be read: every well-formed `use`/`with` is kept so its plugin is still checked.
 * Malformed parts are left out (the host-level issues already name them).
 */
export function loosePipelines(raw: unknown): Record<string, LoosePipeline> {
  const pipelines = isObject(raw) ? raw.pipelines : undefined;
  if (!isObject(pipelines)) return {};
  const out: Record<string, LoosePipeline> = {};
  for (const [name, p] of Object.entries(pipelines)) {
    if (!isObject(p)) continue;
    const targets = Array.isArray(p.targets) ? p.targets : [];
    out[name] = {
      source: ref(p.source),
      targets: targets.map((t) => {
        const r = ref(t);
        if (!r) return undefined;
        const n = (t as { name?: unknown }).name;
        return typeof n === 'string' && n ? { ...r, name: n } : r;
      }),
      deadLetter: ref(p.deadLetter),
    };
  }
  return out;
}

/**
 * A variable that is not set leaves an empty string behind, which the schemas then
 * refuse too; that second issue at the same path only repeats the first, so it goes.
 */
export function withoutEnvEchoes(issues: ConfigIssue[], envIssues: ConfigIssue[]): ConfigIssue[] {
  if (envIssues.length === 0) return issues;
  const covered = (p: string) =>
    envIssues.some((e) => p === e.path || p.startsWith(`${e.path}.`) || p.startsWith(`${e.path}[`));
  return issues.filter((i) => !covered(i.path));
}
