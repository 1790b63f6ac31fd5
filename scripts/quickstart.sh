#!/usr/bin/env bash
# README command 1: the quickstart pipeline (CoinGecko prices every 30 s into
# the Timescale target on its embedded PostgreSQL, plus stdout). No services
# needed. Extra arguments go to `qi run` (e.g. --once).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh
qi_ensure_built packages/core/dist/cli.cjs
cd examples/quickstart
exec node ../../packages/core/bin/qi.cjs run "$@"
