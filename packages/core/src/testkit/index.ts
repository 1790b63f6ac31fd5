export { describeWriterConformance, type WriterConformanceOptions } from './writer-conformance';
export { describeReaderConformance, type ReaderConformanceOptions } from './reader-conformance';
export * from './fixtures';
export * from './compare';
export { createMemoryHandler } from './memory-target';
export { expectOk } from './jest-api';
export { testContext } from './context';
