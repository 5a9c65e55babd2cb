#!/usr/bin/env bash
# tests/run.sh - run every test: cmocka unit tests, integration scripts
# against the real SoftHSM / SQLite / printer, and end-to-end tmux scripts on
# the real binary. Everything runs on the sanitizer build (build/san).
#
# A fresh embedded hall (with test keys) is provisioned under build/test-hall
# ($TEST_HALL overrides; logs in $TEST_LOGS, default build/test-logs) and its
# printer started on a free loopback port. Arguments: run only those scripts.
# Each test reports TAP lines; the last line is "N passed, M failed"; exit
# status 1 on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

export ROOT
export KIOSK=$ROOT/build/san/kiosk
export KIOSK_HOME=${TEST_HALL:-$ROOT/build/test-hall}
export LC_ALL=C.UTF-8
export TZ=${TZ:-Asia/Shanghai}
# libp11/SoftHSM keep process-lifetime allocations: see tests/lsan.supp.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

pass=0; fail=0
LOGDIR=${TEST_LOGS:-$ROOT/build/test-logs}
rm -rf "$LOGDIR" "$KIOSK_HOME"; mkdir -p "$LOGDIR"

# Count one test file's TAP output; print it indented under its name.
tally() { # name logfile exitcode
  local name=$1 log=$2 rc=$3 p f
  p=$(grep -cE '^ok ' "$log"); f=$(grep -cE '^not ok ' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok - $name exited with status $rc" >> "$log"; f=1
  fi
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok - $name reported no test" >> "$log"; f=1
  fi
  pass=$((pass + p)); fail=$((fail + f))
  printf '%-48s %4d passed, %d failed\n' "$name" "$p" "$f"
  if [ "$f" -gt 0 ]; then grep -E -A12 '^not ok ' "$log" | sed 's/^/    /' | head -60; fi
}

# ---- the test hall -------------------------------------------------------
PORT=$((20000 + RANDOM % 20000))
CRL_PORT=$((PORT + 1))
export PRINTER_URI="ipp://localhost:$PORT/ipp/print"
export PRINTER_SPOOL=$KIOSK_HOME/printer/spool
export CRL_BASE="http://localhost:$CRL_PORT"
if ! "$KIOSK" hall provision --with-test-keys --printer-uri "$PRINTER_URI" --crl-base "$CRL_BASE" \
     > "$LOGDIR/provision.log" 2>&1; then
  cat "$LOGDIR/provision.log"
  echo "0 passed, 1 failed"; exit 1
fi
export SOFTHSM2_CONF=$KIOSK_HOME/softhsm2.conf
# The test hall's clerks, with known passwords for the e2e scripts.
export CLERK66_PASS=test-w66-pass CLERK68_PASS=test-w68-pass CLERKSUP_PASS=test-boss-pass
printf '%s\n' "$CLERK66_PASS" | "$KIOSK" clerk add w66 window66 "测试66柜员" >> "$LOGDIR/provision.log" 2>&1
printf '%s\n' "$CLERK68_PASS" | "$KIOSK" clerk add w68 window68 "测试68柜员" >> "$LOGDIR/provision.log" 2>&1
printf '%s\n' "$CLERKSUP_PASS" | "$KIOSK" clerk add boss supervisor "测试主管" >> "$LOGDIR/provision.log" 2>&1
bash scripts/printer.sh start "$KIOSK_HOME" "$PORT" > "$LOGDIR/printer.log" 2>&1 || { cat "$LOGDIR/printer.log"; }
# the CA's publication point: the CRL and the CA certificate where the certificates say
bash scripts/crlweb.sh start "$KIOSK_HOME" "$CRL_PORT" "$KIOSK_HOME/crl" > "$LOGDIR/crlweb.log" 2>&1 || cat "$LOGDIR/crlweb.log"
"$KIOSK" ca crl >> "$LOGDIR/crlweb.log" 2>&1 || cat "$LOGDIR/crlweb.log"
trap 'bash "$ROOT/scripts/printer.sh" stop "$KIOSK_HOME" "$PORT" >/dev/null 2>&1
      bash "$ROOT/scripts/crlweb.sh" stop "$KIOSK_HOME" "$CRL_PORT" >/dev/null 2>&1' EXIT

# With arguments, only those scripts run (no unit tests): bash tests/run.sh tests/e2e/x.sh
if [ $# -gt 0 ]; then SCRIPTS=("$@"); UNITS=(); else
  SCRIPTS=(tests/layers.sh tests/integration/*.sh tests/e2e/*.sh); UNITS=(build/san/tests/test_*); fi

# ---- unit tests ------------------------------------------------------------
for bin in "${UNITS[@]}"; do
  [ -x "$bin" ] || continue
  name=unit/$(basename "$bin"); log=$LOGDIR/$(basename "$bin").log
  CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$bin" > "$log" 2>&1; rc=$?
  tally "$name" "$log" "$rc"
done

# ---- integration and end-to-end scripts ------------------------------------
for script in "${SCRIPTS[@]}"; do
  [ -f "$script" ] || continue
  name=${script#tests/}; log=$LOGDIR/$(echo "$name" | tr / _).log
  TEST_TMP=$(mktemp -d); export TEST_TMP
  # a hang guard, not a timing check: 600 s, or what the script's own
  # "# run.sh timeout: N" line asks (the fault sweep: hundreds of faults)
  limit=$(sed -n 's/^# run\.sh timeout: \([0-9]*\)$/\1/p' "$script" | head -1)
  timeout "${limit:-600}" bash "$script" > "$log" 2>&1; rc=$?
  rm -rf "$TEST_TMP"
  # each script starts with no key plugged: what one left in is pulled (and said in its log)
  for k in "$KIOSK_HOME"/ports/*; do
    [ -e "$k" ] || continue
    echo "# left plugged by $name: $(basename "$k") (pulled)" >> "$log"
    "$KIOSK" dev unplug "$(basename "$k")" > /dev/null 2>&1 || rm -f "$k"
  done
  tally "$name" "$log" "$rc"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
