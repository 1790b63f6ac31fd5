# shellcheck shell=bash
# What scripts/kafka.sh and scripts/schema-registry.sh share: messages, a port probe, and
# the life of one background JVM kept in a pid file under a home folder. Sourced, after
# setting QI_NAME (the prefix of every message); defines REPO.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { echo "$QI_NAME: $*"; }
die() { echo "$QI_NAME: $*" >&2; exit 1; }

port_open() { # host port
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# Prints the pid in the pid file if that process is alive and its command line matches the
# pattern (grep -E): a pid the system recycled for another program is not ours.
live_pid() { # pidfile pattern
  [[ -f "$1" ]] || return 1
  local pid
  pid="$(cat "$1" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -Eq "$2" || return 1
  fi
  echo "$pid"
}

# Runs a command in the background in its own session (setsid where there is one), so that
# it outlives this script and a Ctrl-C of the caller; output appended to the log. Sets
# DETACHED_PID. fd 9 (the lock) is closed for it, or it would hold the lock while it runs.
detach() { # dir log command...
  local dir="$1" log="$2" launcher=()
  shift 2
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  ( cd "$dir" && exec "${launcher[@]}" nohup "$@" </dev/null >>"$log" 2>&1 9>&- ) &
  DETACHED_PID=$!
}

# SIGTERM, then SIGKILL once the timeout has passed.
stop_pid() { # pid timeout-seconds
  local start_s=$SECONDS
  kill -TERM "$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do
    if ((SECONDS - start_s >= $2)); then
      say "still alive after $2s, sending SIGKILL"
      kill -KILL "$1" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
}

# Serialises start/stop of one home between concurrent callers (two checkouts, two CI jobs).
lock_home() { # dir
  mkdir -p "$1"
  exec 9>"$1/.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
}
