#!/usr/bin/env bash
# tests/integration/print_many.sh - one outbox, several kiosk processes (window
# 66, window 68 and a terminal on one hall's records), each job printed once.
# Six receipts are queued with `kiosk print sample` while the printer is down;
# the printer comes back; three kiosk processes then pump the outbox at the
# same time, again and again (`kiosk print outbox --pump`). The printer must
# receive exactly one job per outbox job: counted in the files ippeveprinter
# keeps. Run both ways: straight to the printer (ipp://; the printer is what
# is down) and through a private cupsd queue (scripts/cupsd.sh; the print
# server is what is down), as a hall prints.
. "$(dirname "$0")/../lib.sh"
PR=${ROOT:-.}/scripts/printer.sh
CD=${ROOT:-.}/scripts/cupsd.sh
K=${KIOSK:-${ROOT:-.}/build/san/kiosk}
chmod o+x "$TEST_TMP"   # cupsd's filters run as lp and must reach its spool

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for h in "$TEST_TMP"/direct "$TEST_TMP"/cupsd; do
    [ -f "$h/ports" ] || continue
    read -r pp cp < "$h/ports"
    bash "$CD" stop "$h" "$cp" >/dev/null 2>&1; bash "$PR" stop "$h" "$pp" >/dev/null 2>&1
  done
}
trap cleanup EXIT

run_way() { # direct|cupsd
  local way=$1 h=$TEST_TMP/$1 pp cp uri sock k i n dup
  mkdir -p "$h"; chmod 711 "$h"
  pp=$(free_port); cp=$(free_port); while [ "$cp" = "$pp" ]; do cp=$(free_port); done
  echo "$pp $cp" > "$h/ports"
  if [ "$way" = cupsd ]; then
    # the queue is added with the printer up; then the print server goes
    # down (the counters cannot reach it) and the receipts wait in the outbox
    bash "$PR" start "$h" "$pp" >/dev/null || { t_fail "$way: printer starts"; return; }
    sock=$(bash "$CD" start "$h" "$cp" "ipp://localhost:$pp/ipp/print" hallq) || { t_fail "$way: cupsd starts"; return; }
    bash "$CD" stop "$h" "$cp" >/dev/null
    export CUPS_SERVER=$sock; uri=hallq
  else
    uri=ipp://localhost:$pp/ipp/print
  fi
  printf '[db]\npath = %s/kiosk.db\n[printer]\nuri = %s\ntimeout_ms = 1000\n[hall]\nlang = en\n' "$h" "$uri" > "$h/kiosk.conf"
  export KIOSK_HOME=$h
  rm -rf "$h/printer/spool"; mkdir -p "$h/printer/spool"

  for k in 1 2 3 4 5 6; do "$K" print sample --doc receipt >/dev/null 2>&1; done
  n=$(sqlite3 "$h/kiosk.db" "SELECT count(*) FROM jobs")
  t_eq "$way: six receipts recorded" 6 "$n"
  t_eq "$way: all six wait in the outbox while the $way printer is down" 6 \
    "$(sqlite3 "$h/kiosk.db" "SELECT count(*) FROM jobs WHERE state=0")"
  if [ "$way" = cupsd ]; then
    bash "$CD" start "$h" "$cp" "ipp://localhost:$pp/ipp/print" hallq >/dev/null || { t_fail "$way: cupsd comes back"; return; }
  else
    bash "$PR" start "$h" "$pp" >/dev/null || { t_fail "$way: printer comes back"; return; }
  fi

  # every job due again (past its back-off), then three kiosk processes pump
  # at the same instant (a barrier file), and again and again
  w=$(( $(sqlite3 "$h/kiosk.db" "SELECT COALESCE(MAX(next_try),0) FROM jobs WHERE state=0") - $(date +%s) + 1 ))
  [ "$w" -gt 0 ] && sleep "$w"
  rm -f "$h/go"; PIDS=()
  for k in 1 2 3; do
    ( while [ ! -e "$h/go" ]; do sleep 0.01; done
      for i in $(seq 1 20); do
        "$K" print outbox --pump >/dev/null 2>&1
        [ "$(sqlite3 "$h/kiosk.db" "SELECT count(*) FROM jobs WHERE state=2")" = 6 ] && break
        sleep 0.1
      done ) & PIDS+=($!)
  done
  sleep 0.3; touch "$h/go"
  wait "${PIDS[@]}"; PIDS=()
  for i in $(seq 1 100); do
    [ "$(sqlite3 "$h/kiosk.db" "SELECT count(*) FROM jobs WHERE state=2")" = 6 ] && break
    "$K" print outbox --pump >/dev/null 2>&1; sleep 0.2
  done
  t_eq "$way: every job done" 6 "$(sqlite3 "$h/kiosk.db" "SELECT count(*) FROM jobs WHERE state=2")"
  for i in $(seq 1 50); do [ "$(ls "$h/printer/spool" | grep -c '\.pdf$')" -ge 6 ] && break; sleep 0.1; done
  sleep 1   # a duplicate would arrive now
  t_eq "$way: the printer received exactly six jobs" 6 "$(ls "$h/printer/spool" | grep -c '\.pdf$')"
  dup=$(ls "$h/printer/spool" | sed -n 's/.*kiosk-\([0-9]*\)-.*\.pdf$/\1/p' | sort | uniq -d | xargs)
  t_eq "$way: no outbox job printed twice" "" "$dup"
  for k in 1 2 3 4 5 6; do
    t_eq "$way: job $k at the printer once" 1 "$(ls "$h/printer/spool" | grep -c "kiosk-$k-.*\.pdf$")"
  done
  t_eq "$way: no claim left behind" 0 "$(sqlite3 "$h/kiosk.db" "SELECT count(*) FROM jobs WHERE claim_owner <> ''")"
  unset CUPS_SERVER
}

run_way direct
run_way cupsd
