import type { CheckResult } from '../plugin';
import type { SecretRegistry } from './secrets';
import type { ConfigIssue } from './validate';

export interface CheckedUse {
  where: string;
  resolved: { packageName: string; plugin: { check?: (config: never, ctx: never) => unknown } };
  config: unknown;
}

/** Static checks take no time; a connection gets this long before it counts as unreachable. */
export const CHECK_TIMEOUT_MS = { static: 5_000, connect: 15_000 };

/**
 * Runs a plugin's optional `check`, never throwing and never hanging: a check that throws or
 * outlives its time is itself a result with the problem, so one bad plugin cannot stop the rest.
 */
export async function runCheck(
  use: CheckedUse,
  opts: { baseDir: string; connect: boolean; timeoutMs?: number; secrets?: SecretRegistry },
): Promise<CheckResult[]> {
  const check = use.resolved.plugin.check as
    | ((config: unknown, ctx: unknown) => Promise<CheckResult[]> | CheckResult[])
    | undefined;
  if (!check) return [];
  const timeoutMs = opts.timeoutMs ?? (opts.connect ? CHECK_TIMEOUT_MS.connect : CHECK_TIMEOUT_MS.static);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<CheckResult[]>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('check timed out'));
      resolve([
        {
          what: use.resolved.packageName,
          problem: `no answer within ${timeoutMs / 1000} s`,
        },
      ]);
    }, timeoutMs);
  });
  try {
    const results = await Promise.race([
      Promise.resolve(
        check(use.config, { baseDir: opts.baseDir, connect: opts.connect, signal: controller.signal }),
      ),
      timedOut,
    ]);
    return scrubbed(results, opts.secrets);
  } catch (e) {
    return scrubbed(
      [{ what: use.resolved.packageName, problem: `its check failed: ${(e as Error).message}` }],
      opts.secrets,
    );
  } finally {
    clearTimeout(timer);
  }
}

// a plugin may quote what it was given: secrets never reach the report
function scrubbed(results: CheckResult[], secrets: SecretRegistry | undefined): CheckResult[] {
  if (!secrets) return results;
  return results.map((r) => ({
    ...r,
    what: secrets.scrub(r.what),
    ...(r.problem === undefined ? {} : { problem: secrets.scrub(r.problem) }),
  }));
}

/** The problems of checks as config issues: `<where>.with.<field>: <problem>`. */
export function issuesOf(where: string, results: CheckResult[]): ConfigIssue[] {
  return results
    .filter((r) => r.problem !== undefined)
    .map((r) => ({
      path: r.field ? `${where}.with.${r.field}` : where,
      message: r.field ? r.problem! : `${r.what}: ${r.problem}`,
    }));
}
