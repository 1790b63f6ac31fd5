import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './helpers';

/**
 * A source whose rate keeps rising: tick k (every `intervalMs`) yields k × `step`
 * records, so two readings of a rate a second apart differ whatever the machine's load.
 */
const RAMP = `
const { BaseReader, definePlugin, toQiError, z } = require('@qi/core');
const { samplePrice } = require('@qi/core/testkit');
const { setTimeout: sleep } = require('node:timers/promises');
module.exports = definePlugin({
  name: 'qi-test-ramp',
  kind: 'source',
  apiVersion: '^1.0.0',
  configSchema: z.strictObject({ intervalMs: z.number().int().default(250), step: z.number().int().default(5) }),
  create(config, ctx) {
    return new BaseReader({
      name: ctx.name,
      logger: ctx.logger,
      handler: {
        async *stream(o) {
          let emitted = 0;
          for (let k = 1; !o.signal.aborted; k++) {
            const records = Array.from({ length: k * config.step }, (_, j) => samplePrice(emitted + j, { source: 'ramp' }));
            emitted += records.length;
            yield { records, position: emitted };
            try { await sleep(config.intervalMs, undefined, { signal: o.signal }); } catch { return; }
          }
        },
        classifyError: (e) => toQiError(e),
        close: async () => {},
      },
    });
  },
});
`;

/** A temp project: the built @qi/core, the ramp source and the given qi.config.yaml. */
export function rampProject(configYaml: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qi-top-e2e-'));
  mkdirSync(path.join(dir, 'node_modules/@qi'), { recursive: true });
  symlinkSync(path.join(REPO, 'packages/core'), path.join(dir, 'node_modules/@qi/core'), 'dir');
  const pkg = path.join(dir, 'node_modules/qi-test-ramp');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'qi-test-ramp', version: '1.0.0', main: 'index.js' }),
  );
  writeFileSync(path.join(pkg, 'index.js'), RAMP);
  writeFileSync(path.join(dir, 'qi.config.yaml'), configYaml);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const RAMP_CONFIG = `logLevel: info
pipelines:
  ramp:
    source: { use: qi-test-ramp, with: { intervalMs: 250, step: 5 } }
    targets:
      - { use: file, name: out, with: { path: out.ndjson } }
`;
