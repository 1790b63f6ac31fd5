import { classifyNatsError } from '../src/errors';

const named = (name: string, message = name, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });

describe('classifyNatsError', () => {
  it.each([
    ['ConnectionError', 'NATS_CONNECTION', 'network', true],
    ['ClosedConnectionError', 'NATS_CONNECTION', 'network', true],
    ['TimeoutError', 'NATS_TIMEOUT', 'network', true],
    ['AuthorizationError', 'NATS_AUTH', 'auth', false],
    ['PermissionViolationError', 'NATS_PERMISSION', 'auth', false],
    ['JetStreamNotEnabled', 'NATS_NO_STREAM', 'config', false],
    ['InvalidSubjectError', 'NATS_BAD_SUBJECT', 'data', false],
  ])('%s -> %s', (name, code, category, retryable) => {
    const e = classifyNatsError(named(name));
    expect([e.code, e.category, e.retryable]).toEqual([code, category, retryable]);
    expect(e.cause).toBeInstanceOf(Error);
  });

  it.each([
    [10059, 404, 'NATS_NO_STREAM', false],
    [10058, 400, 'NATS_STREAM_CONFIG', false],
    [10065, 400, 'NATS_STREAM_CONFIG', false],
    [10054, 400, 'NATS_MESSAGE_TOO_LARGE', false],
    [10077, 400, 'NATS_STREAM_FULL', true],
    [10008, 503, 'NATS_UNAVAILABLE', true],
    [10999, 500, 'NATS_API', false],
  ])('JetStream API code %i (status %i) -> %s', (code, status, qiCode, retryable) => {
    const e = classifyNatsError(named('JetStreamApiError', 'api said no', { code, status }));
    expect([e.code, e.retryable]).toEqual([qiCode, retryable]);
    expect(e.message).toContain(`JetStream code ${code}`);
  });

  it('looks through a RequestError to its cause, and knows socket errors and the client-side payload limit', () => {
    expect(
      classifyNatsError(named('RequestError', 'request failed', { cause: named('TimeoutError') })).code,
    ).toBe('NATS_TIMEOUT');
    expect(
      classifyNatsError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).retryable,
    ).toBe(true);
    expect(
      classifyNatsError(named('InvalidArgumentError', "'payload' max_payload size exceeded")).category,
    ).toBe('data');
    const unknown = classifyNatsError(new Error('what'));
    expect([unknown.code, unknown.retryable]).toEqual(['NATS_UNKNOWN', false]);
  });
});
