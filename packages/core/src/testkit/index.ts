export * from './compare';
export { testContext } from './context';
export * from './fixtures';
export { expectOk } from './jest-api';
export { type ManualClock, manualClock } from './manual-clock';
export { createMemoryHandler } from './memory-target';
export { describeReaderConformance, type ReaderConformanceOptions } from './reader-conformance';
export {
  requireBroker,
  requirePostgres,
  requireRegistry,
  TEST_KAFKA_BROKERS,
  TEST_PG_URL,
  TEST_REGISTRY_URL,
  uniqueName,
} from './services';
export { describeWriterConformance, type WriterConformanceOptions } from './writer-conformance';
