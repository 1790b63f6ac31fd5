#!/usr/bin/env bash
# README command 2: sets up everything the tests need on a fresh machine
# (Node >= 22, pnpm, dependencies, a build, the local Kafka broker and Schema
# Registry, TimescaleDB built from the vendored source with its two test
# clusters) and runs
# every test suite in one jest invocation. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh
echo "qi: node $(node --version), pnpm $(pnpm --version)"
pnpm install --frozen-lockfile --reporter=silent
# lint and format (biome): seconds, and a failure names the file and line
pnpm --silent lint
pnpm build >/dev/null
scripts/os-tools.sh
# the librdkafka connector's native binding: built from source once (a few minutes), then cached in .cache/rdkafka
scripts/rdkafka.sh
scripts/kafka.sh start
scripts/schema-registry.sh start
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "qi: PostgreSQL is not answering on 127.0.0.1:5432 (start it: pg_ctlcluster --skip-systemctl-redirect 15 main start)" >&2; exit 1; }
# TimescaleDB: built once into .cache/timescaledb, installed into PostgreSQL 15, served on 5433
# (Community license) and 5434 (apache license); the 5432 cluster is left as it is
scripts/timescaledb.sh start
export QI_TEST_TIMESCALE_URL="${QI_TEST_TIMESCALE_URL:-postgres://postgres@127.0.0.1:5433/postgres}"
export QI_TEST_TIMESCALE_APACHE_URL="${QI_TEST_TIMESCALE_APACHE_URL:-postgres://postgres@127.0.0.1:5434/postgres}"
pnpm test --ci "$@"
# packaging: changesets, manifests, exports and types of every package (publint, attw)
node scripts/release-check.mjs
