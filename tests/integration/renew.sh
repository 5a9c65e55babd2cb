#!/usr/bin/env bash
# tests/integration/renew.sh - 证书更新 through the engine (issue_helper drives
# kiosk/engine_renew.c's table as the counter does) on the test hall's
# blank11, with the clock moved by faketime. A certificate issued today is
# refused renewal with the day its window opens; 30 days before it ends it
# is renewed for 2 years: the new one ends on the old end + 2 years, the
# key holds only the new certificate and key pair, the PIN is unchanged,
# the old certificate is revoked as superseded (records, audit, the CRL read
# with openssl), the fee is 2 years' renewal fee. Killed after the new
# certificate reached the key and before the old objects went, a second
# renewal resumes: the key ends with the new certificate alone, recorded.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
FT="env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"
MODULE=$(sed -n 's/^module *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1)
USCC=91120116MA05RN6W1G
cleanup() { [ -n "${SERIAL:-}" ] && "$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1; }
trap cleanup EXIT
certs_on_key() { pkcs11-tool --module "$MODULE" --token-label "$USCC" --login --pin 'Kx7#pq29' --list-objects --type cert 2>/dev/null | grep -c "^Certificate Object"; }
keys_on_key() { pkcs11-tool --module "$MODULE" --token-label "$USCC" --login --pin 'Kx7#pq29' --list-objects --type privkey 2>/dev/null | grep -c "^Private Key Object"; }

if out=$("$KIOSK" dev plug blank11 2>&1); then SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); else SERIAL=; echo "# $out"; fi
t_check "blank11 plugged (serial $SERIAL)" test -n "$SERIAL"
"$H" issue "$SERIAL" "$USCC" "天津市更新测试有限公司" 120101198503034444 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank11" "issue=0 " "$TEST_TMP/issue.out"
OLD=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
OLD_NA=$(db "SELECT not_after FROM certs WHERE serial='$OLD'")
OLD_END=$(date -d "@$OLD_NA" +%F)
OPENS=$(date -d "$OLD_END -89 days" +%F)

# ---- too early: refused, with the day the window opens ---------------------------------
"$H" renew 120101198503035551 1 > "$TEST_TMP/early.out" 2>&1
t_grep "today (3 years left): refused" "verdict=refused" "$TEST_TMP/early.out"
t_grep "...with the day the renewal window opens ($OPENS)" "请于 $OPENS 起办理" "$TEST_TMP/early.out"
t_eq "...nothing charged: no payment" "0" "$(db "SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.operator_id='120101198503035551'")"
"$H" cancel 120101198503035551 > /dev/null 2>&1

# ---- 30 days before the end: renewed for 2 years ----------------------------------------
AT="@$(date -d "$OLD_END -30 days" '+%F 10:00:00')"
$FT FAKETIME="$AT" "$H" renew 120101198503035551 2 > "$TEST_TMP/renew.out" 2>&1
t_grep "renewed, to the end" "ran=1" "$TEST_TMP/renew.out"
t_grep "...the unopened-bids question asked (a new key pair)" "at=bids" "$TEST_TMP/renew.out"
NEW=$(sed -n 's/^new_cert=//p' "$TEST_TMP/renew.out")
t_check "a new certificate ($NEW)" test -n "$NEW" -a "$NEW" != "$OLD"
t_eq "the new one ends on the old end + 2 years ($(date -d "$OLD_END +2 years" +%F))" "$(date -d "$OLD_END +2 years" +%F)" \
  "$(date -d "@$(db "SELECT not_after FROM certs WHERE serial='$NEW'")" +%F)"
t_eq "records: the new one active, the old one revoked as superseded (4)" "0|1|4" \
  "$(db "SELECT state FROM certs WHERE serial='$NEW'")|$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD'")"
t_eq "the fee: 2 years of renewal" "$(grep '^amount=' "$TEST_TMP/renew.out" | head -1 | cut -d= -f2)" \
  "$(db "SELECT amount FROM orders WHERE operator_id='120101198503035551' AND state=1")"
t_eq "the key holds one certificate and one private key: the new ones" "1|1" "$(certs_on_key)|$(keys_on_key)"
t_grep "the certificate on the key is the new one" "cert=$NEW ours=1 recorded=1 revoked=0" <("$H" keycert)
t_eq "the PIN is unchanged" "result=ok left=10" "$("$H" pin "$SERIAL" 'Kx7#pq29')"
t_eq "the supersession is audited" 1 "$(db "SELECT count(*) FROM audit WHERE action='cert.revoke' AND detail LIKE '%cert=$OLD reason=superseded%'")"
CRL=$(sed -n 's/^crl_dir *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1); CRL=${CRL:-crl}
case "$CRL" in /*) ;; *) CRL=$KIOSK_HOME/$CRL;; esac
t_grep "the CRL lists the old certificate, superseded" "Superseded" \
  <(openssl crl -inform der -in "$CRL/kiosk-ca.crl" -noout -text 2>&1 | grep -A4 "$OLD")

# ---- killed after the new certificate reached the key: resumed, one certificate left -----------
NEW_NA=$(db "SELECT not_after FROM certs WHERE serial='$NEW'")
AT2="@$(date -d "$(date -d "@$NEW_NA" +%F) -10 days" '+%F 10:00:00')"
$FT FAKETIME="$AT2" KIOSK_FAULT_KILL=write "$H" renew 120101198503034444 1 > "$TEST_TMP/kill.out" 2>&1
t_grep "killed right after the write" "pin_check=0" "$TEST_TMP/kill.out"
t_eq "...the key holds both certificates for now" "2" "$(certs_on_key)"
t_eq "...the order is open, its journal at 'stored'" "1" \
  "$(db "SELECT count(*) FROM orders WHERE operator_id='120101198503034444' AND txn='renew' AND state=0 AND data LIKE '%fx_cert=stored%'")"
t_grep "...it cannot be cancelled now" "cancel=-4" <($FT FAKETIME="$AT2" "$H" cancel 120101198503034444 2>&1)
$FT FAKETIME="$AT2" "$H" resume 120101198503034444 > "$TEST_TMP/resume.out" 2>&1
t_grep "resumed at the PIN and finished" "resume_finished=1" "$TEST_TMP/resume.out"
NEW2=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
t_eq "one certificate and one key pair left on the key" "1|1" "$(certs_on_key)|$(keys_on_key)"
t_grep "...the recorded one" "cert=$NEW2 ours=1 recorded=1 revoked=0" <("$H" keycert)
t_eq "the one it replaced is superseded" "1|4" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$NEW'")"
# (publish again on today's clock: the CRLs above were made in the future)
"$KIOSK" ca crl > /dev/null 2>&1
