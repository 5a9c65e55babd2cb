#!/usr/bin/env bash
# tests/integration/audit_pg.sh - the audit trail on a hall's PostgreSQL
# server keeps what the SQLite file's DB-head gives it: every counter keeps,
# on its own machine ([db] witness), the head of the trail as it last
# committed it, so the newest rows cut off the server (by someone able to
# switch off the append-only trigger) are found by `kiosk audit verify`
# at that counter, although the chain left on the server still holds.
. "$ROOT/tests/lib.sh"
pg_private
sql() { psql "$CI" -Atqc "$1" 2>&1; }
# station CONF STATION WITNESS: the test hall's configuration on the server
station() {
  sed -e "/^\[db\]/a backend = postgresql\nconninfo = $CI\nwitness = $3" -e "/^backend *=/d" -e "/^conninfo *=/d" \
      -e "/^witness *=/d" -e "s/^station *=.*/station = $2/" "$KIOSK_HOME/kiosk.conf" > "$1"
}
station "$TEST_TMP/w66.conf" w66-1 "$TEST_TMP/w66.head"
station "$TEST_TMP/w68.conf" w68-1 "$TEST_TMP/w68.head"

"$KIOSK" db copy --to "$CI" > "$TEST_TMP/copy.out" 2>&1
t_eq "the test hall's records copied onto the server (exit 0)" 0 "$?"
printf '%s\n' 'w66-pass-aud1' | "$KIOSK" --config "$TEST_TMP/w66.conf" clerk add audw66 window66 "审计柜员甲" > /dev/null 2>&1
printf '%s\n' 'w66-pass-aud2' | "$KIOSK" --config "$TEST_TMP/w66.conf" clerk add audw67 window66 "审计柜员乙" > /dev/null 2>&1
N=$(sql "SELECT max(id) FROM audit")
t_eq "two clerks added at counter w66-1: audited on the server" 2 "$(sql "SELECT count(*) FROM audit WHERE action = 'clerk.add' AND detail LIKE '%audw6%'")"
read -r WID WHASH < "$TEST_TMP/w66.head"
t_eq "...the counter's witness names the newest row and its hash" "$N $(sql "SELECT hash FROM audit WHERE id = $N")" "$WID $WHASH"
t_eq "...kept for this machine's user alone" 600 "$(stat -c %a "$TEST_TMP/w66.head")"
t_check "...nothing witnessed at w68-1, which wrote nothing" test ! -e "$TEST_TMP/w68.head"
"$KIOSK" --config "$TEST_TMP/w66.conf" audit verify > "$TEST_TMP/v1.out" 2>&1
t_eq "audit verify at w66-1: intact (exit 0)" 0 "$?"

# the newest row cut off, the trigger switched off for it and the head row moved back
sql "ALTER TABLE audit DISABLE TRIGGER USER; DELETE FROM audit WHERE id = $N; ALTER TABLE audit ENABLE TRIGGER USER;
     UPDATE audit_head SET id = id - 1, hash = (SELECT hash FROM audit WHERE id = $((N - 1))) WHERE one = 1" > /dev/null
t_eq "the newest row deleted on the server" "$((N - 1))" "$(sql "SELECT max(id) FROM audit")"
"$KIOSK" --config "$TEST_TMP/w66.conf" audit verify > "$TEST_TMP/v2.out" 2>&1
t_eq "audit verify at w66-1: fails (exit 1)" 1 "$?"
t_grep "...the chain cut short, naming the row its witness holds" "审计链被截短：记录之外保存的最新行为第 $N 行" "$TEST_TMP/v2.out"
"$KIOSK" --config "$TEST_TMP/w68.conf" audit verify > "$TEST_TMP/v3.out" 2>&1
t_eq "...a counter that witnessed nothing sees a chain that holds (exit 0): each counter vouches for what it wrote" 0 "$?"
# a row added after the cut does not hide it: the witness is never moved back
printf '%s\n' 'w66-pass-aud3' | "$KIOSK" --config "$TEST_TMP/w68.conf" clerk add audw68 window68 "审计柜员丙" > /dev/null 2>&1
t_eq "...a later row written at w68-1 takes the deleted row's number" "$N" "$(sql "SELECT max(id) FROM audit")"
"$KIOSK" --config "$TEST_TMP/w66.conf" audit verify > "$TEST_TMP/v4.out" 2>&1
t_eq "...audit verify at w66-1 still fails (exit 1)" 1 "$?"
t_grep "...row $N is not the row it witnessed" "第 $N 行的内容与其哈希不符" "$TEST_TMP/v4.out"
