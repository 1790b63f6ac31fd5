import { isAbsolute, resolve } from 'node:path';
import type { CheckContext, CheckResult } from '@qi/core';
import { describeServer, pgp, serverConnection } from './client';
import type { TimescaleTargetConfig } from './config';

/**
 * `qi validate --connect`: the configured server answers `SELECT 1` (then the pool closes);
 * nothing is created. The embedded database is not started, only named.
 */
export async function checkTimescale(
  config: TimescaleTargetConfig,
  ctx: CheckContext,
): Promise<CheckResult[]> {
  const cn = serverConnection(config);
  if (!cn) {
    const dir = isAbsolute(config.embedded.dataDir)
      ? config.embedded.dataDir
      : resolve(ctx.baseDir, config.embedded.dataDir);
    return [{ what: `no connection configured: the embedded PostgreSQL (PGlite) in ${dir} will be used` }];
  }
  // host:port/database as user, a form that never equals the (secret) connection string itself
  const u = new URL(describeServer(cn).replace(/^[a-z]+:\/\//, 'postgres://'));
  const server = `${u.host}${u.pathname}${u.username ? ` as ${decodeURIComponent(u.username)}` : ''}`;
  if (!ctx.connect) return [];
  const db = pgp({ ...cn, max: 1 });
  try {
    const { server_version } = await db.one<{ server_version: string }>('SHOW server_version');
    return [{ what: `PostgreSQL ${server} reachable (version ${server_version.split(' ')[0]})` }];
  } catch (e) {
    return [{ what: `PostgreSQL ${server}`, problem: (e as Error).message }];
  } finally {
    await db.$pool.end();
  }
}
