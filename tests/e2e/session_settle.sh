#!/usr/bin/env bash
# tests/e2e/session_settle.sh - the supervisor's settlement screen (日结) on
# the real binary in tmux, against its own scratch database (a --config copy
# whose [db] path points under $TEST_TMP) seeded with a known day of orders
# by records_seed. The screen's total row must equal the total line of
# `kiosk report daily --csv` (computed by a different path), every clerk of
# the day must appear, and the previous day must be empty. P prints the
# settlement sheet through the outbox: the job lands in the test printer's
# spool ($PRINTER_SPOOL), its text (pdftotext) has the CSV's total row and
# the audit anchor, which `audit verify --anchor` accepts; the print is
# audited. A window-66 clerk on the same database gets no settlement entry.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

SEED=$ROOT/build/san/itests/records_seed
cleanup() { tm kill-server >/dev/null 2>&1; }
trap cleanup EXIT

if [ ! -x "$SEED" ]; then t_fail "records_seed helper built" "$SEED missing (make build/san/itests/records_seed)"; exit 0; fi
CONF=$TEST_TMP/settle.conf
DB=$TEST_TMP/settle.db
sed -e "s|^path *=.*|path = $DB|" "$KIOSK_HOME/kiosk.conf" > "$CONF"
TODAY=$(date +%F)
"$SEED" "$DB" "$TODAY" > "$TEST_TMP/seed.out" 2>&1
t_eq "day of orders seeded" 0 $?
printf '%s\n' "$CLERKSUP_PASS" | "$KIOSK" --config "$CONF" clerk add boss supervisor "测试主管" > /dev/null 2>&1
printf '%s\n' "$CLERK66_PASS" | "$KIOSK" --config "$CONF" clerk add w66 window66 "测试66柜员" > /dev/null 2>&1
"$KIOSK" --config "$CONF" report daily --date "$TODAY" --csv > "$TEST_TMP/report.csv"
# total line: date,total,,,done,cash,pos,qr,free,open,cancelled,refunds,refund_amount
want=$(awk -F, '$2 == "total" { print "合计", $5, $6, $7, $8, $9, $11, $12; exit }' "$TEST_TMP/report.csv")

start --mode window66 --config "$CONF"
login boss "$CLERKSUP_PASS"
menu "日结"
expect "settlement for today" "日结 $TODAY"
wait_for "合计"
got=$(screen | grep -E '^ *合计' | tr -s ' ' | sed 's/^ //; s/ $//')
t_eq "total row equals report daily --csv" "$want" "$got"
for c in li zhang wang; do
  if screen | grep -qE "^ *(66|68|自助) +$c "; then t_ok "clerk $c listed"; else t_fail "clerk $c listed" "$(screen)"; fi
done
expect "self-service orders listed" "自助"
sum=$(awk -F, '$2 == "total" { printf "%.2f", $6 + $7 + $8; exit }' "$TEST_TMP/report.csv")
expect "money totals sentence (cash + POS + QR from the CSV)" "共 $sum 元"
tm send-keys -t $S Left
expect "previous day is empty" "当日没有订单"
tm send-keys -t $S Right
expect "back to today" "日结 $TODAY"
tm send-keys -t $S Right
expect "no settlement of a day to come: said" "以后的日子还没有日结"
expect "...still today" "日结 $TODAY"
touch "$TEST_TMP/before-print"; sleep 1
tm send-keys -t $S p
expect "P: the settlement sheet is sent to the printer" "日结单已送打印机"
sheet=
for i in $(seq 1 100); do
  for f in $(find "$PRINTER_SPOOL" -type f -newer "$TEST_TMP/before-print" 2>/dev/null); do
    if pdftotext -layout "$f" - 2>/dev/null | grep -qF "营业日期：$TODAY"; then sheet=$f; break 2; fi
  done
  sleep 0.1
done
t_check "the sheet reached the printer's spool" test -n "$sheet"
pdftotext -layout "$sheet" "$TEST_TMP/sheet.txt" 2>/dev/null
want_sheet=$(awk -F, '$2 == "total" { print "合计", $5, $6, $7, $8, $9, $10, $11, $12, $13; exit }' "$TEST_TMP/report.csv")
t_eq "printed total row equals report daily --csv" "$want_sheet" \
     "$(grep -E '^ *合计' "$TEST_TMP/sheet.txt" | head -1 | tr -s ' ' | sed 's/^ //; s/ $//')"
t_grep "printed sheet names the supervisor" "打印人：boss" "$TEST_TMP/sheet.txt"
anchor=$(grep -oE '审计锚点：[0-9]+:[0-9a-f]{16}' "$TEST_TMP/sheet.txt" | head -1 | sed 's/审计锚点：//')
t_check "printed anchor verifies against the trail" "$KIOSK" --config "$CONF" audit verify --anchor "$anchor"
t_eq "the print is audited with its anchor" 1 \
     "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE actor = 'boss' AND action = 'print' AND detail LIKE '%anchor=$anchor'")"
t_eq "the outbox has the job, taken by the printer (SENT or DONE)" "settle|1" \
     "$(sqlite3 "$DB" "SELECT doc, state IN (1, 2) FROM jobs WHERE doc = 'settle' ORDER BY id DESC LIMIT 1")"
tm send-keys -t $S Escape
tm send-keys -t $S F9
expect "supervisor signs out" "柜员登录"
login w66 "$CLERK66_PASS"
absent "window66 clerk has no settlement entry" "日结"
tm send-keys -t $S F10
wait_for "KIOSK-EXITED" || true
t_check "audit of the scratch database verifies" "$KIOSK" --config "$CONF" audit verify
