# scripts/daemon.sh - sourced by the embedded hall's service scripts
# (printer.sh, cupsd.sh, crlweb.sh): a background service known by its pid file.
#
#   alive PIDFILE          the process named in PIDFILE runs
#   stop_pidfile PIDFILE   stop it (TERM, up to 5 s, then KILL) and remove PIDFILE
#   wait_started PIDFILE SECONDS NAME LOG...   wait until the caller's `answers` succeeds

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pidfile() {
  local f=$1 pid i
  if [ -f "$f" ]; then
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  fi
}

# wait_started PIDFILE SECONDS NAME LOG...: poll `answers` (defined by the
# caller) until the service answers; fail, showing the tail of each LOG,
# when its process dies first or SECONDS pass.
wait_started() {
  local pidf=$1 secs=$2 name=$3 deadline
  shift 3
  deadline=$((SECONDS + secs))
  until answers; do
    if ! alive "$pidf"; then
      echo "$name exited at start (port busy?):" >&2
      tail -5 "$@" >&2 2>/dev/null || true
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "$name did not answer within ${secs}s (log: $*)" >&2
      return 1
    fi
    sleep 0.1
  done
}
