#!/usr/bin/env node
'use strict';
// qi-redpanda-mcp --config qi.config.yaml [--target <pipeline>.<target>] [--transport http|stdio] [--host] [--port]
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`qi-redpanda-mcp needs Node.js 22 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
require('../dist/bin.cjs')
  .main()
  .then((code) => {
    process.exitCode = code;
  });
