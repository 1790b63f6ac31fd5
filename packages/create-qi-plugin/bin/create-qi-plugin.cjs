#!/usr/bin/env node
'use strict';
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`create-qi-plugin needs Node.js 22 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
require('../dist/cli.cjs')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
