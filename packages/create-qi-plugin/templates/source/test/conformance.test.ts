import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeReaderConformance, sampleRecords, testContext } from '@qi/core/testkit';
import plugin, { configSchema, KINDS } from '../src/index';

// @qi/core's conformance suite: the contract every Qi source proves the same way.
// TODO: once the handler talks to your technology, point create() at a real instance
// (a local server, or a local stand-in that answers with the real API's shapes) and
// list the point queries it answers in `supports`.
const dir = mkdtempSync(path.join(os.tmpdir(), '__PLUGIN_SLUG__-'));
const file = path.join(dir, 'records.ndjson');
writeFileSync(
  file,
  `${KINDS.flatMap((k) => sampleRecords(k, 10))
    .map((r) => JSON.stringify(r))
    .join('\n')}\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeReaderConformance({
  name: '__PLUGIN_NAME__',
  create: () =>
    plugin.create(configSchema.parse({ path: file, batchSize: 7 }), testContext({ baseDir: dir })),
  supports: (KINDS as readonly string[]).includes('price')
    ? { prices: { coinIds: ['bitcoin', 'ethereum'] } }
    : {},
  minStreamRecords: KINDS.length * 10,
});
