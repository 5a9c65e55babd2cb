# scripts/daemon.sh - sourced by the embedded hall's service scripts
# (printer.sh, cupsd.sh, crlweb.sh): a background service known by its pid file.
#
#   alive PIDFILE          the process named in PIDFILE runs
#   stop_pidfile PIDFILE   stop it (TERM, up to 5 s, then KILL) and remove PIDFILE

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
