import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeWriterConformance, testContext } from '@qi/core/testkit';
import { Store } from '../src/client';
import plugin, { configSchema, KINDS } from '../src/index';

// @qi/core's conformance suite: the contract every Qi target proves the same way.
// TODO: once the handler talks to your technology, point create() at a real instance
// (a local server, a unique database/topic per run), make readBack() read through its
// own client and reset() empty it: the suite then proves the plugin against the real thing.
const dir = mkdtempSync(path.join(os.tmpdir(), '__PLUGIN_SLUG__-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWriterConformance({
  name: '__PLUGIN_NAME__',
  kinds: [...KINDS],
  create: () =>
    plugin.create(configSchema.parse({ directory: dir, lingerMs: 0 }), testContext({ baseDir: dir })),
  reset: async () => rmSync(dir, { recursive: true, force: true }),
  readBack: async (kind) => Store.readAll(dir, kind),
});
