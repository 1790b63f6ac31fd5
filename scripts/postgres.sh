#!/usr/bin/env bash
# A private PostgreSQL for tests that stop and start the database, so the
# shared one on 5432 is never touched: its own data folder and port, trust auth,
# user postgres. Uses the machine's PostgreSQL binaries (initdb, pg_ctl); as
# root it runs them as the `postgres` user, since initdb refuses root.
#
#   QI_PG_HOME=/tmp/x QI_PG_PORT=15432 scripts/postgres.sh start|stop|status
#   QI_PG_PRELOAD  shared_preload_libraries (default: timescaledb when installed)
#   QI_PG_OPTS     more server options, e.g. "-c timescaledb.license=apache"
set -euo pipefail
HOME_DIR=${QI_PG_HOME:?set QI_PG_HOME to the folder of the private PostgreSQL}
PORT=${QI_PG_PORT:-15432}
BIN=${QI_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)}
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  BIN=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
fi
[ -x "$BIN/initdb" ] || { echo "qi: no PostgreSQL server binaries (initdb, pg_ctl) found: install postgresql, or set QI_PG_BIN" >&2; exit 1; }
DATA="$HOME_DIR/data"
# TimescaleDB must be preloaded to be usable (an un-preloaded CREATE EXTENSION ends the session)
PRELOAD=${QI_PG_PRELOAD-}
if [ -z "${QI_PG_PRELOAD+x}" ] && [ -x "$BIN/pg_config" ] && [ -f "$("$BIN/pg_config" --pkglibdir)/timescaledb.so" ]; then
  PRELOAD=timescaledb
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$HOME_DIR"
      [ "$(id -u)" = 0 ] && chown postgres "$HOME_DIR"
      as_pg "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 >"$HOME_DIR/initdb.log" 2>&1 ||
        { cat "$HOME_DIR/initdb.log" >&2; exit 1; }
    fi
    as_pg "$BIN/pg_ctl" -D "$DATA" -l "$HOME_DIR/server.log" -w -t 60 \
      -o "-p $PORT -k $HOME_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c shared_preload_libraries=$PRELOAD ${QI_PG_OPTS:-}" start >/dev/null ||
      { tail -20 "$HOME_DIR/server.log" >&2; exit 1; }
    echo "qi: private PostgreSQL on 127.0.0.1:$PORT ($DATA)"
    ;;
  stop)
    if [ -f "$DATA/postmaster.pid" ]; then as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null; fi
    ;;
  status)
    as_pg "$BIN/pg_ctl" -D "$DATA" status
    ;;
  *)
    echo "usage: QI_PG_HOME=<dir> QI_PG_PORT=<port> $0 start|stop|status" >&2
    exit 2
    ;;
esac
