#!/usr/bin/env node
'use strict';
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`qi needs Node.js 22 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
// Exit explicitly: once pipelines are closed, a client library's stray timer
// (reconnects, pools) must not keep a finished or failed run alive.
// A pipe takes what fits and Node queues the rest: exiting at once cut a large
// `qi schema config` short, so exit once what was written has been flushed.
require('../dist/cli.cjs')
  .main()
  .then((code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code))));
