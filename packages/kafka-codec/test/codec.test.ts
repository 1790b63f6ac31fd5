import { parseRecord, RECORD_KINDS } from '@qi/core';
import { sampleRecords } from '@qi/core/testkit';
import { CodecErrors, decodeRecord, encodeRecord, HEADERS } from '../src/index';

describe('@qi/kafka-codec', () => {
  it.each(['json', 'avro'] as const)('decodes what it encodes (%s), every kind', (format) => {
    for (const kind of RECORD_KINDS) {
      const parsed = parseRecord(sampleRecords(kind, 1)[0]);
      if (!parsed.ok) throw parsed.error;
      const e = encodeRecord(parsed.value, format);
      expect(e.headers[HEADERS.schema]).toBe(kind);
      const d = decodeRecord(e.value, e.headers);
      expect(d.ok && d.value).toEqual(parsed.value);
    }
  });

  it('refuses a tombstone with its decode code', () => {
    const d = decodeRecord(null);
    expect(!d.ok && d.error.code).toBe(CodecErrors.DECODE.code);
  });
});
