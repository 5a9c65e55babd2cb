#!/usr/bin/env bash
# tests/integration/records.sh - the records commands on the real binary:
# clerk add/list/disable/passwd, audit verify before and after tampering
# with the sqlite3 shell, the audit anchor (audit head, verify --anchor)
# against deleting the newest rows, report daily (table and CSV) and the
# settlement sheet (--out, read back with pdftotext; --print with no
# printer leaves the job queued). Uses its own scratch
# hall under $TEST_TMP (KIOSK_HOME with only kiosk.db), not the shared one.
source "$(dirname "$0")/../lib.sh"
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
KIOSK=${KIOSK:-$ROOT/build/san/kiosk}
SEED=$ROOT/build/san/itests/records_seed
TEST_TMP=${TEST_TMP:-$(mktemp -d)}
export KIOSK_HOME=$TEST_TMP/hall
mkdir -p -m 711 "$KIOSK_HOME"
DB=$KIOSK_HOME/kiosk.db
k() { "$KIOSK" --lang en "$@"; }
out=$TEST_TMP/out; errf=$TEST_TMP/err

# ---- clerks ------------------------------------------------------------------
echo 'first-pass-66' | k clerk add li window66 "李明" > "$out" 2> "$errf"
t_eq "clerk add exits 0" 0 $?
t_grep "clerk add says so" "li" "$out"
t_check "database created at KIOSK_HOME/kiosk.db" test -s "$DB"
echo 'boss-password' | k clerk add boss supervisor "王主管" > /dev/null 2>&1
t_eq "second clerk added" 0 $?

echo 'another-pass' | k clerk add li window68 "Other" > "$out" 2> "$errf"
t_eq "duplicate login refused (exit 1)" 1 $?
t_grep "duplicate names the login" "li already exists" "$errf"

echo 'short' | k clerk add wu window66 "Wu" > "$out" 2> "$errf"
t_eq "short password refused (exit 1)" 1 $?
t_grep "short password error names the field" "password" "$errf"

echo 'long-enough-1' | k clerk add wu cashier "Wu" > "$out" 2> "$errf"
t_eq "unknown role is bad usage (exit 2)" 2 $?
t_grep "role error names the field" "role" "$errf"

k clerk add onlyone > /dev/null 2>&1 < /dev/null
t_eq "missing arguments is bad usage (exit 2)" 2 $?

k clerk list > "$out" 2> "$errf"
t_eq "clerk list exits 0" 0 $?
t_grep "list shows li" "li	window66	active	李明" "$out"
t_grep "list shows boss" "boss	supervisor	active	王主管" "$out"
t_eq "refused clerk not stored" 0 "$(grep -c '^wu' "$out")"

k clerk disable li > "$out" 2> "$errf"
t_eq "clerk disable exits 0" 0 $?
k clerk list > "$out"
t_grep "disabled clerk listed as disabled" "li	window66	disabled" "$out"
now=$(date +%s)
sqlite3 "$DB" "INSERT INTO login_guard (login, fails, updated) VALUES ('boss', '$now,$((now-1)),$((now-2)),$((now-3)),$((now-4))', $now)"
k clerk list > "$out"
t_grep "a clerk locked out by failed sign-ins listed as locked, with the minutes left" "boss	supervisor	locked out after failed sign-ins (15 more minutes)" "$out"
sqlite3 "$DB" "DELETE FROM login_guard WHERE login = 'boss'"
k clerk disable nobody > /dev/null 2> "$errf"
t_eq "disable unknown login exits 1" 1 $?
t_grep "unknown login named" "nobody" "$errf"

echo 'second-pass-66' | k clerk passwd boss > "$out" 2> "$errf"
t_eq "clerk passwd exits 0" 0 $?
echo 'second-pass-66' | k clerk passwd nobody > /dev/null 2>&1
t_eq "passwd unknown login exits 1" 1 $?

# no password, plain, anywhere in the files
if grep -aq -e 'first-pass-66' -e 'boss-password' -e 'second-pass-66' "$DB"*; then
  t_fail "no plain password in the database files"
else
  t_ok "no plain password in the database files"
fi
t_eq "hashes are scrypt with parameters" 2 "$(sqlite3 "$DB" "SELECT count(*) FROM clerks WHERE pw_hash LIKE 'scrypt\$16384\$8\$1\$%'")"

# ---- audit -----------------------------------------------------------------------
rows=$(sqlite3 "$DB" "SELECT count(*) FROM audit")
t_check "admin commands were audited" test "$rows" -ge 4
k audit verify > "$out" 2> "$errf"
t_eq "audit verify exits 0 when intact" 0 $?
t_grep "audit verify says OK with the row count" "OK: $rows rows" "$out"

cp "$DB" "$TEST_TMP/pristine.db"
sqlite3 "$DB" "UPDATE audit SET detail = 'x' WHERE id = 2" > /dev/null 2>&1
t_eq "trigger stops a plain UPDATE" "$(sqlite3 "$TEST_TMP/pristine.db" "SELECT detail FROM audit WHERE id = 2")" \
     "$(sqlite3 "$DB" "SELECT detail FROM audit WHERE id = 2")"

tamper() { sqlite3 "$DB" "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; $1"; }

tamper "UPDATE audit SET detail = 'login=li role=supervisor' WHERE id = 2"
k audit verify > "$out" 2> "$errf"
t_eq "edited row: verify exits 1" 1 $?
t_grep "edited row: names row 2" "row 2:" "$out"

cp "$TEST_TMP/pristine.db" "$DB"; rm -f "$DB-wal" "$DB-shm"
tamper "DELETE FROM audit WHERE id = 3"
k audit verify > "$out" 2> "$errf"
t_eq "deleted row: verify exits 1" 1 $?
t_grep "deleted row: names the row after the gap" "row 4:" "$out"

cp "$TEST_TMP/pristine.db" "$DB"; rm -f "$DB-wal" "$DB-shm"
tamper "UPDATE audit SET id = -1 WHERE id = 1; UPDATE audit SET id = 1 WHERE id = 2; UPDATE audit SET id = 2 WHERE id = -1"
k audit verify > "$out" 2> "$errf"
t_eq "swapped rows: verify exits 1" 1 $?
t_grep "swapped rows: names row 1" "row 1:" "$out"

cp "$TEST_TMP/pristine.db" "$DB"; rm -f "$DB-wal" "$DB-shm"
k audit verify > /dev/null 2>&1
t_eq "restored copy verifies again" 0 $?

# ---- audit anchor: the newest rows deleted -----------------------------------------
# Each row's hash covers the row before it, so rows deleted INSIDE the trail
# break the chain (above). Deleting the NEWEST rows leaves a shorter chain in
# which every remaining row still matches its predecessor: nothing left
# refers to the deleted rows. The chain's head is also kept beside the
# records (DB-head), which shows the cut; one who deletes that file as well
# is caught by a head noted before (the anchor printed on the settlement sheet).
k audit head > "$out" 2> "$errf"
t_eq "audit head exits 0" 0 $?
anchor=$(grep -oE '[0-9]+:[0-9a-f]{16}$' "$out" | tail -1)
head_id=${anchor%%:*}
t_eq "audit head names the newest row" "$(sqlite3 "$DB" "SELECT max(id) FROM audit")" "$head_id"
t_grep "audit head shows its full hash" "$(sqlite3 "$DB" "SELECT hash FROM audit WHERE id = $head_id")" "$out"
t_eq "anchor is the first 16 hex characters of that hash" \
     "$(sqlite3 "$DB" "SELECT substr(hash, 1, 16) FROM audit WHERE id = $head_id")" "${anchor#*:}"
k audit verify --anchor "$anchor" > "$out" 2> "$errf"
t_eq "verify --anchor exits 0 while the anchored row is there" 0 $?
t_grep "verify --anchor says the row is present" "row $head_id is present" "$out"

tamper "DELETE FROM audit WHERE id >= $((head_id - 1))"
k audit verify > "$out" 2> "$errf"
t_eq "newest two rows deleted: verify fails with no anchor (the head kept beside the records, DB-head)" 1 $?
t_grep "...naming the row the head beside the records says is the newest" "the head kept beside the records is row $head_id" "$out"
mv "$DB-head" "$TEST_TMP/head.bak"
k audit verify > "$out" 2> "$errf"
t_eq "...with that file deleted too, the shorter chain alone is consistent: verify passes" 0 $?
k audit verify --anchor "$anchor" > "$out" 2> "$errf"
t_eq "newest two rows deleted: verify with the earlier anchor exits 1" 1 $?
t_grep "anchor failure names the missing row" "row $head_id is missing" "$out"
t_grep "anchor failure says where the trail now ends" "now ends at row $((head_id - 2))" "$out"

cp "$TEST_TMP/pristine.db" "$DB"; rm -f "$DB-wal" "$DB-shm"
k audit verify --anchor "$head_id:0000000000000000" > "$out" 2> "$errf"
t_eq "anchor with another hash exits 1" 1 $?
t_grep "anchor with another hash names the row" "row $head_id has hash ${anchor#*:}" "$out"
k audit verify --anchor "${anchor%%:*}:$(printf '%s' "${anchor#*:}" | tr a-f A-F)" > /dev/null 2>&1
t_eq "anchor hash is compared without regard to case" 0 $?
k audit verify --anchor "12-abc" > /dev/null 2> "$errf"
t_eq "malformed anchor is bad usage (exit 2)" 2 $?
t_grep "malformed anchor names --anchor" "--anchor" "$errf"

# ---- daily settlement ------------------------------------------------------------
day=2026-11-22
expect=$("$SEED" "$DB" "$day")
t_eq "seed helper ran" 0 $?
k report daily --date "$day" --csv > "$out" 2> "$errf"
t_eq "report daily --csv exits 0" 0 $?
t_eq "CSV header" "date,window,clerk,txn,done,cash,pos,qr,free,open,cancelled,refunds,refund_amount,paid_open,paid_open_amount,refunded,refunded_amount" "$(head -1 "$out")"
t_eq "CSV total matches the seed's recount" "$expect" "$(tail -1 "$out")"
t_grep "CSV line for the self-service refund" "$day,self,,renew,0,0.00,0.00,0.00,0,0,1,1,150.00" "$out"
t_grep "CSV line for the self-service order paid and left: flagged" "$day,self,,selfrenew,0,0.00,0.00,0.00,0,1,0,0,0.00,1,50.00" "$out"
t_grep "CSV line for the free damaged-key swap" "$day,window66,zhang,damaged,1,0.00,0.00,0.00,1,0,0,0,0.00" "$out"

cp "$out" "$TEST_TMP/report.csv"

# ---- the settlement sheet, read back from the PDF -----------------------------------
"$KIOSK" report daily --date "$day" --out "$TEST_TMP/settle.pdf" > "$out" 2> "$errf"
t_eq "report daily --out exits 0 (Chinese by default)" 0 $?
pdftotext -layout "$TEST_TMP/settle.pdf" "$TEST_TMP/settle.txt"
t_grep "sheet has its title" "日结单" "$TEST_TMP/settle.txt"
t_grep "sheet names the day" "营业日期：$day" "$TEST_TMP/settle.txt"
t_check "column headings whole (未完成, 已取消 never broken), in one row" \
  grep -qE "窗口 +柜员 +业务 +现金 +POS +扫码 +未完成 +已取消 +应退金额" "$TEST_TMP/settle.txt"
t_check "...the two-line headings broken between their words (完成/笔数, 免费/补办, 应退/笔数)" \
  grep -qE "^ *完成 +免费 +应退 *$" "$TEST_TMP/settle.txt"
want=$(awk -F, '$2 == "total" { print "合计", $5, $6, $7, $8, $9, $10, $11, $12, $13 }' "$TEST_TMP/report.csv")
got=$(grep -E '^ *合计' "$TEST_TMP/settle.txt" | head -1 | tr -s ' ' | sed 's/^ //; s/ $//')
t_eq "sheet total row equals the CSV total (done cash pos qr free open cancelled refunds refund)" "$want" "$got"
rows_ok=0; rows_n=0
while IFS=, read -r _ win clerk txn rest; do
  [ "$win" = total ] && continue
  rows_n=$((rows_n + 1))
  nums=$(printf '%s' "${rest%,*,*,*,*}" | tr ',' ' ')     # the sheet's columns: not the paid-but-open and refunded pairs
  tr -s ' ' < "$TEST_TMP/settle.txt" | grep -E " ${clerk:--} " | grep -qE " $nums *\$" && rows_ok=$((rows_ok + 1))
done < <(tail -n +2 "$TEST_TMP/report.csv")
t_check "the CSV has lines to compare" test "$rows_n" -ge 6
t_eq "every CSV line has its row on the sheet (clerk and numbers)" "$rows_n" "$rows_ok"
sum=$(awk -F, '$2 == "total" { printf "%.2f", $6 + $7 + $8 }' "$TEST_TMP/report.csv")
t_grep "sheet sums the money taken (cash + POS + QR)" "共 $sum 元" "$TEST_TMP/settle.txt"
t_grep "sheet has the free replacements" "免费补办" "$TEST_TMP/settle.txt"
t_grep "sheet flags the order paid and left, to finish or refund" "已付款未办结 1 笔，共 50.00 元（须办结，否则退款）" "$TEST_TMP/settle.txt"
"$KIOSK" report daily --date "$day" > "$TEST_TMP/table.txt" 2> "$errf"
t_grep "the table says it too" "已付款未办结 1 笔，共 50.00 元：须办结，否则退款" "$TEST_TMP/table.txt"
t_grep "the table names the window, not its code" "66号窗口" "$TEST_TMP/table.txt"
t_grep "...and the transaction by its title" "证书新办" "$TEST_TMP/table.txt"
t_check "...no raw code left in its rows" sh -c "! grep -qE '^window66 |  new  ' '$TEST_TMP/table.txt'"
sheet_anchor=$(grep -oE '审计锚点：[0-9]+:[0-9a-f]{16}' "$TEST_TMP/settle.txt" | head -1 | sed 's/审计锚点：//')
k audit head > "$TEST_TMP/head.txt"
t_eq "sheet's anchor is the audit head" "$(grep -oE '[0-9]+:[0-9a-f]{16}$' "$TEST_TMP/head.txt" | tail -1)" "$sheet_anchor"
t_grep "--out reports the same anchor" "$sheet_anchor" "$out"
t_check "fonts embedded in the sheet" sh -c "pdffonts '$TEST_TMP/settle.pdf' | grep -q 'WenQuanYi.* yes '"
k report daily --date "$day" --out "$TEST_TMP/settle_en.pdf" > /dev/null 2>&1
pdftotext -layout "$TEST_TMP/settle_en.pdf" "$TEST_TMP/settle_en.txt"
want_en=$(awk -F, '$2 == "total" { print "Total", $5, $6, $7, $8, $9, $10, $11, $12, $13 }' "$TEST_TMP/report.csv")
t_eq "English sheet: total row equals the CSV total" "$want_en" \
     "$(grep -E '^ *Total' "$TEST_TMP/settle_en.txt" | head -1 | tr -s ' ' | sed 's/^ //; s/ $//')"
t_grep "English sheet names the anchor" "Audit anchor: $sheet_anchor" "$TEST_TMP/settle_en.txt"
"$KIOSK" report daily --date 2026-11-20 --out "$TEST_TMP/empty.pdf" > /dev/null 2>&1
t_grep "empty day: the sheet says so" "当日没有订单" <(pdftotext -layout "$TEST_TMP/empty.pdf" -)

# --print with no printer configured in this scratch hall: the job is kept queued
jobs0=$(sqlite3 "$DB" "SELECT count(*) FROM jobs WHERE doc = 'settle'")
k report daily --date "$day" --csv --print > "$TEST_TMP/print.csv" 2> "$errf"
t_eq "--print without a reachable printer exits 1" 1 $?
t_eq "--print keeps the CSV on stdout clean" "$(cat "$TEST_TMP/report.csv")" "$(cat "$TEST_TMP/print.csv")"
t_eq "--print recorded the sheet in the outbox, queued" "$((jobs0 + 1))|0" \
     "$(sqlite3 "$DB" "SELECT count(*), min(state) FROM jobs WHERE doc = 'settle'")"
t_grep "--print says the job is queued" "queued as print job" "$errf"
t_eq "--print is audited with the anchor" 1 \
     "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'print' AND detail LIKE 'doc=settle date=$day %anchor=$sheet_anchor'")"

k report daily --date "$day" > "$out" 2> "$errf"
t_eq "report daily table exits 0" 0 $?
t_grep "table has a title" "Daily settlement $day" "$out"
t_grep "table has a total line" "total" "$out"
"$KIOSK" --lang zh report daily --date "$day" > "$out" 2>&1
t_grep "table in Chinese" "日结 $day" "$out"

k report daily --date 2026-02-30 > /dev/null 2> "$errf"
t_eq "impossible date is bad usage (exit 2)" 2 $?
t_grep "bad date names --date" "--date" "$errf"
k report daily > /dev/null 2>&1
t_eq "missing --date is bad usage (exit 2)" 2 $?
k report daily --date 2026-11-20 --csv > "$out"
t_eq "empty day: only header and a zero total" "2026-11-20,total,,,0,0.00,0.00,0.00,0,0,0,0,0.00,0,0.00,0,0.00" "$(tail -1 "$out")"

# the order rows the seed wrote are audited with the chain still intact
k audit verify > "$out" 2>&1
t_eq "audit intact after the orders" 0 $?

# ---- a newer database is refused, not touched -------------------------------------
sqlite3 "$DB" "PRAGMA user_version = 999"
k clerk list > "$out" 2> "$errf"
t_eq "newer schema refused (exit 1)" 1 $?
t_grep "newer schema explained" "newer program" "$errf"
