#!/usr/bin/env bash
# TimescaleDB for the tests: built from the vendored source, installed into
# PostgreSQL 15, and served by two private clusters beside the machine's own.
#
#   scripts/timescaledb.sh start    build once (cached), install, start both clusters, wait until ready
#   scripts/timescaledb.sh stop     stop both clusters (data is kept)
#   scripts/timescaledb.sh status   exit 0 and print both URLs if both answer with TimescaleDB, else exit 1
#   scripts/timescaledb.sh logs [N] last lines of both server logs
#   scripts/timescaledb.sh reset    stop and wipe the clusters' data (the build stays cached)
#
# Clusters (127.0.0.1, trust auth, user postgres, run as OS user postgres when root):
#   QI_TIMESCALE_PORT (5433)         shared_preload_libraries = 'timescaledb', Community license
#   QI_TIMESCALE_APACHE_PORT (5434)  the same, started with -c timescaledb.license=apache
# The machine's cluster on 5432 is never touched; after the install it lists the
# extension as available without preloading it (the "not preloaded" state the tests cover).
#
# Environment: QI_TIMESCALE_HOME (default <repo>/.cache/timescaledb), QI_TIMESCALE_DATA
# (cluster data; default the cache, or ~postgres/qi-timescaledb when user postgres cannot reach it), QI_PG_BINDIR
# (default /usr/lib/postgresql/15/bin), QI_TIMESCALE_TARBALL (default
# <repo>/../shared/vendor/timescaledb-2.28.3.tar.gz, see its README there; also looked for
# beside the repository a clone was made from).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
VERSION="2.28.3"
# Where the vendored source may be: QI_TIMESCALE_TARBALL alone when set; else beside the
# checkout, one level up (a git worktree sits deeper), or beside the repository this one was
# cloned from when that is a local folder (a clone made elsewhere, e.g. in /tmp).
tarball_candidates() {
  if [[ -n "${QI_TIMESCALE_TARBALL:-}" ]]; then echo "$QI_TIMESCALE_TARBALL"; return 0; fi
  local name="shared/vendor/timescaledb-$VERSION.tar.gz" origin
  echo "$REPO/../$name"
  echo "$REPO/../../$name"
  origin="$(git -C "$REPO" remote get-url origin 2>/dev/null || true)"
  origin="${origin#file://}"
  [[ -d "$origin" ]] && echo "$(cd "$origin" && pwd)/../$name"
  return 0
}
TARBALL=""
while read -r c; do
  if [[ -f "$c" ]]; then TARBALL="$c"; break; fi
done < <(tarball_candidates)
THOME="${QI_TIMESCALE_HOME:-$REPO/.cache/timescaledb}"
BINDIR="${QI_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
PG_CONFIG="$BINDIR/pg_config"
PORT="${QI_TIMESCALE_PORT:-5433}"
APACHE_PORT="${QI_TIMESCALE_APACHE_PORT:-5434}"
DEPS=(postgresql-server-dev-15 cmake gcc make libssl-dev libkrb5-dev)
STAGE="$THOME/stage-$VERSION"

say() { echo "timescaledb: $*"; }
die() { echo "timescaledb: $*" >&2; exit 1; }

# PostgreSQL refuses to run as root: as root, the clusters belong to OS user postgres.
as_pg() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- build and install -------------------------------------------------------

ensure_deps() {
  local missing=() p
  for p in "${DEPS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  say "installing build dependencies: ${missing[*]}"
  local sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$THOME/apt.log" 2>&1 \
    || { tail -n 20 "$THOME/apt.log" >&2; die "apt-get install ${missing[*]} failed (log: $THOME/apt.log)"; }
}

build_key() { echo "$(sha256sum "$TARBALL" | cut -d' ' -f1) $("$PG_CONFIG" --version)"; }

# Builds into a staging tree (make install DESTDIR=...) kept in the cache, so
# later runs and fresh installs only copy files.
ensure_build() {
  [[ -n "$TARBALL" ]] || die "vendored source not found; looked for: $(tarball_candidates | tr '\n' ' ')(set QI_TIMESCALE_TARBALL to the timescaledb-$VERSION.tar.gz file)"
  if [[ -f "$STAGE/.key" && "$(cat "$STAGE/.key")" == "$(build_key)" ]]; then return 0; fi
  local src="$THOME/src-$VERSION" t0=$SECONDS
  say "building TimescaleDB $VERSION from $TARBALL (about 80 s on 2 idle cores)"
  rm -rf "$src" "$STAGE.tmp"
  mkdir -p "$src"
  tar -xzf "$TARBALL" -C "$src" --strip-components=1
  (
    cd "$src"
    ./bootstrap -DPG_CONFIG="$PG_CONFIG" -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
      -DCMAKE_BUILD_TYPE=Release -DAPACHE_ONLY=OFF -DSEND_TELEMETRY_DEFAULT=OFF
    cd build
    make -j"$(nproc)"
    make install DESTDIR="$STAGE.tmp"
  ) >"$THOME/build.log" 2>&1 || { tail -n 40 "$THOME/build.log" >&2; die "build failed (log: $THOME/build.log)"; }
  build_key >"$STAGE.tmp/.key"
  rm -rf "$STAGE" "$src"
  mv "$STAGE.tmp" "$STAGE"
  say "built in $((SECONDS - t0)) s"
}

ensure_installed() {
  local so
  so="$("$PG_CONFIG" --pkglibdir)/timescaledb-$VERSION.so"
  if [[ -f "$so" ]] && cmp -s "$STAGE$so" "$so"; then return 0; fi
  say "installing into $("$PG_CONFIG" --pkglibdir) and $("$PG_CONFIG" --sharedir)/extension"
  local sudo=()
  [[ "$(id -u)" == 0 || -w "$(dirname "$so")" ]] || sudo=(sudo)
  # make install wrote absolute paths (pg_config's) under the staging root. Replace files
  # instead of writing into them: a server still running the old .so segfaults otherwise
  "${sudo[@]}" cp -R --remove-destination "$STAGE/usr/." /usr/
}

# --- clusters ----------------------------------------------------------------

# The clusters' data lives in the cache when OS user postgres can reach it; a
# clone under a private folder (/root/...) puts it in postgres's own home instead.
DATA_ROOT="${QI_TIMESCALE_DATA:-}"
if [[ -z "$DATA_ROOT" ]]; then
  DATA_ROOT="$THOME"
  if [[ "$(id -u)" == 0 ]] && ! runuser -u postgres -- test -x "$(dirname "$THOME")" 2>/dev/null; then
    DATA_ROOT="$(getent passwd postgres | cut -d: -f6)/qi-timescaledb"
  fi
fi
data_dir() { echo "$DATA_ROOT/pg-$1"; }

is_up() { "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$1"; }

ensure_cluster() { # port license
  local data
  data="$(data_dir "$1")"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "creating cluster $data"
    mkdir -p "$data"
    [[ "$(id -u)" == 0 ]] && chown postgres:postgres "$data"
    [[ "$(id -u)" == 0 && "$DATA_ROOT" != "$THOME" ]] && chown postgres:postgres "$DATA_ROOT"
    as_pg "$BINDIR/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C >"$THOME/initdb-$1.log" 2>&1 \
      || { cat "$THOME/initdb-$1.log" >&2; die "initdb failed"; }
    echo "include_if_exists = 'qi.conf'" | as_pg tee -a "$data/postgresql.conf" >/dev/null
  fi
  # rewritten on every start: edit the script, not the file
  as_pg tee "$data/qi.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = ''
shared_preload_libraries = 'timescaledb'
timescaledb.license = '$2'
max_connections = 50
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
# a test server: keep the WAL small (benchmarks write millions of rows)
max_wal_size = 256MB
min_wal_size = 32MB
timescaledb.max_background_workers = 4
max_worker_processes = 12
log_min_messages = warning
EOF
}

start_cluster() { # port license
  if is_up "$1"; then
    say "already running on 127.0.0.1:$1 ($2 license)"
    return 0
  fi
  local data
  data="$(data_dir "$1")"
  ensure_cluster "$1" "$2"
  say "starting cluster on 127.0.0.1:$1 ($2 license), data $data"
  as_pg "$BINDIR/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null 9>&- \
    || { tail -n 30 "$data/server.log" >&2; die "cluster on port $1 did not start (log: $data/server.log)"; }
}

stop_cluster() {
  local data
  data="$(data_dir "$1")"
  if [[ -f "$data/postmaster.pid" ]]; then
    as_pg "$BINDIR/pg_ctl" -D "$data" -m fast -w stop >/dev/null && say "stopped cluster on port $1"
  else
    say "cluster on port $1 not running"
  fi
}

check_cluster() { # port expected-license
  local got
  got="$("$BINDIR/psql" -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atqc \
    "select current_setting('shared_preload_libraries') || ' ' || current_setting('timescaledb.license', true)" 2>/dev/null)" || return 1
  [[ "$got" == "timescaledb $2" ]]
}

do_start() {
  mkdir -p "$THOME"
  ensure_deps
  ensure_build
  ensure_installed
  start_cluster "$PORT" timescale
  start_cluster "$APACHE_PORT" apache
  check_cluster "$PORT" timescale || die "127.0.0.1:$PORT answers but is not a preloaded Community-license TimescaleDB cluster"
  check_cluster "$APACHE_PORT" apache || die "127.0.0.1:$APACHE_PORT answers but is not a preloaded Apache-license TimescaleDB cluster"
  say "ready: postgres://postgres@127.0.0.1:$PORT/postgres (community), postgres://postgres@127.0.0.1:$APACHE_PORT/postgres (apache)"
}

do_status() {
  local ok=0
  if check_cluster "$PORT" timescale; then echo "running on 127.0.0.1:$PORT (community)"; else echo "not running on 127.0.0.1:$PORT"; ok=1; fi
  if check_cluster "$APACHE_PORT" apache; then echo "running on 127.0.0.1:$APACHE_PORT (apache)"; else echo "not running on 127.0.0.1:$APACHE_PORT"; ok=1; fi
  return $ok
}

do_logs() {
  local p
  for p in "$PORT" "$APACHE_PORT"; do
    echo "== $(data_dir "$p")/server.log"
    tail -n "${1:-50}" "$(data_dir "$p")/server.log" 2>/dev/null || true
  done
}

cmd="${1:-}"
shift || true
case "$cmd" in
  start | stop | reset)
    mkdir -p "$THOME"
    exec 9>"$THOME/.lock"
    command -v flock >/dev/null 2>&1 && flock 9
    ;;
esac
case "$cmd" in
  start) do_start ;;
  stop) stop_cluster "$PORT" && stop_cluster "$APACHE_PORT" ;;
  status) do_status ;;
  logs) do_logs "$@" ;;
  reset)
    stop_cluster "$PORT" && stop_cluster "$APACHE_PORT"
    rm -rf "$(data_dir "$PORT")" "$(data_dir "$APACHE_PORT")"
    say "cluster data wiped"
    ;;
  *) echo "usage: $0 start|stop|status|logs [N]|reset" >&2 && exit 2 ;;
esac
