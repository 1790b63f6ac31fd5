import { createRequire } from 'node:module';
import path from 'node:path';
import {
  BUILTIN_PLUGINS,
  CoreErrors,
  createHost,
  createLogger,
  createMetrics,
  err,
  interpolate,
  type Logger,
  loadConfigFile,
  ok,
  PLUGIN_API_VERSION,
  type PluginContext,
  parseWithSchema,
  type QiPlugin,
  qiConfigSchema,
  qiError,
  type Result,
  type TargetConfig,
  type Writer,
  type z,
} from '@qi/core';
import type { McpExtension, McpServerExtras } from './extension';
import type { HttpHandle } from './http';
import { secretsOf } from './secrets';
import { createTargetMcpServer, type TargetMcpServer } from './server';

export interface ServeTargetOptions {
  /** the qi config file (default: searched from cwd upwards, like `qi run`) */
  configPath?: string;
  cwd?: string;
  /** "<pipeline>.<target name>" (the name in logs: `name`, or the plugin name without "@qi/target-"); may be omitted when one target matches */
  target?: string;
  transport?: 'http' | 'stdio';
  port?: number;
  host?: string;
  path?: string;
  tokenEnv?: string;
  maxBodyBytes?: number;
  env?: NodeJS.ProcessEnv;
  /** the target plugin, when the caller ships it (the -mcp bins); otherwise resolved from the config's directory */
  plugin?: QiPlugin;
  /** extra tools; default: the `mcpExtension` export of "<target package>-mcp" when it is installed */
  extension?: McpExtension<never>;
  logger?: Logger;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

export interface ServingTarget {
  pipeline: string;
  /** target instance name */
  target: string;
  /** the plugin package behind it */
  use: string;
  /** the HTTP endpoint (http transport) */
  url?: string;
  server: TargetMcpServer;
  /** resolves when the server stops (stdio: the client closed stdin; http: close() was called) */
  closed: Promise<void>;
  /** stops serving, flushes and closes the writer */
  close(): Promise<void>;
}

const configError = (message: string, context: Record<string, unknown> = {}) =>
  qiError(CoreErrors.CONFIG, message, { context });

interface Candidate {
  pipeline: string;
  instance: string;
  where: string;
  ref: TargetConfig;
}

/** Instance names exactly as the host gives them. */
function candidatesOf(pipelines: Record<string, { targets: TargetConfig[] }>): Candidate[] {
  const out: Candidate[] = [];
  for (const [pipeline, p] of Object.entries(pipelines)) {
    const seen = new Set<string>();
    p.targets.forEach((t, i) => {
      let instance = t.name ?? t.use.replace(/^@qi\/target-/, '');
      if (seen.has(instance)) instance = `${instance}#${i}`;
      seen.add(instance);
      out.push({ pipeline, instance, where: `pipelines.${pipeline}.targets[${i}]`, ref: t });
    });
  }
  return out;
}

function pickTarget(
  all: Candidate[],
  target: string | undefined,
  use: string | undefined,
): Result<Candidate> {
  const list = all.map((c) => `${c.pipeline}.${c.instance} (${c.ref.use})`).join(', ');
  if (target) {
    const hit = all.filter((c) => `${c.pipeline}.${c.instance}` === target || c.instance === target);
    if (hit.length === 1) return ok(hit[0]!);
    return err(
      configError(
        hit.length
          ? `target "${target}" is ambiguous; name it as <pipeline>.<target>: ${list}`
          : `no target "${target}" in the config; targets: ${list}`,
      ),
    );
  }
  const hit = use ? all.filter((c) => c.ref.use === use) : all;
  if (hit.length === 1) return ok(hit[0]!);
  return err(
    configError(
      hit.length
        ? `several targets match; choose one with --target <pipeline>.<target>: ${list}`
        : `no target${use ? ` using ${use}` : ''} in the config; targets: ${list || 'none'}`,
    ),
  );
}

async function findExtension(use: string, baseDir: string): Promise<McpExtension<never> | undefined> {
  try {
    const req = createRequire(path.join(baseDir, 'noop.js'));
    const mod = (await import(req.resolve(`${use}-mcp`))) as { mcpExtension?: McpExtension<never> };
    const ext =
      mod.mcpExtension ?? (mod as { default?: { mcpExtension?: McpExtension<never> } }).default?.mcpExtension;
    return ext?.target === use ? ext : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves one target of a qi config as an MCP server: the same config, the
 * same plugin and validation as `qi run`. For `qi mcp serve <pipeline>.<target>`
 * and the -mcp packages' bins. Returns a Result; config problems are QI_CONFIG
 * errors that list every issue.
 */
export async function serveTargetFromConfig(opts: ServeTargetOptions = {}): Promise<Result<ServingTarget>> {
  const env = opts.env ?? process.env;
  const file = await loadConfigFile({
    ...(opts.configPath ? { configPath: opts.configPath } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  if (!file.ok) return file;
  const { baseDir, filepath } = file.value;
  const issues: Array<{ path: string; message: string }> = [];
  const interpolated = interpolate(file.value.raw, env, '', issues);
  const parsed = parseWithSchema(qiConfigSchema, interpolated);
  if (!parsed.ok) issues.push(...parsed.issues);
  if (issues.length || !parsed.ok)
    return err(
      configError(
        `invalid Qi config ${filepath}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
        { issues },
      ),
    );
  const config = parsed.value;

  const picked = pickTarget(
    candidatesOf(config.pipelines),
    opts.target,
    opts.plugin?.name ?? opts.extension?.target,
  );
  if (!picked.ok) return picked;
  const { pipeline, instance, where, ref } = picked.value;

  const host = createHost({ plugins: [...BUILTIN_PLUGINS, ...(opts.plugin ? [opts.plugin] : [])], env });
  const resolved = await host.resolve(ref.use, 'target', baseDir, where);
  if (!resolved.ok) return resolved;
  const plugin = resolved.value.plugin;
  const schema = plugin.configSchema as z.ZodType;
  const withParsed = parseWithSchema(schema, ref.with, `${where}.with`);
  if (!withParsed.ok)
    return err(
      configError(
        `invalid config for ${ref.use}:\n${withParsed.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      ),
    );
  const secrets = secretsOf(schema, withParsed.value);
  const scrub = (s: string) => secrets.scrub(s);

  const logger = opts.logger ?? createLogger({ level: config.logLevel, scrub });
  const abort = new AbortController();
  const ctx: PluginContext = {
    name: instance,
    pipeline,
    logger,
    metrics: createMetrics(),
    signal: abort.signal,
    apiVersion: PLUGIN_API_VERSION,
    baseDir,
  };
  let writer: Writer;
  let extras: McpServerExtras | undefined;
  let extension: McpExtension<never> | undefined;
  try {
    writer = (await plugin.create(withParsed.value as never, ctx)) as Writer;
    const init = await (writer as { init?: () => Promise<Result<void>> }).init?.();
    if (init && !init.ok) {
      await writer.close();
      return err(init.error);
    }
    extension = opts.extension ?? (await findExtension(ref.use, baseDir));
    extras = await extension?.extras(withParsed.value as never, ctx, writer);
  } catch (e) {
    return err(
      configError(scrub(`cannot start ${ref.use} for ${pipeline}.${instance}: ${(e as Error).message}`)),
    );
  }

  const server = createTargetMcpServer({
    name: extension?.serverName ?? `qi-${instance}`,
    version: extension?.version ?? PLUGIN_API_VERSION,
    writer,
    destination: extras?.destination ?? `${ref.use} (${pipeline}.${instance})`,
    extraTools: extras?.tools ?? [],
    ...(extras?.health ? { health: extras.health } : {}),
    onClose: async () => {
      abort.abort();
      await extras?.close?.();
    },
    scrub,
    logger,
  });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  const close = async () => {
    await server.close();
    resolveClosed();
  };
  let http: HttpHandle | undefined;
  try {
    if ((opts.transport ?? 'http') === 'stdio') {
      const stdio = await server.serveStdio({
        ...(opts.stdin ? { stdin: opts.stdin } : {}),
        ...(opts.stdout ? { stdout: opts.stdout } : {}),
        ...(opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {}),
      });
      void stdio.closed.then(close);
    } else {
      http = await server.serveHttp({
        ...(opts.host ? { host: opts.host } : {}),
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.path ? { path: opts.path } : {}),
        ...(opts.tokenEnv ? { tokenEnv: opts.tokenEnv } : {}),
        ...(opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {}),
        env,
      });
    }
  } catch (e) {
    await server.close();
    return err(
      qiError(
        (e as { code?: string }).code === 'QI_MCP_CONFIG' ? CoreErrors.CONFIG : CoreErrors.INTERNAL,
        scrub((e as Error).message),
        { cause: e },
      ),
    );
  }
  return ok({
    pipeline,
    target: instance,
    use: ref.use,
    ...(http ? { url: http.url } : {}),
    server,
    closed,
    close,
  });
}
