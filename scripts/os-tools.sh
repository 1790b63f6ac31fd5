#!/usr/bin/env bash
# Debian packages the tests drive as real programs: tmux (the `qi top` screen
# test) and prometheus (scrapes a running `qi run`). Installed only when
# missing; the packaged prometheus service is not started (tests run their own).
set -euo pipefail
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "qi: install ${missing[*]} (the tests run them); no apt-get here" >&2
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
