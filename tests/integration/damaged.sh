#!/usr/bin/env bash
# tests/integration/damaged.sh - 损坏补办 through the engine (issue_helper
# drives kiosk/engine_replace.c's table as the counter does).
#  - Tianjin profile (seed 000: damage not by the user is swapped free with
#    no time limit): a damaged key that still reads names its company; a
#    media fault is free (amount 0, payment "free"), the validity end is
#    unchanged, the old certificate revoked as superseded (records, audit,
#    the CRL), the damaged key recorded taken back (returned).
#  - The key does not read (N): the company by its USCC and name; physical
#    damage pays the damaged-key media fee.
#  - BJCA profile (seed 003: one year from the key's first issue): on day
#    365 a media fault is free, on day 366 it pays (faketime).
#  - Refused, nothing charged: a key from another CA, a key with no
#    certificate, a company with no certificate, a name that does not match.
#  - The settlement shows the free replacement as such.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
FT="env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"
USCC=91120116MA05DM4G9D
COMPANY=天津市损坏补办测试有限公司
plug() { key_plug "$1"; }
unplug() { key_unplug "$1"; }
cleanup() { key_unplug_all; }
trap cleanup EXIT
CRL=$(sed -n 's/^crl_dir *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1); CRL=${CRL:-crl}
case "$CRL" in /*) ;; *) CRL=$KIOSK_HOME/$CRL;; esac

K1=$(plug blank15)
"$H" issue "$K1" "$USCC" "$COMPANY" 120101198503038883 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank15" "issue=0 " "$TEST_TMP/issue.out"
OLD=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
OLD_END=$(date -d "@$(db "SELECT not_after FROM certs WHERE serial='$OLD'")" +%F)
K2=$(plug blank16); unplug "$K2"

# ---- the damaged key reads; a media fault under Tianjin: free --------------------------------
HELPER_PICK=1 HELPER_NEXT_KEY=$K2 "$H" damaged 120101198503031234 "$USCC" "" > "$TEST_TMP/free.out" 2>&1
t_grep "the damaged key read: its holder's certificate" "verdict=usable" "$TEST_TMP/free.out"
t_grep "ran to the end on the blank key" "ran=1" "$TEST_TMP/free.out"
t_grep "the fee page says why: free, no time limit (seed 000)" "fee_note=非人为损坏、外观完好：原UKey回收并免费更换" "$TEST_TMP/free.out"
NEW=$(sed -n 's/^new_cert=//p' "$TEST_TMP/free.out")
t_eq "nothing charged: amount 0, confirmed free (no method, no payment row), audited" "0||1|0|1" \
  "$(db "SELECT amount || '|' || pay_method || '|' || (paid_at > 0) || '|' || (SELECT count(*) FROM payments WHERE order_id = o.id) || '|' || (SELECT count(*) FROM audit WHERE action = 'order.free' AND detail LIKE 'order=' || o.number || ' %') FROM orders o WHERE operator_id='120101198503031234' AND txn='damaged' AND state=1")"
t_eq "the validity end is unchanged ($OLD_END)" "$OLD_END" "$(date -d "@$(db "SELECT not_after FROM certs WHERE serial='$NEW'")" +%F)"
t_eq "the old certificate: revoked, superseded (4)" "1|4" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD'")"
t_eq "the new one is the company's active certificate, on blank16" "$NEW|$K2" \
  "$(db "SELECT serial || '|' || key_serial FROM certs WHERE uscc='$USCC' AND state=0")"
t_eq "the damaged key is recorded taken back (returned, 5)" "5" "$(db "SELECT state FROM keys WHERE serial='$K1'")"
t_eq "audited: the supersession and the key taken back" "1|1" \
  "$(db "SELECT count(*) FROM audit WHERE action='cert.revoke' AND detail LIKE '%cert=$OLD reason=superseded%'")|$(db "SELECT count(*) FROM audit WHERE action='key.take_back' AND detail LIKE 'key=$K1%'")"
t_grep "the CRL lists the old certificate: Superseded" "Superseded" \
  <(openssl crl -inform der -in "$CRL/kiosk-ca.crl" -noout -text 2>&1 | grep -A4 "$OLD")
"$KIOSK" dev plug "$K1" > /dev/null 2>&1
t_grep "the damaged key, plugged again, is not taken for a new issue" "verdict=taken" <("$H" verdict 2>&1)
unplug "$K2"
"$H" damaged 120101198503039998 "$USCC" "$COMPANY" > "$TEST_TMP/again.out" 2>&1
t_grep "...nor read as a damaged key again: taken back by the CA, said so" "key_refused=该UKey已由CA收回，不能再使用" "$TEST_TMP/again.out"
"$H" cancel 120101198503039998 > /dev/null 2>&1
unplug "$K1"

# ---- the key does not read; physical damage: the media fee -----------------------------------
K3=$(plug blank17); unplug "$K3"; unplug "$K2"; "$KIOSK" dev plug "$K3" > /dev/null 2>&1
HELPER_PICK=4 HELPER_SKIP_KEY=1 "$H" damaged 120101198503031234 "$USCC" "$COMPANY" > "$TEST_TMP/paid.out" 2>&1
t_grep "the key skipped: found by the company's details" "oldkey_skipped=skipped" "$TEST_TMP/paid.out"
t_grep "ran to the end" "ran=1" "$TEST_TMP/paid.out"
t_grep "the fee page says why: not a media fault" "fee_note=非介质质量问题" "$TEST_TMP/paid.out"
MEDIA=$(sed -n 's/^damaged_media_fee *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1)
t_eq "the damaged-key media fee of the profile (50 yuan)" "5000|cash" \
  "$(db "SELECT amount || '|' || pay_method FROM orders WHERE operator_id='120101198503031234' AND txn='damaged' AND state=1 ORDER BY id DESC LIMIT 1")"
t_eq "the key it replaced (blank16, from the records) is taken back" "5" "$(db "SELECT state FROM keys WHERE serial='$K2'")"
NEW2=$(sed -n 's/^new_cert=//p' "$TEST_TMP/paid.out")
t_eq "...and its certificate superseded" "1|4" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$NEW'")"
"$KIOSK" report daily --date "$(date +%F)" --csv > "$TEST_TMP/settle.csv" 2>/dev/null
t_eq "the settlement: two damaged-key replacements done, one of them free, 50.00 in cash" "2|1|50.00" \
  "$(awk -F, '$2=="window66" && $4=="damaged" {print $5 "|" $9 "|" $6}' "$TEST_TMP/settle.csv")"

# ---- BJCA: one year's warranty from the key's first issue --------------------------------
FIRST=$(db "SELECT first_issue FROM keys WHERE serial='$K3'")
D365="@$(date -d "$(date -d "@$FIRST" +%F) +365 days" '+%F 10:00:00')"
D366="@$(date -d "$(date -d "@$FIRST" +%F) +366 days" '+%F 10:00:00')"
$FT FAKETIME="$D365" HELPER_PROFILE=bjca HELPER_PICK=2 HELPER_SKIP_KEY=1 HELPER_STOP_AT_FEE=1 \
  "$H" damaged 120101198503035678 "$USCC" "$COMPANY" > "$TEST_TMP/bj365.out" 2>&1
t_grep "BJCA, day 365 of the key: a media fault is free" "amount=0" "$TEST_TMP/bj365.out"
t_grep "...the fee page names the first issue and the warranty" "fee_note=介质质量问题，在质保期内（首次发放 $(date -d "@$FIRST" +%F)，质保 365 天）" "$TEST_TMP/bj365.out"
"$H" cancel 120101198503035678 > /dev/null 2>&1
$FT FAKETIME="$D366" HELPER_PROFILE=bjca HELPER_PICK=2 HELPER_SKIP_KEY=1 HELPER_STOP_AT_FEE=1 \
  "$H" damaged 120101198503035678 "$USCC" "$COMPANY" > "$TEST_TMP/bj366.out" 2>&1
t_grep "BJCA, day 366: the media fee (80 yuan)" "amount=8000" "$TEST_TMP/bj366.out"
t_grep "...the warranty has run out" "fee_note=介质已过质保期" "$TEST_TMP/bj366.out"
"$H" cancel 120101198503035678 > /dev/null 2>&1
t_eq "the quotes alone charged nothing" "0" \
  "$(db "SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.operator_id='120101198503035678'")"

# ---- refused, nothing charged ----------------------------------------------------------------------
unplug "$K3"
for label in foreign nocert; do
  K=$(plug "$label")
  "$H" damaged 120101198503039999 "$USCC" "$COMPANY" > "$TEST_TMP/$label.out" 2>&1
  t_grep "a key $label: refused at the first step, saying why" "verdict=refused" "$TEST_TMP/$label.out"
  t_grep "...nothing ran" "ran=0" "$TEST_TMP/$label.out"
  "$H" cancel 120101198503039999 > /dev/null 2>&1
  unplug "$K"
done
t_grep "...the foreign key: not our certificate" "key_refused=UKey中的证书不是本CA签发的" "$TEST_TMP/foreign.out"
HELPER_SKIP_KEY=1 "$H" damaged 120101198503039999 91120116MA05PK9MXU "没有证书的公司" > "$TEST_TMP/none.out" 2>&1
t_grep "a company with no certificate: refused at its USCC" "form_refused=uscc 该单位没有可补办的证书" "$TEST_TMP/none.out"
"$H" cancel 120101198503039999 > /dev/null 2>&1
HELPER_SKIP_KEY=1 "$H" damaged 120101198503039999 "$USCC" "天津市别的名字有限公司" > "$TEST_TMP/name.out" 2>&1
t_grep "a name that does not match the records: refused at the name" "form_refused=company 单位名称与该统一社会信用代码的证书记录不符" "$TEST_TMP/name.out"
t_eq "nothing charged for any of them" "0" \
  "$(db "SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.operator_id='120101198503039999'")"
"$H" cancel 120101198503039999 > /dev/null 2>&1
