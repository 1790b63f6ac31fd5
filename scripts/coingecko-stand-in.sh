#!/usr/bin/env bash
# The CoinGecko stand-in (a local HTTP server with CoinGecko's response shapes, for a
# machine without internet), built first on a fresh clone like README command 1.
# Arguments go to the stand-in, e.g. --port 8787.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh
qi_ensure_built packages/source-coingecko/dist/stand-in-cli.cjs
exec node packages/source-coingecko/bin/qi-coingecko-stand-in.cjs "$@"
