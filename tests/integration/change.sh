#!/usr/bin/env bash
# tests/integration/change.sh - 证书变更 through the engine (issue_helper drives
# kiosk/engine_renew.c's change table as the counter does). A company's
# certificate on blank18 changes its name, USCC and legal representative:
# the same key pair is certified again with the new subject (its public key
# unchanged), the validity end is kept, the old certificate is revoked
# affiliationChanged (records, audit, the CRL read with openssl), the
# company's record holds the new details, the key holds one certificate,
# the PIN is unchanged, nothing is charged, and the printed form describes
# the change. Refused: nothing changed; a new USCC that already holds a
# certificate; a bad USCC. Killed after the new certificate reached the
# key, the order resumes and the key ends with the new certificate alone.
# With the profile's renew_rekey = 0 a renewal keeps the key pair too: the
# old certificate superseded, not revoked.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
MODULE=$(sed -n 's/^module *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1)
FT="env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"
USCC=91120116MA05BG3K84
NEWUSCC=91120116MA05BG7T7Y
COMPANY=天津市变更前科技有限公司
NEWCO=天津市变更后科技有限公司
OPID=120101198503036660
plug() { key_plug "$1"; }
unplug() { key_unplug "$1"; }
cleanup() { key_unplug_all; }
trap cleanup EXIT
CRL=$(sed -n 's/^crl_dir *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1); CRL=${CRL:-crl}
case "$CRL" in /*) ;; *) CRL=$KIOSK_HOME/$CRL;; esac
pubkey_of() { db "SELECT hex(der) FROM certs WHERE serial='$1'" | xxd -r -p | openssl x509 -inform der -noout -pubkey 2>/dev/null | sha256sum | cut -c1-16; }
on_key() { pkcs11-tool --module "$MODULE" --token-label "$1" --login --pin 'Kx7#pq29' --list-objects --type "$2" 2>/dev/null | grep -c "Object"; }

K=$(plug blank18)
"$H" issue "$K" "$USCC" "$COMPANY" 120101198503038883 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank18" "issue=0 " "$TEST_TMP/issue.out"
OLD=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
OLD_END=$(db "SELECT not_after FROM certs WHERE serial='$OLD'")

# ---- refused, nothing issued -------------------------------------------------------------------
HELPER_FORM_change="" "$H" change 120101198503038883 > "$TEST_TMP/same.out" 2>&1
t_grep "nothing changed (the recorded operator, the same details): refused at the form" "form_refused=company 与原信息相同" "$TEST_TMP/same.out"
"$H" cancel 120101198503038883 > /dev/null 2>&1
HELPER_FORM_change="uscc=91120116MA05BG7T70" "$H" change "$OPID" > "$TEST_TMP/bad.out" 2>&1
t_grep "a mistyped USCC: refused at the field, naming the check character" "form_refused=uscc" "$TEST_TMP/bad.out"
"$H" cancel "$OPID" > /dev/null 2>&1
HELPER_FORM_change="uscc=91120116MA05JQ5B87" "$H" change "$OPID" > "$TEST_TMP/taken.out" 2>&1
t_grep "a new USCC that holds a certificate already: refused (one per enterprise)" "form_refused=uscc 该单位已有有效证书" "$TEST_TMP/taken.out"
"$H" cancel "$OPID" > /dev/null 2>&1
t_eq "still one certificate for the company, the old one, active" "$OLD" "$(db "SELECT group_concat(serial) FROM certs WHERE uscc='$USCC' AND state=0")"

# ---- killed after the write, resumed: name, USCC and legal representative changed ------------------
HELPER_FORM_change="company=$NEWCO|uscc=$NEWUSCC|legal_rep=李四新" KIOSK_FAULT_KILL=write \
  "$H" change "$OPID" > "$TEST_TMP/kill.out" 2>&1
t_grep "killed right after the new certificate was written" "pin_check=0" "$TEST_TMP/kill.out"
t_eq "...the key holds both certificates for now, one key pair" "2|1" "$(on_key "$USCC" cert)|$(on_key "$USCC" privkey)"
t_grep "...it cannot be cancelled now" "cancel=-4" <("$H" cancel "$OPID" 2>&1)
"$H" resume "$OPID" > "$TEST_TMP/change.out" 2>&1
t_grep "resumed and finished" "resume_finished=1" "$TEST_TMP/change.out"
NEW=$(db "SELECT serial FROM certs WHERE uscc='$NEWUSCC' AND state=0")
t_check "a new certificate ($NEW) under the new USCC" test -n "$NEW" -a "$NEW" != "$OLD"
t_eq "the key holds one certificate and the same one key pair" "1|1" "$(on_key "$USCC" cert)|$(on_key "$USCC" privkey)"
t_grep "...the recorded one" "cert=$NEW ours=1 recorded=1 revoked=0" <("$H" keycert)
db "SELECT hex(der) FROM certs WHERE serial='$NEW'" | xxd -r -p > "$TEST_TMP/new.der"
t_grep "the subject carries the new name" "$NEWCO" <(openssl x509 -inform der -in "$TEST_TMP/new.der" -noout -subject -nameopt utf8 2>&1)
t_grep "...and the new USCC" "$NEWUSCC" <(openssl x509 -inform der -in "$TEST_TMP/new.der" -noout -subject -nameopt utf8 2>&1)
t_eq "the same key pair: the public keys are equal" "$(pubkey_of "$OLD")" "$(pubkey_of "$NEW")"
t_eq "the validity end is unchanged" "$OLD_END" "$(db "SELECT not_after FROM certs WHERE serial='$NEW'")"
t_eq "the old certificate: revoked affiliationChanged (3)" "1|3" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD'")"
t_grep "the CRL lists it: Affiliation Changed" "Affiliation Changed" \
  <(openssl crl -inform der -in "$CRL/kiosk-ca.crl" -noout -text 2>&1 | grep -A4 "$OLD")
t_eq "audited: the revocation" 1 "$(db "SELECT count(*) FROM audit WHERE action='cert.revoke' AND detail LIKE '%cert=$OLD reason=affiliationChanged%'")"
t_eq "the company's record under its new USCC: new name and legal representative" "$NEWCO|李四新" \
  "$(db "SELECT name || '|' || legal_rep FROM companies WHERE uscc='$NEWUSCC'")"
t_eq "the key's record names the new USCC" "$NEWUSCC" "$(db "SELECT uscc FROM keys WHERE serial='$K'")"
t_eq "nothing charged: amount 0, no payment row" "0|0" \
  "$(db "SELECT amount || '|' || (SELECT count(*) FROM payments WHERE order_id = o.id) FROM orders o WHERE operator_id='$OPID' AND txn='change' AND state=1")"
t_eq "the PIN is unchanged" "result=ok left=10" "$("$H" pin "$K" 'Kx7#pq29')"
ORDER=$(db "SELECT number FROM orders WHERE operator_id='$OPID' AND txn='change' AND state=1")
n=0
for f in "$PRINTER_SPOOL"/*"$ORDER"*.pdf; do
  [ -f "$f" ] || continue
  pdftotext -raw "$f" - 2>/dev/null | tr -d ' \n' | grep -qF "单位名称$COMPANY→$NEWCO" && n=$((n + 1))
done
t_check "the printed form describes the change (单位名称 old → new)" test "$n" -ge 1
n=0
for f in "$PRINTER_SPOOL"/*"$ORDER"*.pdf; do
  [ -f "$f" ] || continue
  pdftotext -raw "$f" - 2>/dev/null | tr -d ' \n' | grep -qF "120102197803154415" && \
    pdftotext -raw "$f" - 2>/dev/null | tr -d ' \n' | grep -qF "天津市政府采购电子招投标系统" && n=$((n + 1))
done
t_check "...and, from the company's record, the legal representative's ID and the application project" test "$n" -ge 1
t_eq "the record under the new USCC keeps them" "120102197803154415|天津" \
  "$(db "SELECT legal_rep_id || '|' || app_region FROM companies WHERE uscc='$NEWUSCC'")"

# ---- a renewal that keeps the key pair (renew_rekey = 0) ------------------------------------------
CONF=$KIOSK_HOME/kiosk.conf
cp "$CONF" "$TEST_TMP/kiosk.conf.bak"
restore() { cp "$TEST_TMP/kiosk.conf.bak" "$CONF"; cleanup; }
trap restore EXIT
sed -i 's/^renew_rekey *= *1/renew_rekey = 0/' "$CONF"
AT="@$(date -d "$(date -d "@$OLD_END" +%F) -30 days" '+%F 10:00:00')"
$FT FAKETIME="$AT" "$H" renew 120101198503036679 1 > "$TEST_TMP/renew.out" 2>&1
cp "$TEST_TMP/kiosk.conf.bak" "$CONF"
t_grep "renewed on the same key pair" "ran=1" "$TEST_TMP/renew.out"
t_check "...the unopened-bids question is not asked" sh -c "! grep -qx 'at=bids' '$TEST_TMP/renew.out' && grep -qx 'at=term' '$TEST_TMP/renew.out'"
R=$(db "SELECT serial FROM certs WHERE uscc='$NEWUSCC' AND state=0")
t_eq "...the public key is the same" "$(pubkey_of "$NEW")" "$(pubkey_of "$R")"
t_eq "...the certificate it renewed is superseded (2), not revoked" "2|-1" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$NEW'")"
t_eq "...audited as such" 1 "$(db "SELECT count(*) FROM audit WHERE action='cert.supersede' AND detail LIKE '%cert=$NEW %keypair=kept%'")"
t_eq "...one certificate on the key" "1|1" "$(on_key "$USCC" cert)|$(on_key "$USCC" privkey)"
"$KIOSK" ca crl > /dev/null 2>&1
