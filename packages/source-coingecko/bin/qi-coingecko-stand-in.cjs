#!/usr/bin/env node
// Local stand-in for the CoinGecko API (tests, quickstart): prints its base URL, serves until SIGINT/SIGTERM.
require('../dist/stand-in-cli.cjs');
