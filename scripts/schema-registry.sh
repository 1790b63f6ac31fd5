#!/usr/bin/env bash
# Local Schema Registry for tests: Apicurio Registry (pre-built Quarkus package from
# Maven), in-memory storage, Confluent-compatible API at /apis/ccompat/v7.
#
#   scripts/schema-registry.sh start    fetch and unpack once, start, wait until ready
#   scripts/schema-registry.sh stop     SIGTERM, wait, then SIGKILL (state is in memory: gone)
#   scripts/schema-registry.sh status   exit 0 and print "running on URL" if up, else exit 1
#   scripts/schema-registry.sh url      print the Confluent-compatible base URL
#   scripts/schema-registry.sh logs     last lines of the registry log
#
# Environment:
#   QI_SR_HOME           cache folder (default: <repo>/.cache/schema-registry)
#   QI_SR_HOST           listen host (default 127.0.0.1)
#   QI_SR_PORT           HTTP port (default 18081)
#   QI_SR_MGMT_PORT      management (health) port (default 18082; Quarkus binds 0.0.0.0:9000 otherwise)
#   QI_SR_COMPATIBILITY  global compatibility rule (default BACKWARD)
#   QI_SR_VERSION        Apicurio version (default 3.3.3 with a Java 21+ JDK, else 3.0.9 on Java 17)
#   QI_SR_START_TIMEOUT  seconds to wait for readiness (default 90)
#   QI_SR_HEAP_OPTS      default "-Xms64m -Xmx384m"
#   JAVA_HOME            JDK to use; when unset, the newest JDK >= 21 under /usr/lib/jvm, else `java`
#   MVN                  Maven command (default `mvn`), used only when the package is not cached
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
QI_NAME=schema-registry
# shellcheck source=scripts/lib.sh
. "$SCRIPT_DIR/lib.sh"

SRHOME="${QI_SR_HOME:-$REPO/.cache/schema-registry}"
HOST="${QI_SR_HOST:-127.0.0.1}"
PORT="${QI_SR_PORT:-18081}"
MPORT="${QI_SR_MGMT_PORT:-18082}"
COMPAT="${QI_SR_COMPATIBILITY:-BACKWARD}"
START_TIMEOUT="${QI_SR_START_TIMEOUT:-90}"
HEAP_OPTS="${QI_SR_HEAP_OPTS:--Xms64m -Xmx384m}"
LOG="$SRHOME/registry.log"
PIDFILE="$SRHOME/registry.pid"

java_major() { # java binary -> major version
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

# Apicurio 3.3.x needs Java 21+; 3.0.9 is the last line that runs on Java 17.
pick_java() {
  if [[ -n "${JAVA_HOME:-}" ]]; then
    JAVA="$JAVA_HOME/bin/java"
  else
    JAVA="java"
    local best=0 d v
    for d in /usr/lib/jvm/*/; do
      [[ -x "$d/bin/java" ]] || continue
      v="$(java_major "$d/bin/java")"
      [[ "$v" =~ ^[0-9]+$ ]] && ((v >= 21 && v > best)) && { best=$v; JAVA="$d/bin/java"; }
    done
  fi
  command -v "$JAVA" >/dev/null 2>&1 || [[ -x "$JAVA" ]] || die "java not found (set JAVA_HOME; Java 21+ for Apicurio 3.3.3, 17 for 3.0.9)"
  local major
  major="$(java_major "$JAVA")"
  if [[ -n "${QI_SR_VERSION:-}" ]]; then
    VERSION="$QI_SR_VERSION"
  elif ((major >= 21)); then
    VERSION=3.3.3
  else
    VERSION=3.0.9
    say "Java $major at $JAVA is older than 21 and no JDK 21+ was picked: falling back to Apicurio $VERSION (3.3.3 needs Java 21+: set JAVA_HOME)"
  fi
}

registry_pid() { live_pid "$PIDFILE" 'quarkus-run\.jar|apicurio-registry-app-.*-runner\.jar'; }

base_url() { echo "http://${HOST}:${PORT}/apis/ccompat/v7"; }

is_ready() {
  curl -fsS -m 2 "http://${HOST}:${PORT}/apis/ccompat/v7/subjects" >/dev/null 2>&1
}

# 3.3.x ships quarkus-run.jar (fast-jar layout), 3.0.x one *-runner.jar beside lib/
app_jar() { # dir -> the jar to run
  local j
  for j in "$1/quarkus-run.jar" "$1"/*-runner.jar; do
    [[ -f "$j" ]] && { basename "$j"; return 0; }
  done
  return 1
}

fetch_app() {
  APP="$SRHOME/apicurio-$VERSION"
  app_jar "$APP" >/dev/null && return 0
  local mvn="${MVN:-mvn}" artifact="io.apicurio:apicurio-registry-app:$VERSION:tar.gz:all"
  command -v "$mvn" >/dev/null 2>&1 || die "Maven ($mvn) not found; needed once to fetch $artifact"
  say "fetching $artifact with Maven (about 160 MB, once)"
  local tmp="$SRHOME/fetch.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  if ! "$mvn" -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$tmp" -Dmdep.stripVersion=false \
    >"$SRHOME/mvn.log" 2>&1; then
    cat "$SRHOME/mvn.log" >&2
    rm -rf "$tmp"
    die "Maven could not fetch $artifact (see above, or $SRHOME/mvn.log)"
  fi
  mkdir -p "$tmp/app"
  tar xzf "$tmp"/apicurio-registry-app-*.tar.gz -C "$tmp/app"
  app_jar "$tmp/app" >/dev/null || { rm -rf "$tmp"; die "the package has no quarkus-run.jar or *-runner.jar"; }
  rm -rf "$APP"
  mv "$tmp/app" "$APP"
  rm -rf "$tmp"
}

do_status() {
  if registry_pid >/dev/null && is_ready; then
    echo "running on $(base_url)"
    return 0
  fi
  if is_ready; then
    echo "a registry answers on $(base_url) (not started from $SRHOME)"
    return 0
  fi
  echo "not running"
  return 1
}

do_start() {
  mkdir -p "$SRHOME"
  local pid
  if pid="$(registry_pid)"; then
    is_ready && { say "already running on $(base_url) (pid $pid)"; return 0; }
    say "process $pid exists but is not ready; waiting for it"
  else
    rm -f "$PIDFILE"
    if port_open "$HOST" "$PORT"; then
      is_ready && { say "a registry already answers on $(base_url); using it"; return 0; }
      die "port ${HOST}:${PORT} is in use by something that is not a schema registry (set QI_SR_PORT)"
    fi
    port_open "$HOST" "$MPORT" && die "management port ${HOST}:${MPORT} is in use (set QI_SR_MGMT_PORT)"
    pick_java
    fetch_app
    [[ -f "$LOG" ]] && mv -f "$LOG" "$LOG.1"
    say "starting Apicurio $VERSION on $(base_url) (management ${MPORT}, compatibility $COMPAT), home $SRHOME"
    # shellcheck disable=SC2086
    detach "$APP" "$LOG" "$JAVA" $HEAP_OPTS -XX:+UseSerialGC \
      -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$PORT" \
      -Dquarkus.management.host="$HOST" -Dquarkus.management.port="$MPORT" \
      -Dapicurio.rules.global.compatibility="$COMPAT" \
      -jar "$(app_jar "$APP")"
    pid=$DETACHED_PID
    echo "$pid" >"$PIDFILE"
  fi
  local start_s=$SECONDS
  while ((SECONDS - start_s < START_TIMEOUT)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$LOG" >&2 || true
      rm -f "$PIDFILE"
      die "registry exited during startup (log: $LOG)"
    fi
    if is_ready; then
      # 3.0.x ignores the global-rule property: set the level through the API (idempotent)
      curl -fsS -m 5 -X PUT -H 'Content-Type: application/json' \
        -d "{\"compatibility\":\"$COMPAT\"}" "$(base_url)/config" >/dev/null 2>&1 || true
      say "ready on $(base_url) (pid $pid) after $((SECONDS - start_s))s"
      return 0
    fi
    sleep 0.5
  done
  tail -n 40 "$LOG" >&2 || true
  die "registry not ready after ${START_TIMEOUT}s (still running as pid $pid; log: $LOG)"
}

do_stop() {
  local pid
  if ! pid="$(registry_pid)"; then
    rm -f "$PIDFILE"
    say "not running"
    return 0
  fi
  say "stopping registry (pid $pid)"
  stop_pid "$pid" 20
  rm -f "$PIDFILE"
  say "stopped"
}

cmd="${1:-}"
case "$cmd" in
  start | stop) lock_home "$SRHOME" ;;
esac

case "$cmd" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  url) base_url ;;
  logs) tail -n "${2:-100}" "$LOG" ;;
  *)
    echo "usage: $0 start|stop|status|url|logs [N]" >&2
    exit 2
    ;;
esac
