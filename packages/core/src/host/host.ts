import path from 'node:path';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { RecordKind } from '../dsl/records';
import { CoreErrors, type QiError, qiError } from '../errors';
import { type CheckResult, PLUGIN_API_VERSION, type PluginKind, type QiPlugin } from '../plugin';
import { err, ok, type Result } from '../result';
import { issuesOf, runCheck } from './checks';
import { type PipelineConfig, type QiConfig, qiConfigSchema, type TargetConfig } from './config-schema';
import { interpolate } from './interpolate';
import { type LoadedConfig, loadConfigFile } from './load-config';
import { loosePipelines, withoutEnvEchoes } from './loose-config';
import { instanceNames, pickTarget, targetChoices } from './pick-target';
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

export interface PreparedTarget {
  file: LoadedConfig;
  config: QiConfig;
  pipeline: string;
  target: PreparedPipeline['targets'][number];
  secrets: SecretRegistry;
}

/** Issues of a failed `prepare`: each `path: message`, every one of them. */
export function configIssues(error: QiError): ConfigIssue[] {
  const issues = error.context.issues;
  return Array.isArray(issues) ? (issues as ConfigIssue[]) : [{ path: '', message: error.message }];
}

const invalidConfig = (issues: ConfigIssue[], filepath: string) =>
  qiError(
    CoreErrors.CONFIG,
    `invalid Qi config ${filepath}:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
    { context: { issues, filepath } },
  );

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

  interface Scope {
    baseDir: string;
    secrets: SecretRegistry;
    issues: ConfigIssue[];
    plugins?: Map<string, ResolvedPlugin>;
  }

  /** One use: its plugin resolved, its `with` parsed by the plugin's own schema, its static checks run. */
  async function prepareUse(
    ref: { use: string; with: Record<string, unknown> },
    kind: PluginKind,
    where: string,
    instance: string,
    { baseDir, secrets, issues, plugins }: Scope,
  ): Promise<PluginUse | undefined> {
    const r = await resolve(ref.use, kind, baseDir, where);
    if (!r.ok) {
      issues.push({ path: `${where}.use`, message: r.error.message.replace(`${where}: `, '') });
      return undefined;
    }
    plugins?.set(r.value.packageName, r.value);
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
  }

  async function read(load: { configPath?: string; cwd?: string }) {
    const file = await loadConfigFile(load);
    if (!file.ok) return file;
    const envIssues: ConfigIssue[] = [];
    const interpolated = interpolate(file.value.raw, env, '', envIssues);
    return ok({ file: file.value, interpolated, envIssues });
  }

  /**
   * Load, interpolate and validate the whole config, resolving every plugin and
   * validating each plugin's `with` by its own schema. Collects every problem
   * before reporting, so one run of `qi validate` shows them all: a QI_CONFIG
   * error whose issues `configIssues` lists.
   */
  async function prepare(
    load: { configPath?: string; cwd?: string; only?: string[] } = {},
  ): Promise<Result<PreparedConfig>> {
    const r = await read(load);
    if (!r.ok) return r;
    const { file, interpolated, envIssues } = r.value;
    const issues: ConfigIssue[] = [];
    // host-level problems do not hide plugin-level ones: the plugins of every pipeline
    // that is shaped well enough are still resolved and their `with` checked, so one
    // `qi validate` shows everything
    const parsed = parseWithSchema(qiConfigSchema, interpolated);
    if (!parsed.ok) issues.push(...parsed.issues);
    const declared = parsed.ok ? parsed.value.pipelines : loosePipelines(interpolated);
    const plugins = new Map<string, ResolvedPlugin>();
    const scope: Scope = { baseDir: file.baseDir, secrets: new SecretRegistry(), issues, plugins };
    const pipelines: PreparedPipeline[] = [];

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
        ? await prepareUse(p.source, 'source', `pipelines.${name}.source`, 'source', scope)
        : undefined;
      const targets: PreparedPipeline['targets'] = [];
      const instances = instanceNames(p.targets);
      for (const [i, t] of p.targets.entries()) {
        if (!t) continue;
        const u = await prepareUse(t, 'target', `pipelines.${name}.targets[${i}]`, instances[i]!, scope);
        const kinds = parsed.ok ? parsed.value.pipelines[name]?.targets[i]?.kinds : undefined;
        if (u) targets.push({ ...u, required: t.required ?? true, onError: t.onError ?? 'fail', kinds });
      }
      const deadLetter = p.deadLetter
        ? await prepareUse(p.deadLetter, 'target', `pipelines.${name}.deadLetter`, 'dead-letter', scope)
        : undefined;
      if (parsed.ok && source && targets.length === p.targets.length)
        pipelines.push({ name, config: parsed.value.pipelines[name]!, source, targets, deadLetter });
    }
    const all = [...envIssues, ...withoutEnvEchoes(issues, envIssues)];
    if (all.length || !parsed.ok) return err(invalidConfig(all, file.filepath));
    return ok({
      file,
      config: parsed.value,
      pipelines,
      secrets: scope.secrets,
      plugins: [...plugins.values()],
    });
  }

  /**
   * One target of the config, for serving it on its own (`qi mcp serve`): the file
   * validated as for `qi run`, then only that target's plugin resolved and its
   * `with` validated. `target` is "<pipeline>.<target>"; without it the config must
   * have exactly one target (of plugin `use`, when given).
   */
  async function prepareTarget(
    load: { configPath?: string; cwd?: string; target?: string; use?: string } = {},
  ): Promise<Result<PreparedTarget>> {
    const r = await read(load);
    if (!r.ok) return r;
    const { file, interpolated, envIssues } = r.value;
    const parsed = parseWithSchema(qiConfigSchema, interpolated);
    const hostIssues = [...envIssues, ...(parsed.ok ? [] : withoutEnvEchoes(parsed.issues, envIssues))];
    if (hostIssues.length || !parsed.ok) return err(invalidConfig(hostIssues, file.filepath));
    const picked = pickTarget(targetChoices(parsed.value.pipelines), load.target, load.use);
    if (!picked.ok) return picked;
    const { pipeline, instance, index } = picked.value;
    const t = parsed.value.pipelines[pipeline]!.targets[index]!;
    const scope: Scope = { baseDir: file.baseDir, secrets: new SecretRegistry(), issues: [] };
    const u = await prepareUse(t, 'target', `pipelines.${pipeline}.targets[${index}]`, instance, scope);
    if (!u) return err(invalidConfig(scope.issues, file.filepath));
    const target = { ...u, required: t.required, onError: t.onError, ...(t.kinds ? { kinds: t.kinds } : {}) };
    return ok({ file, config: parsed.value, pipeline, target, secrets: scope.secrets });
  }

  return { prepare, prepareTarget, resolve };
}

export type Host = ReturnType<typeof createHost>;

export function dataDirOf(prepared: PreparedConfig): string {
  return path.resolve(prepared.file.baseDir, prepared.config.dataDir);
}
