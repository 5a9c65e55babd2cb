#!/usr/bin/env bash
# tests/integration/revoke.sh - 证书撤销 at window 66 through the engine
# (issue_helper drives kiosk/engine_replace.c's revocation table as the
# counter does), the key absent: the company by USCC and name, the reason
# picked (cessationOfOperation), nothing charged, the certificate revoked in
# the records with its audit row, the CRL published and read with openssl:
# `openssl verify -crl_check` now says revoked. Killed right after the
# revocation (and the CRL gone, as if it had not been published yet), the
# order resumes, publishes the CRL and finishes without revoking or
# auditing twice, and can no longer be cancelled. A company with nothing
# left to revoke, or whose certificate has expired, is refused at its USCC.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
USCC=91120116MA05RW1K6M
COMPANY=天津市撤销测试有限公司
OPID=120101198503038880
CRL=$KIOSK_HOME/crl/kiosk-ca.crl
K=$("$KIOSK" dev plug blank25 2>/dev/null | grep -o '[0-9a-f]\{16\}' | head -1)
"$H" issue "$K" "$USCC" "$COMPANY" 120101198503038883 > "$TEST_TMP/issue.out" 2>&1
"$KIOSK" dev unplug "$K" > /dev/null 2>&1
t_grep "a certificate issued onto blank25 (then the key taken away)" "issue=0 " "$TEST_TMP/issue.out"
CERT=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
db "SELECT hex(der) FROM certs WHERE serial='$CERT'" | xxd -r -p | openssl x509 -inform der -out "$TEST_TMP/cert.pem"
openssl crl -inform der -in "$CRL" -out "$TEST_TMP/crl0.pem"
t_check "before: openssl verify -crl_check passes" \
  openssl verify -crl_check -CAfile "$KIOSK_HOME/ca/ca.crt" -CRLfile "$TEST_TMP/crl0.pem" "$TEST_TMP/cert.pem"

HELPER_PICK=2 KIOSK_FAULT_KILL=revoke "$H" revoke "$OPID" "$USCC" "$COMPANY" > "$TEST_TMP/kill.out" 2>&1
t_grep "killed right after the revocation" "at=revoke" "$TEST_TMP/kill.out"
t_grep "...nothing to pay (free confirmed)" "amount=0" "$TEST_TMP/kill.out"
t_eq "the certificate revoked: cessationOfOperation (5)" "1|5" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$CERT'")"
t_grep "...the order cannot be cancelled now" "cancel=-4" <("$H" cancel "$OPID" 2>&1)
rm -f "$CRL"    # as if the kill came before the CRL went out: the resumed order publishes it
"$H" resume "$OPID" > "$TEST_TMP/resume.out" 2>&1
t_grep "resumed to the end" "resume_finished=1" "$TEST_TMP/resume.out"
t_eq "revoked and audited once" "1" "$(db "SELECT count(*) FROM audit WHERE action='cert.revoke' AND detail LIKE 'cert=$CERT %'")"
t_eq "the order done, nothing charged, no payment row" "1|0|0" \
  "$(db "SELECT state || '|' || amount || '|' || (SELECT count(*) FROM payments WHERE order_id = o.id) FROM orders o WHERE operator_id='$OPID' AND txn='revoke'")"
ORDER=$(db "SELECT number FROM orders WHERE operator_id='$OPID' AND txn='revoke'")
t_eq "the form, the seal sheet and the receipt queued once each" "form:1 receipt:1 seal:1" \
  "$(db "SELECT group_concat(doc || ':' || c, ' ') FROM (SELECT doc, count(*) c FROM jobs j JOIN orders o ON o.id = j.order_id WHERE o.number='$ORDER' GROUP BY doc ORDER BY doc)")"
t_grep "the CRL lists it: Cessation Of Operation" "Cessation Of Operation" \
  <(openssl crl -inform der -in "$CRL" -noout -text 2>&1 | grep -A4 "$CERT")
openssl crl -inform der -in "$CRL" -out "$TEST_TMP/crl1.pem"
t_grep "openssl verify -crl_check: certificate revoked" "certificate revoked" \
  <(openssl verify -crl_check -CAfile "$KIOSK_HOME/ca/ca.crt" -CRLfile "$TEST_TMP/crl1.pem" "$TEST_TMP/cert.pem" 2>&1)
HELPER_PICK=1 "$H" revoke 120101198503038899 "$USCC" "$COMPANY" > "$TEST_TMP/again.out" 2>&1
t_grep "nothing left to revoke: refused at the USCC" "form_refused=uscc 该单位没有可撤销的证书" "$TEST_TMP/again.out"
"$H" cancel 120101198503038899 > /dev/null 2>&1
HELPER_PICK=1 "$H" revoke 120101198503038899 91120116MA05JQ6C2B 天津市过期科技有限公司 > "$TEST_TMP/expired.out" 2>&1
t_grep "an expired certificate: refused at the USCC, saying there is nothing to revoke" "form_refused=uscc 该单位的证书已过期，无需撤销" "$TEST_TMP/expired.out"
"$H" cancel 120101198503038899 > /dev/null 2>&1
