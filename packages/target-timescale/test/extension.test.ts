import { decideTimescale, type ExtensionState, isPreloaded, preloadHint } from '../src/extension';
import { decideFeatures } from '../src/features';

const preloaded = { preloadList: 'timescaledb', loaderLoaded: true, configFile: '/etc/pg/postgresql.conf' };
const notPreloaded = { preloadList: '', loaderLoaded: false, configFile: '/etc/pg/postgresql.conf' };

describe('decideTimescale', () => {
  const none: ExtensionState = { installed: null, available: null, ...notPreloaded };
  it('uses an installed, preloaded extension', () => {
    expect(decideTimescale('auto', { installed: '2.28.3', available: '2.28.3', ...preloaded })).toMatchObject(
      { use: true, createExtension: false },
    );
  });
  it('creates an available extension on a server that preloads it', () => {
    for (const setting of ['auto', true] as const)
      expect(decideTimescale(setting, { installed: null, available: '2.28.3', ...preloaded })).toMatchObject({
        use: true,
        createExtension: true,
      });
  });
  it('available but not preloaded: plain tables with one warning naming the setting, never CREATE EXTENSION', () => {
    const d = decideTimescale('auto', { installed: null, available: '2.28.3', ...notPreloaded });
    expect(d).toMatchObject({ use: false, createExtension: false, log: { level: 'warn' } });
    expect(d.log.message).toMatch(/not preloaded.*shared_preload_libraries in \/etc\/pg\/postgresql\.conf/);
  });
  it('available but not preloaded with enabled: true: a config error with the server HINT', () => {
    expect(() => decideTimescale(true, { installed: null, available: '2.28.3', ...notPreloaded })).toThrow(
      expect.objectContaining({
        code: 'QI_TARGET_TIMESCALE_EXTENSION_NOT_PRELOADED',
        category: 'config',
        message: expect.stringContaining(
          'Please preload the timescaledb library via shared_preload_libraries. This can be done by editing the config file at: /etc/pg/postgresql.conf',
        ),
      }),
    );
  });
  it('created in the database but not preloaded: an error whatever the setting (any DDL would end the connection)', () => {
    for (const setting of ['auto', true, false] as const)
      expect(() =>
        decideTimescale(setting, { installed: '2.28.3', available: '2.28.3', ...notPreloaded }),
      ).toThrow(
        expect.objectContaining({
          code: 'QI_TARGET_TIMESCALE_EXTENSION_NOT_PRELOADED',
          message: expect.stringMatching(/DROP EXTENSION/),
        }),
      );
  });
  it('falls back to plain tables with one warning in auto mode when there is no extension', () => {
    const d = decideTimescale('auto', none);
    expect(d).toMatchObject({ use: false, createExtension: false, log: { level: 'warn' } });
    expect(d.log.message).toMatch(/hypertable features are off/);
  });
  it('fails when required but missing', () => {
    expect(() => decideTimescale(true, none)).toThrow(
      expect.objectContaining({ code: 'QI_TARGET_TIMESCALE_EXTENSION_MISSING', retryable: false }),
    );
  });
  it('says it at info level on the embedded database, which never has the extension', () => {
    expect(decideTimescale('auto', none, true)).toMatchObject({ use: false, log: { level: 'info' } });
    expect(() => decideTimescale(true, none, true)).toThrow(/embedded database/);
  });
  it('stays off when disabled, even when installed', () => {
    expect(decideTimescale(false, { installed: '2.28.3', available: '2.28.3', ...preloaded })).toMatchObject({
      use: false,
      log: { level: 'info' },
    });
  });
});

describe('preload detection', () => {
  it('reads shared_preload_libraries as a list, or the loaded loader', () => {
    const ext = { installed: null, available: '2.28.3' };
    expect(isPreloaded({ ...ext, preloadList: 'pg_stat_statements, "timescaledb"' })).toBe(true);
    expect(isPreloaded({ ...ext, preloadList: '$libdir/timescaledb' })).toBe(true);
    expect(isPreloaded({ ...ext, preloadList: 'timescaledb_toolkit' })).toBe(false);
    expect(isPreloaded({ ...ext, preloadList: null, loaderLoaded: true })).toBe(true);
    expect(isPreloaded({ ...ext, preloadList: null, loaderLoaded: false })).toBe(false);
  });
  it('words the hint without the config file when the user may not read it', () => {
    expect(preloadHint({ installed: null, available: null, preloadList: null, configFile: null })).toMatch(
      /editing the postgres config file and adding 'timescaledb'/,
    );
  });
});

describe('decideFeatures', () => {
  const none = { compressAfter: null, retention: null };
  it('everything under the Community license (or when the setting is unknown)', () => {
    expect(decideFeatures('timescale', none)).toEqual({ tsl: true, license: 'timescale' });
    expect(decideFeatures(null, { compressAfter: '7 days', retention: null })).toMatchObject({ tsl: true });
  });
  it('apache: hypertables only, one warning', () => {
    const f = decideFeatures('apache', none);
    expect(f).toMatchObject({ tsl: false, license: 'apache' });
    expect(f.warning).toMatch(/"apache" license.*compression and retention policies/);
  });
  it('apache with compression or retention configured: an error naming the keys to clear', () => {
    expect(() => decideFeatures('apache', { compressAfter: '7 days', retention: '90 days' })).toThrow(
      expect.objectContaining({
        code: 'QI_TARGET_TIMESCALE_FEATURE_NOT_SUPPORTED',
        category: 'config',
        message: expect.stringContaining('clear timescale.compressAfter and timescale.retention'),
      }),
    );
    expect(() => decideFeatures('apache', { compressAfter: null, retention: '90 days' })).toThrow(
      /clear timescale\.retention \(/,
    );
  });
});
