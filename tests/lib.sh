# tests/lib.sh - sourced by every test script under tests/integration and tests/e2e.
#
# A script reports each check as one TAP line ("ok - NAME" / "not ok - NAME")
# through t_ok / t_fail / t_check; tests/run.sh counts them. A script that
# exits non-zero without reporting any failure counts as one failed test.
#
# Environment provided by tests/run.sh:
#   ROOT        checkout root
#   KIOSK       the kiosk binary under test (sanitizer build)
#   KIOSK_HOME  a fresh embedded hall provisioned for this test run
#   SOFTHSM2_CONF  that hall's SoftHSM configuration
#   TEST_TMP    a scratch directory for this script, removed afterwards
#   PRINTER_URI the hall's test printer (ipp://localhost:PORT/ipp/print)
#   PRINTER_SPOOL  directory where that printer keeps received job files

t_ok()   { echo "ok - $*"; }
t_fail() { local name=$1; shift; echo "not ok - $name"; [ $# -gt 0 ] && echo "#   $*"; return 0; }

# t_check NAME COMMAND...: ok when COMMAND succeeds (its output is shown on failure).
t_check() {
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then t_ok "$name"; else t_fail "$name" "$(printf '%s' "$out" | tail -5 | sed 's/^/#   /')"; fi
}

# t_grep NAME PATTERN FILE: ok when FILE contains PATTERN (fixed string).
t_grep() {
  if grep -qF -- "$2" "$3"; then t_ok "$1"; else t_fail "$1" "'$2' not found in $3: $(head -c 600 "$3")"; fi
}

# t_eq NAME EXPECTED ACTUAL
t_eq() {
  if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "expected '$2', got '$3'"; fi
}

# a TCP port on 127.0.0.1 nobody listens on now (for a private server or printer)
free_port() { local p; while :; do p=$((20000 + RANDOM % 20000)); ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && { echo $p; return; }; done; }

# pg_private: a private PostgreSQL cluster for this test, started by
# scripts/pg.sh as make hall starts one (as an unprivileged user) under
# $TEST_TMP/hall on a free port, stopped when the script exits; one test
# line. Sets PG (the script), H, P and CI (its libpq conninfo).
pg_private() {
  PG=$ROOT/scripts/pg.sh
  chmod 711 "$TEST_TMP"                # the server's user reaches its own directory below
  H=$TEST_TMP/hall; mkdir -p "$H"; chmod 711 "$H"
  P=$(free_port)
  trap 'bash "$PG" stop "$H" "$P" >/dev/null 2>&1' EXIT
  t_check "a private cluster starts" bash "$PG" start "$H" "$P"
  CI=$(bash "$PG" status "$H" "$P")
}

# key_plug LABEL|SERIAL: plug a test-hall key, print its serial (kept in a
# file, as it runs in a command substitution); key_unplug SERIAL;
# key_unplug_all: pull every key key_plug plugged (a script's EXIT trap).
key_plug() { local s; s=$("$KIOSK" dev plug "$1" 2>/dev/null | grep -o '[0-9a-f]\{16\}' | head -1); echo "$s" >> "$TEST_TMP/plugged"; echo "$s"; }
key_unplug() { "$KIOSK" dev unplug "$1" > /dev/null 2>&1; }
key_unplug_all() { [ -f "$TEST_TMP/plugged" ] && while read -r s; do key_unplug "$s"; done < "$TEST_TMP/plugged"; return 0; }

# hung_listener PORT: a printer that hangs - a listener on PORT that accepts
# every connection and never answers - started in the background (its pid in
# HANG_PID, gone after 120 s at most); returns once it accepts.
hung_listener() {
  timeout 120 python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $1)); s.listen(16); keep = []
while True:
    c, _ = s.accept(); keep.append(c)
" & HANG_PID=$!
  local i
  for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done
}
