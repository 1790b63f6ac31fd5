import { isQiError, type Logger } from '@qi/core';
import type { Db } from './client';
import type { TimescaleTargetConfig } from './config';
import { classifyPgError } from './errors';
import { decideTimescale, EXTENSION_STATE_SQL, type ExtensionState } from './extension';
import { decideFeatures } from './features';

export interface TimescaleSetup {
  /** tables are hypertables */
  use: boolean;
  /** compression and policies are available (not under the "apache" license) */
  tsl: boolean;
  license: string | null;
  /** the one warning of this start, logged by the caller once it knows the tables (event timescale.schema.timescale) */
  warning?: string;
}

const CREATE = 'CREATE EXTENSION IF NOT EXISTS timescaledb';
const OFF: TimescaleSetup = { use: false, tsl: false, license: null };

/**
 * Reads the server's TimescaleDB state and creates the extension when that is
 * safe, logging one line that says what is on and off. It runs on a connection
 * of its own, outside the schema transaction: one the server ended or left in
 * doubt is destroyed, never handed back to the pool.
 */
export async function setUpTimescale(
  db: Db,
  cfg: TimescaleTargetConfig['timescale'],
  opts: { logger: Logger; embedded: boolean },
): Promise<TimescaleSetup> {
  const sco = await db.connect();
  let kill = false;
  try {
    let ext = await sco.one<ExtensionState>(EXTENSION_STATE_SQL);
    const decision = decideTimescale(cfg.enabled, ext, opts.embedded);
    const event = { event: 'timescale.schema.timescale' };
    if (decision.createExtension) {
      try {
        await sco.none(CREATE);
      } catch (e) {
        kill = true;
        const err = classifyPgError(e, CREATE);
        if (cfg.enabled === true) throw err;
        opts.logger.warn(
          { ...event, timescale: false, err: err.message },
          `TimescaleDB ${ext.available} is available but ${CREATE} failed (${err.message}): hypertable features are off. A superuser can run it once in this database`,
        );
        return OFF;
      }
      // timescaledb.license exists once the library is loaded, which CREATE EXTENSION just did
      ext = await sco.one<ExtensionState>(EXTENSION_STATE_SQL);
    }
    if (!decision.use) {
      opts.logger[decision.log.level]({ ...event, timescale: false }, decision.log.message);
      return OFF;
    }
    const features = decideFeatures(ext.license, cfg);
    if (features.warning)
      return { use: true, tsl: false, license: features.license, warning: features.warning };
    opts.logger[decision.log.level]({ ...event, timescale: true }, decision.log.message);
    return { use: true, tsl: true, license: features.license };
  } catch (e) {
    // a QiError is a decision; anything else came from the connection
    if (!isQiError(e)) kill = true;
    throw e;
  } finally {
    await sco.done(kill);
  }
}
