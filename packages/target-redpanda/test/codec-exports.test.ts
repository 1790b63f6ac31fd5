import * as codec from '@qi/kafka-codec';
import * as target from '../src/index';

// the codec moved to @qi/kafka-codec; code that imported it from this package keeps working
describe('@qi/target-redpanda re-exports the wire codec', () => {
  it('as the same functions and error codes', () => {
    expect(target.encodeRecord).toBe(codec.encodeRecord);
    expect(target.decodeRecord).toBe(codec.decodeRecord);
    expect(target.createRegistryCodec).toBe(codec.createRegistryCodec);
    expect(target.schemaRegistrySchema).toBe(codec.schemaRegistrySchema);
    expect(target.RedpandaErrors.DECODE).toBe(codec.CodecErrors.DECODE);
    expect(target.RedpandaErrors.TOPIC.code).toBe('QI_TARGET_REDPANDA_TOPIC');
  });
});
