#!/usr/bin/env bash
# tests/integration/lost.sh - 证书补办 (lost key) through the engine
# (issue_helper drives kiosk/engine_replace.c's table as the counter does). A
# company's certificate on blank13 is reported lost at the counter (证书挂失:
# the key is held); the replacement onto blank14 keeps the old validity end,
# charges the profile's lost-key media fee, revokes the lost certificate
# (keyCompromise: the hold becomes a revocation) in the records, the audit
# and the CRL, and records the lost key lost for good: plugged into a new
# order it is refused. A company with no certificate gets nothing issued.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
USCC=91120116MA05LT8Y4D
COMPANY=天津市补办测试有限公司
cleanup() { for s in "${OLDKEY:-}" "${NEWKEY:-}"; do [ -n "$s" ] && "$KIOSK" dev unplug "$s" >/dev/null 2>&1; done; }
trap cleanup EXIT
plug() { "$KIOSK" dev plug "$1" 2>/dev/null | grep -o '[0-9a-f]\{16\}' | head -1; }

OLDKEY=$(plug blank13)
"$H" issue "$OLDKEY" "$USCC" "$COMPANY" 120101198503038883 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank13" "issue=0 " "$TEST_TMP/issue.out"
OLD=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
OLD_END=$(date -d "@$(db "SELECT not_after FROM certs WHERE serial='$OLD'")" +%F)
"$KIOSK" dev unplug "$OLDKEY" > /dev/null 2>&1
"$H" hold 120101198503039990 "$USCC" "$COMPANY" > "$TEST_TMP/hold.out" 2>&1
t_grep "reported lost at the counter (证书挂失), the key absent" "finished=1" "$TEST_TMP/hold.out"
t_eq "reported lost (挂失): the certificate on hold, the key held" "1|6|3" \
  "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD'")|$(db "SELECT state FROM keys WHERE serial='$OLDKEY'")"
"$KIOSK" dev unplug "$OLDKEY" > /dev/null 2>&1

NEWKEY=$(plug blank14)
"$H" lost 120101198503039990 "$USCC" "$COMPANY" > "$TEST_TMP/lost.out" 2>&1
t_grep "the replacement ran to the end on a blank key" "ran=1" "$TEST_TMP/lost.out"
NEW=$(sed -n 's/^new_cert=//p' "$TEST_TMP/lost.out")
t_check "a new certificate ($NEW) on blank14" test -n "$NEW"
t_eq "the validity end is unchanged ($OLD_END)" "$OLD_END" "$(date -d "@$(db "SELECT not_after FROM certs WHERE serial='$NEW'")" +%F)"
t_eq "the fee: the profile's lost-key media fee" "$(sed -n 's/^amount=//p' "$TEST_TMP/lost.out" | head -1)" \
  "$(db "SELECT amount FROM orders WHERE operator_id='120101198503039990' AND txn='lost' AND state=1")"
t_eq "the lost certificate: the hold became a revocation (keyCompromise 1)" "1|1" \
  "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD'")"
t_eq "the new one is the company's active certificate, on blank14" "$NEW|$NEWKEY" \
  "$(db "SELECT serial || '|' || key_serial FROM certs WHERE uscc='$USCC' AND state=0")"
t_eq "the lost key is recorded lost for good (4)" "4" "$(db "SELECT state FROM keys WHERE serial='$OLDKEY'")"
t_eq "audited: the revocation and the key's loss" "1|1" \
  "$(db "SELECT count(*) FROM audit WHERE action='cert.revoke' AND detail LIKE '%cert=$OLD reason=keyCompromise%'")|$(db "SELECT count(*) FROM audit WHERE action='key.lose' AND detail LIKE 'key=$OLDKEY%'")"
CRL=$KIOSK_HOME/$(sed -n 's/^crl_dir *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1)
t_grep "the CRL lists the lost certificate: Key Compromise" "Key Compromise" \
  <(openssl crl -inform der -in "$CRL/kiosk-ca.crl" -noout -text 2>&1 | grep -A4 "$OLD")
"$KIOSK" dev unplug "$NEWKEY" > /dev/null 2>&1
"$KIOSK" dev plug "$OLDKEY" > /dev/null 2>&1
t_grep "the lost key, found again, is refused for a new certificate" "verdict=taken" <("$H" verdict 2>&1)
"$KIOSK" dev unplug "$OLDKEY" > /dev/null 2>&1
NEWKEY=$(plug blank14)
"$H" lost 120101198503039990 91120116MA05PK9MXU "没有证书的公司" > "$TEST_TMP/none.out" 2>&1
t_grep "a company with nothing to replace: nothing issued" "ran=0" "$TEST_TMP/none.out"
"$H" cancel 120101198503039990 > /dev/null 2>&1
