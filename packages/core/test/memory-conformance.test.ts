import { BaseWriter, type RecordKind } from '../src/index';
import { createMemoryHandler, describeWriterConformance } from '../src/testkit/index';

// The conformance suite proves itself against the in-memory destination.
let mem = createMemoryHandler();
describeWriterConformance({
  name: 'memory',
  reset: async () => {
    mem = createMemoryHandler();
  },
  create: () => new BaseWriter({ name: 'memory', handler: mem.handler, batch: { size: 7, lingerMs: 1 } }),
  readBack: async (kind: RecordKind) => [...mem.rows.values()].filter((r) => r.kind === kind),
});
