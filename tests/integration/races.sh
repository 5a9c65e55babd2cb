#!/usr/bin/env bash
# tests/integration/races.sh - a hall's rules hold under concurrency, on
# both backends: eight counter processes (tests/integration/races.c) on one
# set of records at the same moment - one order for one operator, one
# unfinished order for one company (each counter its own operator), order
# numbers never repeated, one active certificate per company, every wrong
# PIN counted, the audit chain intact - on an SQLite file and on a private
# PostgreSQL cluster. Then the server is killed (immediate: as a crash)
# while a unit of work is open, and started again: the unit was not
# written, the counter's next try reaches the server again and writes it
# once; the trail still verifies.
. "$ROOT/tests/lib.sh"
PG=$ROOT/scripts/pg.sh
RACES=$ROOT/build/san/itests/races
chmod 711 "$TEST_TMP"
H=$TEST_TMP/hall; mkdir -p "$H"; chmod 711 "$H"
P=$(free_port)
trap 'bash "$PG" stop "$H" "$P" >/dev/null 2>&1' EXIT

"$RACES" sqlite "$TEST_TMP/races.db" 8
t_eq "the races on SQLite: the helper's own verdict (exit 0)" 0 "$?"

t_check "a private cluster starts" bash "$PG" start "$H" "$P"
CI=$(bash "$PG" status "$H" "$P")
"$RACES" postgresql "$CI" 8
t_eq "the races on PostgreSQL: the helper's own verdict (exit 0)" 0 "$?"

# ---- the server killed during a unit of work ------------------------------------
sql() { psql "$CI" -Atqc "$1" 2>&1; }
coproc HOLD { "$RACES" postgresql "$CI" hold 2>&1; }
read -r -t 20 line <&"${HOLD[0]}"
t_check "a counter holds a unit of work open (an order created in it): '$line'" test "${line%% *}" = held
num=${line#held }
bash "$PG" kill "$H" "$P"
t_check "...the server killed meanwhile (immediate shutdown: a crash)" sh -c "! bash '$PG' status '$H' '$P' 2>/dev/null"
t_check "...and started again (crash recovery)" bash "$PG" start "$H" "$P"
echo go >&"${HOLD[1]}"
exec {out}<&"${HOLD[0]}"             # kept: bash forgets a coprocess's descriptors when it ends
read -r -t 30 commit <&$out; read -r -t 60 again <&$out; read -r -t 10 open <&$out; read -r -t 10 verify <&$out
t_check "the unit's commit fails: the records server named unreachable ('$commit')" \
  sh -c "echo '$commit' | grep -q 'records server unreachable'"
t_check "the counter's next try reaches the server again and writes the unit ('$again')" test "$(echo "$again" | cut -d' ' -f1-2)" = "again 0"
t_eq "...nothing half-written, nothing doubled: one order of that operator" 1 "$(sql "SELECT count(*) FROM orders WHERE operator_id = 'HOLD-OPERATOR'")"
t_eq "...the number the lost unit had is given again, not skipped (no gap)" "$num" "$(echo "$again" | cut -d' ' -f3)"
t_eq "...the open order the counter holds is that one" "open 1" "$open"
t_eq "the audit chain appended across the crash verifies" "verify 0" "$verify"

# ---- the server stops answering (its processes stopped, as a hung host or a
# network that swallows packets looks to a counter) ------------------------------
coproc SILENT { "$RACES" postgresql "$CI" silent 2>&1; }
exec {sin}>&"${SILENT[1]}" {sout}<&"${SILENT[0]}"
read -r -t 20 line <&$sout
t_eq "a counter (busy_ms 500) connected to the server" ready "$line"
PM=$(head -1 "$H/pg/data/postmaster.pid")
SERVER="$PM $(pgrep -P "$PM" | tr '\n' ' ')"
kill -STOP $SERVER
echo go >&$sin
read -r -t 30 unit <&$sout
kill -CONT $SERVER
set -- $unit
t_eq "a unit of work while the server says nothing: given up, 'records server unreachable' ($unit)" "unit -6" "$1 $2"
t_check "...after busy_ms and 5 s of silence, not for ever ($3 ms)" test "${3:-0}" -ge 5000 -a "${3:-99999}" -lt 9000
t_check "...the detail says why" sh -c "echo '$unit' | grep -q 'records server unreachable: no answer for 5 s'"
echo go >&$sin
read -r -t 60 again <&$sout; read -r -t 10 open <&$sout
t_eq "the server answering again: the counter's next try writes the unit" "again 0" "$again"
t_eq "...once: one order of that operator, the counter's open one" "1|open 1" \
  "$(sql "SELECT count(*) FROM orders WHERE operator_id = 'SILENT-OPERATOR'")|$open"
