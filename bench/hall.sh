#!/usr/bin/env bash
# bench/hall.sh - a hall of many counters on one PostgreSQL (issue 15): a
# private cluster (scripts/pg.sh) in a temporary directory; issuance units
# of work from 1 and 8 stations, side by side with SQLite's; audit appends
# from 8 stations; whole P-256 issuances from 1 and 8 stations on both; the
# daily report on 2,000,000 orders (generated on the server with
# generate_series: two years of a busy hall, ~2,700 a day, and one heavy
# day of 20,000 - the shape bench/report_daily.c gives SQLite).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build/bench/hall_records
H=$(mktemp -d); chmod 711 "$H"
P=$((30000 + RANDOM % 5000))
trap 'bash "$ROOT/scripts/pg.sh" stop "$H" "$P" >/dev/null 2>&1; rm -rf "$H"' EXIT
bash "$ROOT/scripts/pg.sh" start "$H" "$P" >/dev/null
CI=$(bash "$ROOT/scripts/pg.sh" status "$H" "$P")
sql() { psql "$CI" -Atqc "$1"; }
"$B" sqlite "$H/one.db" units 1 300
"$B" postgresql "$CI" units 1 300
"$B" sqlite "$H/eight.db" units 8 100
"$B" postgresql "$CI" units 8 100
"$B" postgresql "$CI" audit 8 250
# whole P-256 issuances (order, key, HSM signature, records) from 1 and 8
# stations: a hall provisioned with its test keys for each run (an issuance
# relabels the key it used); on PostgreSQL its records copied to an emptied
# server first, as make hall does
issue() {   # BACKEND STATIONS RUNS
  local h=$H/issue-$1-$2
  mkdir -p "$h"
  KIOSK_HOME=$h "$ROOT/build/kiosk" hall provision --with-test-keys >/dev/null
  if [ "$1" = sqlite ]; then
    KIOSK_HOME=$h KIOSK=$ROOT/build/kiosk "$B" sqlite "$h/kiosk.db" issue "$2" "$3"
  else
    sql "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public"
    KIOSK_HOME=$h "$ROOT/build/kiosk" db copy --to "$CI" >/dev/null
    KIOSK_HOME=$h KIOSK=$ROOT/build/kiosk "$B" postgresql "$CI" issue "$2" "$3"
  fi
}
issue sqlite 1 40
issue sqlite 8 10
issue postgresql 1 40
issue postgresql 8 10
sql "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public"
"$B" postgresql "$CI" audit 1 1 >/dev/null      # the schema made
t0=$(date +%s.%N)
sql "INSERT INTO orders (number, prefix, day, seq, txn, \"window\", clerk, operator_id, uscc, step, data, amount,
       pay_method, paid_at, state, created, updated)
     SELECT 'B' || g, (ARRAY['66','66','68','00'])[1 + g % 4],
            to_char(date '2024-01-01' + CASE WHEN g > 1980000 THEN 400 ELSE (g % 730) END, 'YYYY-MM-DD'), g,
            (ARRAY['new','renew','lost','damaged','change','unlock','revoke','bind','check'])[1 + g % 9],
            (ARRAY['window66','window66','window68','self'])[1 + g % 4], (ARRAY['li','zhang','wang',''])[1 + g % 4],
            '', '', 'done', '', CASE WHEN g % 9 IN (7, 8) THEN 0 ELSE 20000 END,
            CASE WHEN g % 9 IN (7, 8) THEN '' ELSE (ARRAY['cash','pos','qr'])[1 + g % 3] END,
            CASE WHEN g % 9 IN (7, 8) THEN 0 ELSE 1700000000 END, CASE WHEN g % 50 = 0 THEN 2 ELSE 1 END,
            1700000000, 1700000000
     FROM generate_series(1, 2000000) g"
sql "ANALYZE orders"
t1=$(date +%s.%N)
printf 'postgresql: 2,000,000 orders generated in %.0f s\n' "$(echo "$t1 - $t0" | bc)"
"$B" postgresql "$CI" report 2024-06-15
"$B" postgresql "$CI" report "$(sql "SELECT to_char(date '2024-01-01' + 400, 'YYYY-MM-DD')")"
