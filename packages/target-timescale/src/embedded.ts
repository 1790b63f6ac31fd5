import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { qiError } from '@qi/core';
import { TimescaleErrors } from './errors';

/**
 * The embedded default: PGlite (PostgreSQL compiled to WASM) stored in a folder,
 * served on a loopback port with pglite-socket so the writer uses the very same
 * pg-promise code as against a real server. PGlite runs one query at a time and
 * the writer's pool has exactly one connection; the socket serves a few more (queued
 * query by query), so the data can be looked at with psql while the pipeline runs.
 *
 * A lock file refuses a second process on the same folder: two PGlite
 * instances on one folder would corrupt it (client.ts shares one instance
 * between the targets of one process).
 */
export interface EmbeddedServer {
  dataDir: string;
  host: string;
  port: number;
  /** true when this start created the cluster (first run in the folder) */
  created: boolean;
  /** stops the socket server, closes PGlite (checkpoint) and drops the lock */
  stop(): Promise<void>;
}
const LOCK = 'qi-embedded.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function takeLock(dataDir: string): Promise<void> {
  const file = join(dataDir, LOCK);
  const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
    throw qiError(
      TimescaleErrors.EMBEDDED,
      `embedded database folder ${dataDir} is in use by process ${owner}; stop it, or give this target another embedded.dataDir or a connectionString`,
      {
        context: { dataDir, pid: owner },
      },
    );
  }
  await writeFile(file, String(process.pid));
}

/**
 * Connections the socket serves: the writer's one, and a few for people looking at the data
 * (psql) while the pipeline runs. pglite-socket queues their queries onto PGlite one at a time.
 */
const MAX_CONNECTIONS = 4;

/** Starts PGlite on a data folder (an absolute path) behind a loopback socket (never another interface). */
export async function startEmbedded(dataDir: string, listenPort = 0): Promise<EmbeddedServer> {
  await mkdir(dataDir, { recursive: true });
  await takeLock(dataDir);
  const created = !(await readFile(join(dataDir, 'PG_VERSION'), 'utf8').then(
    () => true,
    () => false,
  ));
  // Loaded on demand: users with a real server never pay for the WASM module.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  let db: InstanceType<typeof PGlite>;
  try {
    db = await PGlite.create({ dataDir });
  } catch (e) {
    await rm(join(dataDir, LOCK), { force: true });
    throw qiError(
      TimescaleErrors.EMBEDDED,
      `cannot open the embedded database in ${dataDir}: ${(e as Error).message}`,
      { cause: e, context: { dataDir } },
    );
  }
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: listenPort,
    maxConnections: MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (e) {
    await db.close().catch(() => {});
    await rm(join(dataDir, LOCK), { force: true });
    throw qiError(
      TimescaleErrors.EMBEDDED,
      `cannot serve the embedded database on 127.0.0.1:${listenPort}: ${(e as Error).message}${listenPort ? ' (set embedded.port to a free port, or 0)' : ''}`,
      { cause: e },
    );
  }
  const [host = '127.0.0.1', port = '0'] = server.getServerConn().split(':');
  const stop = async () => {
    // let the client's socket close be seen first, so no handler touches PGlite after close
    for (let i = 0; i < 100 && server.getStats().activeConnections > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    await server.stop();
    await db.close();
    await rm(join(dataDir, LOCK), { force: true });
  };
  return { dataDir, host, port: Number(port), created, stop };
}
