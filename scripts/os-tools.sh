#!/usr/bin/env bash
# Debian packages the tests need, installed only when missing.
#   scripts/os-tools.sh        programs the tests drive: tmux (the `qi top` screen test) and
#                              prometheus (scrapes a running `qi run`; its packaged service is
#                              not started, tests run their own)
#   scripts/os-tools.sh build  what building librdkafka from source needs (scripts/rdkafka.sh):
#                              a C/C++ toolchain, pkg-config, and the OpenSSL, zlib, zstd, lz4
#                              and SASL headers it links against
set -euo pipefail
missing=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
if [ "${1:-}" = build ]; then
  why="building librdkafka needs them"
  for p in g++ make python3 pkg-config libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev; do
    installed "$p" || missing+=("$p")
  done
else
  why="the tests run them"
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "qi: install ${missing[*]} ($why); no apt-get here" >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "qi: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
# policy-rc.d exit 101: the package's init script must not start a system-wide prometheus on :9090
policy=/usr/sbin/policy-rc.d
created=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod +x "$policy"
  created=1
fi
trap '[ -n "$created" ] && "${sudo[@]}" rm -f "$policy"' EXIT
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
