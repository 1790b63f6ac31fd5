import { qiError } from '@qi/core';
import { TimescaleErrors } from './errors';

/**
 * What TimescaleDB may do under the server's license. Compression and the
 * policy jobs live in the Timescale-licensed part of TimescaleDB; a server with
 * `timescaledb.license = 'apache'` (several managed offerings) answers them
 * with SQLSTATE 0A000, so they are left out instead of failing the start.
 */
export interface TimescaleFeatures {
  /** compression settings and compression/retention policies */
  tsl: boolean;
  license: string;
  /** the one warning for this start, when something is off */
  warning?: string;
}

export interface FeatureConfig {
  compressAfter: string | null;
  retention: string | null;
}

export function decideFeatures(license: string | null | undefined, cfg: FeatureConfig): TimescaleFeatures {
  const lic = license ?? 'timescale';
  if (lic !== 'apache') return { tsl: true, license: lic };
  const set = [
    cfg.compressAfter !== null ? 'timescale.compressAfter' : null,
    cfg.retention !== null ? 'timescale.retention' : null,
  ].filter((k): k is string => k !== null);
  if (set.length > 0)
    throw qiError(
      TimescaleErrors.FEATURE_NOT_SUPPORTED,
      `TimescaleDB on this server runs under the "apache" license (timescaledb.license), which has no compression or retention policies: clear ${set.join(' and ')} (set to null, hypertables only), or run the server with timescaledb.license = 'timescale' (server config, needs a restart)`,
      { context: { license: lic, keys: set } },
    );
  return {
    tsl: false,
    license: lic,
    warning:
      `TimescaleDB runs under the "apache" license on this server (timescaledb.license): tables are hypertables, ` +
      `but compression and retention policies (timescale.compressAfter, timescale.retention) are off; ` +
      `they need timescaledb.license = 'timescale' in the server config`,
  };
}
