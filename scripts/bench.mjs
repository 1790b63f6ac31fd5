#!/usr/bin/env node
// pnpm bench [filter]: runs every packages/*/bench/*.bench.ts (Node strips the
// types) against the built packages, each measuring its raw-client baseline in
// the same run. Prints each bench's own output; never part of the test suite.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2] ?? '';
const files = readdirSync(path.join(root, 'packages'))
  .flatMap((pkg) => {
    const dir = path.join(root, 'packages', pkg, 'bench');
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.bench.ts'))
          .map((f) => path.join(dir, f))
      : [];
  })
  .filter((f) => f.includes(filter));
if (files.length === 0) {
  console.error(`no benchmark matches "${filter}"`);
  process.exit(2);
}
execFileSync(path.join(root, 'scripts/kafka.sh'), ['start'], { stdio: 'inherit' });
// the Redpanda target's Avro + registry lines need the local Schema Registry
if (files.some((f) => f.includes('target-redpanda')))
  execFileSync(path.join(root, 'scripts/schema-registry.sh'), ['start'], { stdio: 'inherit' });
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${path.relative(root, file)}`);
  const r = spawnSync(process.execPath, ['--no-warnings', file], {
    stdio: 'inherit',
    cwd: path.dirname(path.dirname(file)),
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
