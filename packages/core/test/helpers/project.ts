import { type SpawnOptions, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../../../..');
export const QI_BIN = path.join(REPO, 'packages/core/bin/qi.cjs');

/** A throwaway user project OUTSIDE the workspace, with @qi/core linked into its node_modules. */
export function makeProject(
  files: Record<string, string>,
  opts: { linkCore?: boolean } = {},
): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qi-project-'));
  if (opts.linkCore !== false) {
    mkdirSync(path.join(dir, 'node_modules/@qi'), { recursive: true });
    symlinkSync(path.join(REPO, 'packages/core'), path.join(dir, 'node_modules/@qi/core'), 'dir');
  }
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built qi CLI with the project's Node. */
export function runQi(
  args: string[],
  opts: SpawnOptions & { input?: string } = {},
): Promise<Ran> & { child: ReturnType<typeof spawn> } {
  return runCommand(process.execPath, [QI_BIN, ...args], opts);
}

/** Runs a command, collecting its output. */
export function runCommand(
  command: string,
  args: string[],
  opts: SpawnOptions & { input?: string } = {},
): Promise<Ran> & { child: ReturnType<typeof spawn> } {
  const child = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...opts,
    env: { ...process.env, ...opts.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  else child.stdin!.end();
  const done = new Promise<Ran>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return Object.assign(done, { child });
}

/** A CommonJS plugin package, as a stranger would publish it, written against @qi/core's public API. */
export function pluginPackage(
  name: string,
  body: string,
  extra: Record<string, unknown> = {},
): Record<string, string> {
  return {
    [`node_modules/${name}/package.json`]: JSON.stringify({
      name,
      version: '1.2.3',
      main: 'index.js',
      ...extra,
    }),
    [`node_modules/${name}/index.js`]: body,
  };
}
