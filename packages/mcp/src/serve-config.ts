import {
  BUILTIN_PLUGINS,
  CoreErrors,
  createHost,
  createLogger,
  createMetrics,
  err,
  instantiate,
  type Logger,
  ok,
  PLUGIN_API_VERSION,
  type QiError,
  type QiPlugin,
  qiError,
  type Result,
  resolvePackage,
  type Writer,
} from '@qi/core';
import type { McpExtension, McpServerExtras } from './extension';
import type { HttpHandle } from './http';
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

/**
 * The `mcpExtension` of "<target package>-mcp" installed next to the config:
 * found the way plugins are. Not installed: none (the publish tools only).
 */
async function findExtension(
  use: string,
  baseDir: string,
  where: string,
): Promise<Result<McpExtension<never> | undefined>> {
  const pkg = await resolvePackage(`${use}-mcp`, baseDir, where);
  if (!pkg.ok) return pkg.error.code === CoreErrors.PLUGIN_NOT_FOUND.code ? ok(undefined) : pkg;
  const mod = pkg.value.module as { mcpExtension?: McpExtension<never>; default?: typeof mod };
  const ext = mod.mcpExtension ?? mod.default?.mcpExtension;
  return ok(ext?.target === use ? ext : undefined);
}

/**
 * Serves one target of a qi config as an MCP server, on the host path `qi run`
 * takes: core's `prepareTarget` (the file, then only this target's plugin and
 * `with`) and `instantiate` (create, then `init()` with start retries). For
 * `qi mcp serve <pipeline>.<target>` and the -mcp packages' bins. Returns a
 * Result; config problems are QI_CONFIG errors that list every issue.
 */
export async function serveTargetFromConfig(opts: ServeTargetOptions = {}): Promise<Result<ServingTarget>> {
  const env = opts.env ?? process.env;
  const host = createHost({ plugins: [...BUILTIN_PLUGINS, ...(opts.plugin ? [opts.plugin] : [])], env });
  const only = opts.plugin?.name ?? opts.extension?.target;
  const prepared = await host.prepareTarget({
    ...(opts.configPath ? { configPath: opts.configPath } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.target ? { target: opts.target } : {}),
    ...(only ? { use: only } : {}),
  });
  if (!prepared.ok) return prepared;
  const { file, config, pipeline, target, secrets } = prepared.value;
  const instance = target.name;
  const use = target.resolved.packageName;
  const scrub = (s: string) => secrets.scrub(s);
  // vendor messages may quote a connection string back: scrubbed before a client or stderr sees them
  const scrubbed = (e: QiError) => qiError(e, scrub(e.message), { cause: e, context: e.context });

  const logger = opts.logger ?? createLogger({ level: config.logLevel, scrub });
  const abort = new AbortController();
  const started = await instantiate<Writer>(target, {
    pipeline,
    logger,
    metrics: createMetrics(),
    signal: abort.signal,
    baseDir: file.baseDir,
    startTimeoutMs: config.startTimeoutMs,
  });
  if (!started.ok) return err(scrubbed(started.error));
  const { instance: writer, ctx } = started.value;
  let extras: McpServerExtras | undefined;
  let extension = opts.extension;
  try {
    if (!extension) {
      const found = await findExtension(use, file.baseDir, target.where);
      if (!found.ok) throw found.error;
      extension = found.value;
    }
    extras = await extension?.extras(target.config as never, ctx, writer);
  } catch (e) {
    await writer.close();
    return err(
      qiError(
        CoreErrors.CONFIG,
        scrub(`cannot start ${use} for ${pipeline}.${instance}: ${(e as Error).message}`),
        {
          cause: e,
        },
      ),
    );
  }

  const server = createTargetMcpServer({
    name: extension?.serverName ?? `qi-${instance}`,
    version: extension?.version ?? PLUGIN_API_VERSION,
    writer,
    destination: extras?.destination ?? `${use} (${pipeline}.${instance})`,
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
    use,
    ...(http ? { url: http.url } : {}),
    server,
    closed,
    close,
  });
}
