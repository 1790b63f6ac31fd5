import { avroSchema, NETWORK_ERRNOS, RECORD_SPECS } from '@qi/core';
import { samplePrice } from '@qi/core/testkit';
import {
  CONTENT_TYPES,
  configSchema,
  encodeConfluent,
  incompatibleFields,
  isConfluentFrame,
  registryError,
} from '../src/index';

const frame = (id: number, body: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0, id]), body]);

describe('Confluent framing and registry errors', () => {
  it('frames a record under its id with Qi headers, and recognises frames only without another content type', () => {
    const e = encodeConfluent(samplePrice(1) as never, 7, frame);
    expect([...e.value.subarray(0, 5)]).toEqual([0, 0, 0, 0, 7]);
    expect(e.headers['content-type']).toBe(CONTENT_TYPES.confluent);
    expect(e.headers['qi-schema-fingerprint']).toBeUndefined();
    expect(isConfluentFrame(e.value, e.headers)).toBe(true);
    expect(isConfluentFrame(e.value, {})).toBe(true);
    expect(isConfluentFrame(e.value, { 'content-type': CONTENT_TYPES.avro })).toBe(false);
    expect(isConfluentFrame(Buffer.from('{"kind":"price"}'), {})).toBe(false);
    expect(isConfluentFrame(Buffer.from([0, 0, 1]), {})).toBe(false);
  });

  it('names the fields that break compatibility, per level', () => {
    const v1 = avroSchema(RECORD_SPECS.price);
    const required = { ...v1, fields: [...v1.fields, { name: 'fdv', type: 'string', doc: '' }] };
    const optional = {
      ...v1,
      fields: [...v1.fields, { name: 'fdv', type: ['null', 'string'], doc: '', default: null }],
    };
    const retyped = {
      ...v1,
      fields: v1.fields.map((f) => (f.name === 'price' ? { ...f, type: 'long' } : f)),
    };
    expect(incompatibleFields(v1, required, 'BACKWARD')).toEqual([
      'field "fdv" is new and required (no default)',
    ]);
    expect(incompatibleFields(v1, optional, 'BACKWARD')).toEqual([]);
    expect(incompatibleFields(v1, required, 'FORWARD')).toEqual([]);
    expect(incompatibleFields(required, v1, 'FORWARD')).toEqual([
      'field "fdv" is removed and has no default',
    ]);
    expect(incompatibleFields(v1, retyped, 'FULL')).toEqual([
      'field "price" changes type "string" -> "long"',
    ]);
  });

  it('classifies: unreachable and 5xx retry, 409 is config naming the subject, 401 says check auth', () => {
    const refused = Object.assign(
      new Error('Confluent_Schema_Registry - Error, status 400: connect ECONNREFUSED 127.0.0.1:1'),
      { status: 400 },
    );
    expect(registryError(refused, 's-value', 'http://r')).toMatchObject({
      code: 'QI_KAFKA_CODEC_REGISTRY_UNAVAILABLE',
      retryable: true,
    });
    expect(registryError(Object.assign(new Error('boom'), { status: 503 }), 's', 'u').retryable).toBe(true);
    const conflict = registryError(
      Object.assign(new Error('Confluent_Schema_Registry - Incompatible: [fdv at /fields/10]'), {
        status: 409,
      }),
      'qi.prices-value',
      'http://r',
    );
    expect(conflict).toMatchObject({
      code: 'QI_KAFKA_CODEC_SCHEMA_INCOMPATIBLE',
      category: 'config',
      retryable: false,
    });
    expect(conflict.message).toBe(
      'Schema Registry refused the DSL schema for subject qi.prices-value: Incompatible: [fdv at /fields/10]',
    );
    const denied = registryError(Object.assign(new Error('Unauthorized'), { status: 401 }), 's', 'u');
    expect(denied).toMatchObject({ code: 'QI_KAFKA_CODEC_REGISTRY', retryable: false });
    expect(denied.message).toMatch(/check schemaRegistry\.auth/);
    // the library's own refusal (no HTTP status) when the subject has another level: config, not retried
    const level = registryError(
      new Error('Compatibility does not match the configuration (BACKWARD != FULL)'),
      's',
      'u',
    );
    expect(level).toMatchObject({ code: 'QI_KAFKA_CODEC_REGISTRY', retryable: false });
    expect(level.message).toMatch(/set schemaRegistry\.compatibility/);
  });

  it('schemaRegistry needs serialization avro: said at the serialization path, never a silent JSON', () => {
    const r = configSchema.safeParse({ schemaRegistry: { url: 'http://127.0.0.1:18081' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['serialization', 'schemaRegistry needs serialization: avro (the registry holds Avro schemas)'],
    ]);
    const ok = configSchema.parse({
      serialization: 'avro',
      schemaRegistry: { url: 'http://127.0.0.1:18081' },
    });
    expect(ok.schemaRegistry).toEqual({
      url: 'http://127.0.0.1:18081',
      compatibility: 'BACKWARD',
      clientId: 'qi',
    });
  });
});

describe('registryError and network errnos (core NETWORK_ERRNOS)', () => {
  it.each([...NETWORK_ERRNOS])("%s in the client's message is a retryable registry outage", (errno) => {
    const e = registryError(
      Object.assign(
        new Error(`Confluent_Schema_Registry - Error, status 400: connect ${errno} 127.0.0.1:1`),
        {
          status: 400,
        },
      ),
      's-value',
      'http://r',
    );
    expect(e).toMatchObject({ code: 'QI_KAFKA_CODEC_REGISTRY_UNAVAILABLE', retryable: true });
  });
});
