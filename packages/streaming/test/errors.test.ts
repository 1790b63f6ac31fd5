import { NETWORK_ERRNOS } from '@qi/core';
import { classifyStreamingError, isMissingModule, loadOptional } from '../src/index';

// Error shapes as kafkajs 2.2.4 and @platformatic/kafka 2.x build them (see their errors.js).
const kafkajs = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} message`), { name, ...extra });
const plt = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${code} message`), { code, ...extra });

describe('classifyStreamingError', () => {
  it.each([
    [
      'kafkajs MESSAGE_TOO_LARGE',
      kafkajs('KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE', retriable: false }),
      'QI_STREAMING_TOO_LARGE',
      'data',
      false,
    ],
    [
      'platformatic MESSAGE_TOO_LARGE inside a ResponseError',
      plt('PLT_KFK_RESPONSE', {
        errors: [plt('PLT_KFK_PROTOCOL', { apiId: 'MESSAGE_TOO_LARGE', canRetry: false })],
      }),
      'QI_STREAMING_TOO_LARGE',
      'data',
      false,
    ],
    [
      'kafkajs RECORD_LIST_TOO_LARGE',
      kafkajs('KafkaJSProtocolError', { type: 'RECORD_LIST_TOO_LARGE' }),
      'QI_STREAMING_TOO_LARGE',
      'data',
      false,
    ],
    [
      'kafkajs SASL failure',
      kafkajs('KafkaJSSASLAuthenticationError'),
      'QI_STREAMING_AUTHENTICATION',
      'auth',
      false,
    ],
    [
      'platformatic authentication',
      plt('PLT_KFK_MULTIPLE', {
        errors: [
          plt('PLT_KFK_NETWORK', {
            canRetry: true,
            cause: plt('PLT_KFK_AUTHENTICATION', { canRetry: false }),
          }),
        ],
      }),
      'QI_STREAMING_AUTHENTICATION',
      'auth',
      false,
    ],
    [
      'topic ACL missing',
      kafkajs('KafkaJSProtocolError', { type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false }),
      'QI_STREAMING_AUTHORIZATION',
      'auth',
      false,
    ],
    [
      'authorization wrapped by retries',
      kafkajs('KafkaJSNumberOfRetriesExceeded', {
        originalError: kafkajs('KafkaJSProtocolError', { type: 'CLUSTER_AUTHORIZATION_FAILED' }),
      }),
      'QI_STREAMING_AUTHORIZATION',
      'auth',
      false,
    ],
    [
      'leader not available',
      kafkajs('KafkaJSProtocolError', { type: 'LEADER_NOT_AVAILABLE', retriable: true }),
      'QI_STREAMING_BROKER_RETRIABLE',
      'unavailable',
      true,
    ],
    [
      'not leader, without the library saying it can retry',
      plt('PLT_KFK_PROTOCOL', { apiId: 'NOT_LEADER_OR_FOLLOWER' }),
      'QI_STREAMING_BROKER_RETRIABLE',
      'unavailable',
      true,
    ],
    [
      'not enough replicas',
      plt('PLT_KFK_PROTOCOL', { apiId: 'NOT_ENOUGH_REPLICAS', canRetry: true }),
      'QI_STREAMING_BROKER_RETRIABLE',
      'unavailable',
      true,
    ],
    [
      'request timed out',
      kafkajs('KafkaJSRequestTimeoutError', { retriable: true }),
      'QI_STREAMING_TIMEOUT',
      'network',
      true,
    ],
    [
      'connection refused',
      kafkajs('KafkaJSConnectionError', { retriable: true, code: 'ECONNREFUSED' }),
      'QI_STREAMING_NETWORK',
      'network',
      true,
    ],
    [
      'platformatic network',
      plt('PLT_KFK_NETWORK', { canRetry: true }),
      'QI_STREAMING_NETWORK',
      'network',
      true,
    ],
    [
      'retries exhausted on a retriable error',
      kafkajs('KafkaJSNumberOfRetriesExceeded', {
        retriable: false,
        originalError: kafkajs('KafkaJSProtocolError', { type: 'NOT_LEADER_OR_FOLLOWER', retriable: true }),
      }),
      'QI_STREAMING_BROKER_RETRIABLE',
      'unavailable',
      true,
    ],
    [
      'unknown topic',
      kafkajs('KafkaJSProtocolError', { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true }),
      'QI_STREAMING_UNKNOWN_TOPIC',
      'not-found',
      true,
    ],
    [
      'invalid config',
      plt('PLT_KFK_PROTOCOL', { apiId: 'INVALID_CONFIG', canRetry: false }),
      'QI_STREAMING_INVALID_REQUEST',
      'config',
      false,
    ],
    ['anything else', new Error('boom'), 'QI_STREAMING_BROKER', 'internal', false],
  ])('%s', (_, e, code, category, retryable) => {
    const q = classifyStreamingError(e);
    expect([q.code, q.category, q.retryable]).toEqual([code, category, retryable]);
    expect(q.cause).toBe(e);
  });

  it('names the Kafka error in the context and explains auth failures', () => {
    const q = classifyStreamingError(
      kafkajs('KafkaJSProtocolError', { type: 'TOPIC_AUTHORIZATION_FAILED' }),
      { op: 'send' },
    );
    expect(q.context).toEqual({ op: 'send', kafka: ['TOPIC_AUTHORIZATION_FAILED'] });
    expect(q.message).toMatch(/lacks an ACL/);
  });
});

describe('optional client libraries', () => {
  it('recognises "not installed" for the package itself only', () => {
    expect(
      isMissingModule(
        Object.assign(new Error("Cannot find package 'kafkajs' imported from /x"), {
          code: 'ERR_MODULE_NOT_FOUND',
        }),
        'kafkajs',
      ),
    ).toBe(true);
    expect(
      isMissingModule(
        Object.assign(new Error("Cannot find module 'long'"), { code: 'MODULE_NOT_FOUND' }),
        'kafkajs',
      ),
    ).toBe(false);
  });

  it('gives the install command when missing, and the load error otherwise', async () => {
    const missing = await loadOptional('@platformatic/kafka', 'client "platformatic"', async () => {
      throw Object.assign(new Error("Cannot find package '@platformatic/kafka'"), {
        code: 'ERR_MODULE_NOT_FOUND',
      });
    });
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error.code).toBe('QI_STREAMING_CLIENT_MISSING');
      expect(missing.error.message).toContain('npm install @platformatic/kafka');
    }
    const broken = await loadOptional('kafkajs', 'client "kafkajs"', async () => {
      throw new SyntaxError('Unexpected token');
    });
    expect(!broken.ok && broken.error.message).toContain('could not load "kafkajs"');
  });
});

describe('network errnos (core NETWORK_ERRNOS, shared by every classifier)', () => {
  it.each([...NETWORK_ERRNOS])('%s, wrapped by the client, is a retryable network error', (errno) => {
    const socket = Object.assign(new Error(`connect ${errno}`), { code: errno });
    const e = classifyStreamingError(Object.assign(new Error('request failed'), { originalError: socket }));
    expect(e).toMatchObject({ code: 'QI_STREAMING_NETWORK', category: 'network', retryable: true });
  });
});
