import { BUILTIN_PLUGINS } from '../builtins/index';
import { configIssues, createHost, type PreparedConfig } from '../host/host';
import { SecretRegistry } from '../host/secrets';

export const EXIT = { OK: 0, RUNTIME: 1, USAGE: 2 } as const;

export interface GlobalOpts {
  config?: string;
  logLevel?: string;
}

/** Errors to stderr, scrubbed of secrets. */
export function printError(message: string, secrets?: SecretRegistry): void {
  process.stderr.write(`${(secrets ?? new SecretRegistry()).scrub(message)}\n`);
}

/** Loads and validates everything; on failure prints every issue and returns undefined (exit 2). */
export async function prepareOrReport(
  opts: GlobalOpts,
  only?: string[],
): Promise<PreparedConfig | undefined> {
  const host = createHost({ plugins: BUILTIN_PLUGINS });
  const r = await host.prepare({ configPath: opts.config, only });
  if (r.ok) return r.value;
  const file = r.error.context.filepath;
  const where = typeof file === 'string' ? ` ${file}` : '';
  printError(
    `qi: invalid config${where}\n${configIssues(r.error)
      .map((i) => `  ✖ ${i.path ? `${i.path}: ` : ''}${i.message}`)
      .join('\n')}`,
  );
  return undefined;
}
