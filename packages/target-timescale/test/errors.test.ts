import { NETWORK_ERRNOS } from '@qi/core';
import { classifyPgError } from '../src/errors';

const pg = (code: string, message = 'boom', extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe('classifyPgError', () => {
  it.each([
    ['08006', 'QI_TARGET_TIMESCALE_CONNECTION', 'network'],
    ['08001', 'QI_TARGET_TIMESCALE_CONNECTION', 'network'],
    ['57P01', 'QI_TARGET_TIMESCALE_UNAVAILABLE', 'unavailable'],
    ['57P02', 'QI_TARGET_TIMESCALE_UNAVAILABLE', 'unavailable'],
    ['57P03', 'QI_TARGET_TIMESCALE_UNAVAILABLE', 'unavailable'],
    ['40001', 'QI_TARGET_TIMESCALE_CONFLICT', 'unavailable'],
    ['40P01', 'QI_TARGET_TIMESCALE_CONFLICT', 'unavailable'],
    ['53300', 'QI_TARGET_TIMESCALE_UNAVAILABLE', 'unavailable'],
    ['53100', 'QI_TARGET_TIMESCALE_UNAVAILABLE', 'unavailable'],
  ])('SQLSTATE %s is retryable (%s)', (code, expected, category) => {
    const e = classifyPgError(pg(code));
    expect(e).toMatchObject({ code: expected, category, retryable: true });
    expect(e.context.sqlstate).toBe(code);
  });

  it.each([
    ['22003', 'QI_TARGET_TIMESCALE_DATA', 'data'],
    ['22021', 'QI_TARGET_TIMESCALE_DATA', 'data'],
    ['22P02', 'QI_TARGET_TIMESCALE_DATA', 'data'],
    ['23514', 'QI_TARGET_TIMESCALE_DATA', 'data'],
    ['23502', 'QI_TARGET_TIMESCALE_DATA', 'data'],
    ['23505', 'QI_TARGET_TIMESCALE_DATA', 'data'],
    ['21000', 'QI_TARGET_TIMESCALE_DATA', 'data'],
    ['54000', 'QI_TARGET_TIMESCALE_DATA', 'data'],
    ['28P01', 'QI_TARGET_TIMESCALE_AUTH', 'auth'],
    ['28000', 'QI_TARGET_TIMESCALE_AUTH', 'auth'],
    ['42501', 'QI_TARGET_TIMESCALE_AUTH', 'auth'],
    ['3D000', 'QI_TARGET_TIMESCALE_CONFIG', 'config'],
    ['42P01', 'QI_TARGET_TIMESCALE_SCHEMA', 'config'],
    ['42601', 'QI_TARGET_TIMESCALE_SQL', 'programmer'],
    ['0A000', 'QI_TARGET_TIMESCALE_FEATURE_NOT_SUPPORTED', 'config'],
    ['53400', 'QI_TARGET_TIMESCALE_LIMIT', 'config'],
    ['XX000', 'QI_TARGET_TIMESCALE_INTERNAL', 'internal'],
  ])('SQLSTATE %s is not retryable (%s)', (code, expected, category) => {
    expect(classifyPgError(pg(code))).toMatchObject({ code: expected, category, retryable: false });
  });

  it('names the statement when the caller knows it', () => {
    const e = classifyPgError(
      pg('0A000', 'functionality not supported under the current "apache" license'),
      'SELECT add_retention_policy(...)',
    );
    expect(e.message).toBe(
      'functionality not supported under the current "apache" license [SQLSTATE 0A000]; statement: SELECT add_retention_policy(...)',
    );
    expect(e.context.statement).toBe('SELECT add_retention_policy(...)');
  });

  it('keeps the database reason, detail and constraint', () => {
    const e = classifyPgError(
      pg('23514', 'new row for relation "prices" violates check constraint "price_positive"', {
        detail: 'Failing row contains (…).',
        constraint: 'price_positive',
        table: 'prices',
      }),
    );
    expect(e.message).toContain('violates check constraint "price_positive"');
    expect(e.message).toContain('Failing row contains');
    expect(e.message).toContain('SQLSTATE 23514');
    expect(e.context).toMatchObject({ sqlstate: '23514', constraint: 'price_positive', table: 'prices' });
    expect(e.cause).toBeInstanceOf(Error);
  });

  it.each([
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
    [new Error('Connection terminated unexpectedly')],
    [new Error('Connection terminated')],
    [new Error('Client has encountered a connection error and is not queryable')],
    [new Error('timeout exceeded when trying to connect')],
  ])('socket-level failure %p is a retryable connection error', (e) => {
    expect(classifyPgError(e)).toMatchObject({
      code: 'QI_TARGET_TIMESCALE_CONNECTION',
      category: 'network',
      retryable: true,
    });
  });

  it('never retries a bug, and leaves unknown errors non-retryable', () => {
    expect(classifyPgError(new TypeError('x is undefined'))).toMatchObject({
      category: 'programmer',
      retryable: false,
    });
    expect(classifyPgError(new Error('something else'))).toMatchObject({
      code: 'QI_TARGET_TIMESCALE_INTERNAL',
      retryable: false,
    });
    expect(classifyPgError('a string')).toMatchObject({
      code: 'QI_TARGET_TIMESCALE_INTERNAL',
      message: 'a string',
    });
  });
});

describe('network errnos (core NETWORK_ERRNOS, shared by every classifier)', () => {
  it.each([...NETWORK_ERRNOS])('%s is a retryable connection error', (errno) => {
    const e = classifyPgError(Object.assign(new Error(`connect ${errno} 127.0.0.1:5432`), { code: errno }));
    expect(e).toMatchObject({ code: 'QI_TARGET_TIMESCALE_CONNECTION', category: 'network', retryable: true });
    expect(e.context.errno).toBe(errno);
  });
});
