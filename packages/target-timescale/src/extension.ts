import { qiError } from '@qi/core';
import { TimescaleErrors } from './errors';

/**
 * What the server says about TimescaleDB, read from catalogs and settings only:
 * nothing here loads the extension's library, so a server that has not
 * preloaded it cannot answer FATAL (which would end the connection).
 */
export interface ExtensionState {
  /** version created in this database, if any (pg_extension) */
  installed: string | null;
  /** version the server could create (pg_available_extensions) */
  available: string | null;
  /** shared_preload_libraries, null when this user may not read it */
  preloadList?: string | null;
  /** the loader library is loaded in this backend (its settings exist) */
  loaderLoaded?: boolean;
  /** timescaledb.license once the library is loaded, e.g. "timescale" or "apache" */
  license?: string | null;
  /** the server's config file, null when this user may not read it */
  configFile?: string | null;
}

export const EXTENSION_STATE_SQL = `
SELECT (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS installed,
  (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
  (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS "preloadList",
  EXISTS (SELECT 1 FROM pg_settings WHERE name = 'timescaledb.bgw_launcher_poll_time' AND vartype <> 'string') AS "loaderLoaded",
  current_setting('timescaledb.license', true) AS license,
  (SELECT setting FROM pg_settings WHERE name = 'config_file') AS "configFile"`;

export const isPreloaded = (ext: ExtensionState): boolean =>
  ext.loaderLoaded === true ||
  (ext.preloadList ?? '').split(',').some(
    (l) =>
      l
        .trim()
        .replace(/^"|"$/g, '')
        .replace(/^\$libdir\//, '') === 'timescaledb',
  );

/** The server's own HINT for "extension must be preloaded", so the user reads it without a backend being killed. */
export function preloadHint(ext: ExtensionState): string {
  const where = ext.configFile ? `the config file at: ${ext.configFile}` : 'the postgres config file';
  const now = ext.preloadList ? ` (it is now '${ext.preloadList}')` : '';
  return `Please preload the timescaledb library via shared_preload_libraries. This can be done by editing ${where} and adding 'timescaledb' to the list in the shared_preload_libraries config${now}: shared_preload_libraries = 'timescaledb' (will require a database restart)`;
}

export type TimescaleSetting = 'auto' | boolean;

export interface TimescaleDecision {
  use: boolean;
  /** run CREATE EXTENSION first */
  createExtension: boolean;
  /** the one log line that says what happened */
  log: { level: 'info' | 'warn'; message: string };
}

const off = (level: 'info' | 'warn', message: string): TimescaleDecision => ({
  use: false,
  createExtension: false,
  log: { level, message },
});

/** Whether hypertables are on, from the config and the server's state, before any statement touches the extension. */
export function decideTimescale(
  setting: TimescaleSetting,
  ext: ExtensionState,
  embedded = false,
): TimescaleDecision {
  const version = ext.installed ?? ext.available;
  if (version && !isPreloaded(ext)) {
    // created here but not loaded: every DDL statement fires its event trigger and the server ends the connection
    if (ext.installed)
      throw qiError(
        TimescaleErrors.TIMESCALE_NOT_PRELOADED,
        `the timescaledb extension ${ext.installed} exists in this database but the server has not preloaded it: any DDL or use of it would be answered with FATAL "extension "timescaledb" must be preloaded". ${preloadHint(ext)}; or, to use plain tables here, DROP EXTENSION timescaledb in this database`,
        { context: { installed: ext.installed, preloadList: ext.preloadList ?? null } },
      );
    if (setting === true)
      throw qiError(
        TimescaleErrors.TIMESCALE_NOT_PRELOADED,
        `timescale.enabled is true but TimescaleDB ${version} is not preloaded on this server, which answers CREATE EXTENSION with FATAL "extension "timescaledb" must be preloaded". ${preloadHint(ext)}; or set timescale.enabled to "auto" (plain tables) or false`,
        { context: { available: version, preloadList: ext.preloadList ?? null } },
      );
    if (setting === 'auto')
      return off(
        'warn',
        `TimescaleDB ${version} is installed on this server but not preloaded (shared_preload_libraries): hypertable features are off, tables are plain. To turn them on, add 'timescaledb' to shared_preload_libraries in ${ext.configFile ?? 'postgresql.conf'} and restart PostgreSQL; timescale.enabled: false silences this warning`,
      );
  }
  if (setting === false)
    return off(
      'info',
      'TimescaleDB disabled by config (timescale.enabled: false): plain tables, no hypertables, compression or retention',
    );
  if (ext.installed)
    return {
      use: true,
      createExtension: false,
      log: { level: 'info', message: `TimescaleDB ${ext.installed}: tables are hypertables` },
    };
  if (ext.available)
    return {
      use: true,
      createExtension: true,
      log: {
        level: 'info',
        message: `TimescaleDB ${ext.available} available: creating the extension; tables are hypertables`,
      },
    };
  if (setting === true)
    throw qiError(
      TimescaleErrors.TIMESCALE_MISSING,
      embedded
        ? 'timescale.enabled is true but the embedded database (PGlite) has no TimescaleDB; configure a connection to a TimescaleDB server or set timescale.enabled to "auto" or false'
        : 'timescale.enabled is true but the timescaledb extension is not available on this server (pg_available_extensions); install TimescaleDB or set timescale.enabled to "auto" or false',
    );
  // expected on the embedded database: not worth a warning on every quickstart run
  if (embedded)
    return off(
      'info',
      'the embedded PGlite has no TimescaleDB: hypertable features are off (plain tables with time indexes)',
    );
  return off(
    'warn',
    'TimescaleDB extension not available on this server: hypertable features are off (plain tables with time indexes; no chunking, compression or retention)',
  );
}
