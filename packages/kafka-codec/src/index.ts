// The wire codec of Qi's Kafka packages: DSL records <-> message values and headers
// (Qi JSON, Qi Avro with its fingerprint header, Confluent-framed Avro through a
// Schema Registry). A target encodes and a source decodes with the same code.
export {
  avroTypeOf,
  CONTENT_TYPES,
  decodeRecord,
  type EncodedRecord,
  encodeConfluent,
  encodeRecord,
  HEADERS,
  type Serialization,
} from './encoding';
export { CodecErrors, encodeError, registryError } from './errors';
export { createRegistryClient, type RegistryClient } from './registry';
export { createRegistryCodec, isConfluentFrame, type RegistryCodec } from './registry-codec';
export {
  COMPATIBILITY_LEVELS,
  type SchemaRegistryConfig,
  type SchemaRegistryConfigInput,
  safeUrl,
  schemaRegistrySchema,
  subjectOf,
} from './registry-config';
