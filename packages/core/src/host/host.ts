import path from 'node:path';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { RecordKind } from '../dsl/records';
import { CoreErrors, type QiError, qiError } from '../errors';
import { type CheckResult, PLUGIN_API_VERSION, type PluginKind, type QiPlugin } from '../plugin';
import { issuesOf, runCheck } from './checks';
import { type PipelineConfig, type QiConfig, qiConfigSchema, type TargetConfig } from './config-schema';
import { interpolate } from './interpolate';
import { type LoadedConfig, loadConfigFile } from './load-config';
import { loosePipelines, withoutEnvEchoes } from './loose-config';
import { checkPlugin, type ResolvedPlugin, resolvePlugin } from './resolve-plugin';
import { collectSecrets, SecretRegistry } from './secrets';
import { type ConfigIssue, parseWithSchema } from './validate';

export interface PluginUse {
  /** config path of this use, e.g. "pipelines.prices.targets[1]" */
  where: string;
  name: string;
  resolved: ResolvedPlugin;
  config: unknown;
  /** what the plugin's static `check` looked at (all passed) */
  checks?: CheckResult[];
}

export interface PreparedPipeline {
  name: string;
  config: PipelineConfig;
  source: PluginUse;
  targets: Array<
    PluginUse & {
      required: boolean;
      onError: TargetConfig['onError'];
      /** only these kinds go to the target (all when absent) */
      kinds?: RecordKind[];
    }
  >;
  deadLetter: PluginUse | undefined;
}

export interface PreparedConfig {
  file: LoadedConfig;
  config: QiConfig;
  pipelines: PreparedPipeline[];
  secrets: SecretRegistry;
  plugins: ResolvedPlugin[];
}

export interface HostOptions {
  /** plugins available without installing, matched by their `name` against `use` (built-ins, tests) */
  plugins?: QiPlugin[];
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

export class ConfigError extends Error {
  constructor(
    readonly issues: ConfigIssue[],
    readonly filepath?: string,
  ) {
    super(
      `invalid Qi config${filepath ? ` ${filepath}` : ''}:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** A host: an instance, so tests inject the plugins they need. */
export function createHost(opts: HostOptions = {}) {
  const injected = opts.plugins ?? [];
  const env = opts.env ?? process.env;

  async function resolve(use: string, kind: PluginKind, baseDir: string, where: string) {
    const builtin =
      injected.find((p) => p.name === use && p.kind === kind) ?? injected.find((p) => p.name === use);
    if (builtin) {
      const checked = checkPlugin(builtin, use, kind, where);
      if (!checked.ok) return checked;
      return {
        ok: true as const,
        value: { plugin: checked.value, packageName: use, version: PLUGIN_API_VERSION, location: 'built-in' },
      };
    }
    return resolvePlugin(use, kind, baseDir, where);
  }

  /**
   * Load, interpolate and validate the whole config, resolving every plugin and
   * validating each plugin's `with` by its own schema. Collects every problem
   * before reporting, so one run of `qi validate` shows them all.
   */
  async function prepare(
    load: { configPath?: string; cwd?: string; only?: string[] } = {},
  ): Promise<
    | { ok: true; value: PreparedConfig }
    | { ok: false; issues: ConfigIssue[]; error?: QiError; filepath?: string }
  > {
    const file = await loadConfigFile(load);
    if (!file.ok)
      return { ok: false, issues: [{ path: '', message: file.error.message }], error: file.error };
    const envIssues: ConfigIssue[] = [];
    const interpolated = interpolate(file.value.raw, env, '', envIssues);
    const issues: ConfigIssue[] = [];
    // host-level problems do not hide plugin-level ones: the plugins of every pipeline
    // that is shaped well enough are still resolved and their `with` checked, so one
    // `qi validate` shows everything
    const parsed = parseWithSchema(qiConfigSchema, interpolated);
    if (!parsed.ok) issues.push(...parsed.issues);
    const declared = parsed.ok ? parsed.value.pipelines : loosePipelines(interpolated);
    const baseDir = file.value.baseDir;
    const secrets = new SecretRegistry();
    const pipelines: PreparedPipeline[] = [];
    const plugins = new Map<string, ResolvedPlugin>();

    const prepareUse = async (
      ref: { use: string; with: Record<string, unknown> },
      kind: PluginKind,
      where: string,
      instance: string,
    ): Promise<PluginUse | undefined> => {
      const r = await resolve(ref.use, kind, baseDir, where);
      if (!r.ok) {
        issues.push({ path: `${where}.use`, message: r.error.message.replace(`${where}: `, '') });
        return undefined;
      }
      plugins.set(r.value.packageName, r.value);
      const schema = r.value.plugin.configSchema as z.ZodType;
      const c = parseWithSchema(schema, ref.with, `${where}.with`);
      if (!c.ok) {
        issues.push(...c.issues);
        return undefined;
      }
      collectSecrets(schema, c.value, secrets);
      const use = { where, name: instance, resolved: r.value, config: c.value };
      // static checks (a file exists, a client library is installed): what `qi run` would fail on
      const checks = await runCheck(use, { baseDir, connect: false, secrets });
      const problems = issuesOf(where, checks);
      if (problems.length) {
        issues.push(...problems);
        return undefined;
      }
      return { ...use, checks };
    };

    const names = load.only?.length ? load.only : Object.keys(declared);
    for (const name of names) {
      const p = declared[name];
      if (!p) {
        issues.push({
          path: `pipelines.${name}`,
          message: `no such pipeline; declared: ${Object.keys(declared).join(', ')}`,
        });
        continue;
      }
      const source = p.source
        ? await prepareUse(p.source, 'source', `pipelines.${name}.source`, 'source')
        : undefined;
      const targets: PreparedPipeline['targets'] = [];
      const seen = new Set<string>();
      for (const [i, t] of p.targets.entries()) {
        if (!t) continue;
        let instance = t.name ?? t.use.replace(/^@qi\/target-/, '');
        if (seen.has(instance)) instance = `${instance}#${i}`;
        seen.add(instance);
        const u = await prepareUse(t, 'target', `pipelines.${name}.targets[${i}]`, instance);
        const kinds = parsed.ok ? parsed.value.pipelines[name]?.targets[i]?.kinds : undefined;
        if (u) targets.push({ ...u, required: t.required ?? true, onError: t.onError ?? 'fail', kinds });
      }
      const deadLetter = p.deadLetter
        ? await prepareUse(p.deadLetter, 'target', `pipelines.${name}.deadLetter`, 'dead-letter')
        : undefined;
      if (parsed.ok && source && targets.length === p.targets.length)
        pipelines.push({ name, config: parsed.value.pipelines[name]!, source, targets, deadLetter });
    }
    const all = [...envIssues, ...withoutEnvEchoes(issues, envIssues)];
    if (all.length || !parsed.ok) return { ok: false, issues: all, filepath: file.value.filepath };
    return {
      ok: true,
      value: { file: file.value, config: parsed.value, pipelines, secrets, plugins: [...plugins.values()] },
    };
  }

  return { prepare, resolve };
}

export type Host = ReturnType<typeof createHost>;

export function configErrorFrom(r: { issues: ConfigIssue[]; filepath?: string }): ConfigError {
  return new ConfigError(r.issues, r.filepath);
}

export function dataDirOf(prepared: PreparedConfig): string {
  return path.resolve(prepared.file.baseDir, prepared.config.dataDir);
}

export const notConfigError = (message: string) => qiError(CoreErrors.CONFIG, message);
