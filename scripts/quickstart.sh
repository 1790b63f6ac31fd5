#!/usr/bin/env bash
# README command 1: the quickstart pipeline (CoinGecko prices every 30 s into
# the Timescale target on its embedded PostgreSQL, plus stdout). No services
# needed. Extra arguments go to `qi run` (e.g. --once).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh
if [ ! -d node_modules/.pnpm ] || [ ! -f packages/core/dist/cli.cjs ]; then
  echo "qi: first run: installing dependencies and building (a minute or two)" >&2
  pnpm install --frozen-lockfile --reporter=silent
  pnpm build >/dev/null
fi
cd examples/quickstart
exec node ../../packages/core/bin/qi.cjs run "$@"
