#!/usr/bin/env bash
# tests/integration/hold.sh - 证书挂失 and 证书解挂 at window 66 through the
# engine (issue_helper drives kiosk/engine_status.c's tables as the counter
# does):
#  - 挂失, the key absent: the company by USCC and name, nothing charged, the
#    certificate on hold (certificateHold on the CRL: `openssl verify
#    -crl_check` says revoked), the key recorded held, the day the hold runs
#    out ([ca] hold_days) on the done page. Killed right after the change
#    (and the CRL gone), the order cannot be cancelled; resumed it publishes
#    the CRL and finishes, holding and auditing once. A second 挂失 is
#    refused at the USCC, saying it is on hold already.
#  - 解挂 with the found key: a wrong PIN is counted and releases nothing;
#    the right one releases it: active again, off the CRL (`openssl verify
#    -crl_check` passes), the key back in use, audited. A key whose
#    certificate is not on hold is refused.
#  - A hold older than [ca] hold_days (faketime) cannot be released; the
#    next publication revokes it (keyCompromise) and the key is lost.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
FT="env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"
USCC=91120116MA05HD1L8J
COMPANY=天津市挂失测试有限公司
OPID=120101198503037776
CRL=$KIOSK_HOME/crl/kiosk-ca.crl
trap key_unplug_all EXIT
crl_pem() { openssl crl -inform der -in "$CRL" -out "$TEST_TMP/$1.pem"; }
verify() { openssl verify -crl_check -CAfile "$KIOSK_HOME/ca/ca.crt" -CRLfile "$TEST_TMP/$1.pem" "$TEST_TMP/cert.pem" 2>&1; }

K=$(key_plug blank27)
"$H" issue "$K" "$USCC" "$COMPANY" 120101198503038883 > "$TEST_TMP/issue.out" 2>&1
key_unplug "$K"
t_grep "a certificate issued onto blank27 (then the key lost)" "issue=0 " "$TEST_TMP/issue.out"
CERT=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
db "SELECT hex(der) FROM certs WHERE serial='$CERT'" | xxd -r -p | openssl x509 -inform der -out "$TEST_TMP/cert.pem"

# ---- 挂失, killed right after the change, resumed -------------------------------------------
KIOSK_FAULT_KILL=hold "$H" hold "$OPID" "$USCC" "$COMPANY" > "$TEST_TMP/kill.out" 2>&1
t_grep "killed right after the hold" "at=hold" "$TEST_TMP/kill.out"
t_grep "...nothing to pay (free confirmed)" "amount=0" "$TEST_TMP/kill.out"
t_eq "on hold in the records (revoked, certificateHold 6), the key held (3)" "1|6|3" \
  "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$CERT'")|$(db "SELECT state FROM keys WHERE serial='$K'")"
t_grep "...the order cannot be cancelled now" "cancel=-4" <("$H" cancel "$OPID" 2>&1)
rm -f "$CRL"    # as if the kill came before the CRL went out: the resumed order publishes it
"$H" resume "$OPID" > "$TEST_TMP/resume.out" 2>&1
t_grep "resumed to the end" "resume_finished=1" "$TEST_TMP/resume.out"
t_eq "held and audited once, under the clerk" "1|1" \
  "$(db "SELECT count(*) FROM audit WHERE action='cert.hold' AND detail LIKE 'cert=$CERT %'")|$(db "SELECT count(*) FROM audit WHERE action='key.hold' AND detail LIKE 'key=$K%'")"
t_eq "the order done, nothing charged, no payment row" "1|0|0" \
  "$(db "SELECT state || '|' || amount || '|' || (SELECT count(*) FROM payments WHERE order_id = o.id) FROM orders o WHERE operator_id='$OPID' AND txn='hold'")"
ORDER=$(db "SELECT number FROM orders WHERE operator_id='$OPID' AND txn='hold'")
t_eq "the form and the receipt queued once each" "form:1 receipt:1" \
  "$(db "SELECT group_concat(doc || ':' || c, ' ') FROM (SELECT doc, count(*) c FROM jobs j JOIN orders o ON o.id = j.order_id WHERE o.number='$ORDER' AND doc IN ('form', 'receipt') GROUP BY doc ORDER BY doc)")"
t_grep "the CRL lists it: Certificate Hold" "Certificate Hold" \
  <(openssl crl -inform der -in "$CRL" -noout -text 2>&1 | grep -A4 "$CERT")
crl_pem held
t_grep "openssl verify -crl_check: revoked while on hold" "certificate revoked" <(verify held)

"$H" hold 120101198503037784 "$USCC" "$COMPANY" > "$TEST_TMP/again.out" 2>&1
t_grep "a second 挂失: refused at the USCC, it is on hold already" "form_refused=uscc 该单位的证书已在挂失中" "$TEST_TMP/again.out"
"$H" cancel 120101198503037784 > /dev/null 2>&1

# ---- 解挂 with the found key ------------------------------------------------------------------
key_plug "$K" > /dev/null     # by its serial: issuance renamed it
HELPER_PIN='Wrong#pin1' "$H" release "$OPID" > "$TEST_TMP/wrong.out" 2>&1
t_grep "a wrong PIN releases nothing (PINR_WRONG)" "pin_check=1" "$TEST_TMP/wrong.out"
t_eq "...counted on the key, still on hold" "1|1|6" \
  "$(db "SELECT pin_fails FROM keys WHERE serial='$K'")|$(db "SELECT state || '|' || reason FROM certs WHERE serial='$CERT'")"
"$H" cancel "$OPID" > "$TEST_TMP/cancel.out" 2>&1
t_grep "...and that order is cancelled (nothing begun)" "cancel=0" "$TEST_TMP/cancel.out"
"$H" release "$OPID" > "$TEST_TMP/release.out" 2>&1
t_grep "the found key read: usable for 解挂" "verdict=usable" "$TEST_TMP/release.out"
t_grep "the right PIN: released to the end" "finished=1" "$TEST_TMP/release.out"
t_eq "active again, the key in use, its counter cleared" "0|-1|1|0" \
  "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$CERT'")|$(db "SELECT state || '|' || pin_fails FROM keys WHERE serial='$K'")"
t_eq "the release audited" "1|1" \
  "$(db "SELECT count(*) FROM audit WHERE action='cert.release' AND detail LIKE 'cert=$CERT %'")|$(db "SELECT count(*) FROM audit WHERE action='key.release' AND detail LIKE 'key=$K%'")"
t_eq "released free, no payment row" "0|0" \
  "$(db "SELECT amount || '|' || (SELECT count(*) FROM payments WHERE order_id = o.id) FROM orders o WHERE operator_id='$OPID' AND txn='release' AND state=1")"
crl_pem released
t_check "off the CRL: openssl verify -crl_check passes" grep -q ": OK" <(verify released)
"$H" release 120101198503037784 > "$TEST_TMP/notheld.out" 2>&1
t_grep "a key whose certificate is not on hold: refused" "key_refused=该UKey的证书没有挂失" "$TEST_TMP/notheld.out"
"$H" cancel 120101198503037784 > /dev/null 2>&1
key_unplug "$K"

# ---- a hold that has run out ---------------------------------------------------------------
USCC2=91120116MA05HD2L4U
K2=$(key_plug blank28)
"$H" issue "$K2" "$USCC2" 天津市挂失超期有限公司 120101198503038883 > "$TEST_TMP/issue2.out" 2>&1
CERT2=$(db "SELECT serial FROM certs WHERE uscc='$USCC2' AND state=0")
key_unplug "$K2"
$FT FAKETIME='-31d' "$H" hold 120101198503037792 "$USCC2" 天津市挂失超期有限公司 > "$TEST_TMP/old.out" 2>&1
t_grep "reported lost 31 days ago" "finished=1" "$TEST_TMP/old.out"
t_check "...its hold ran out on the done page's day (30 days after)" \
  test "$(date -d "@$(sed -n 's/^hold_until=//p' "$TEST_TMP/old.out")" +%F)" = "$(date -d '-1 day' +%F)"
key_plug "$K2" > /dev/null
"$H" release 120101198503037792 > "$TEST_TMP/over.out" 2>&1
t_grep "the found key after the hold period: refused, naming the period" "key_refused=挂失已超过30天" "$TEST_TMP/over.out"
"$H" cancel 120101198503037792 > /dev/null 2>&1
"$KIOSK" ca crl > /dev/null 2>&1
t_eq "the next publication revoked it for good (keyCompromise 1), the key lost (4)" "1|1|4" \
  "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$CERT2'")|$(db "SELECT state FROM keys WHERE serial='$K2'")"

# ---- a certificate on hold revoked for good by a supervisor --------------------------------
USCC3=91120116MA0HLD037E
key_unplug "$K2"            # one key in the reader at a time, as at the counter
K3=$(key_plug blank39)
"$H" issue "$K3" "$USCC3" 天津市挂失撤销有限公司 120101198503038891 > "$TEST_TMP/issue3.out" 2>&1
t_grep "a certificate issued onto blank39 ($K3)" "issue=0 " "$TEST_TMP/issue3.out"
CERT3=$(db "SELECT serial FROM certs WHERE uscc='$USCC3' AND state=0")
key_unplug "$K3"
"$H" hold 120101198503037800 "$USCC3" 天津市挂失撤销有限公司 > "$TEST_TMP/hold3.out" 2>&1
t_eq "on hold" "1|6" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$CERT3'")"
out=$(printf '%s\n' "$CLERKSUP_PASS" | "$KIOSK" ca revoke "$CERT3" --reason keyCompromise --as boss 2>&1); rc=$?
t_eq "kiosk ca revoke of a certificate on hold: done (exit 0)" "0" "$rc"
t_eq "...revoked for good (keyCompromise), the key lost (4)" "1|1|4" \
  "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$CERT3'")|$(db "SELECT state FROM keys WHERE serial='$K3'")"
out=$(printf '%s\n' "$CLERKSUP_PASS" | "$KIOSK" ca revoke "$CERT3" --reason superseded --as boss 2>&1); rc=$?
t_eq "revoked for good: a second revocation refused (exit 2)" "2" "$rc"
t_grep "...naming the first reason in words" "（原因：密钥泄露）" <(echo "$out")
