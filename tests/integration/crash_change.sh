#!/usr/bin/env bash
# tests/integration/crash_change.sh - 证书变更 killed at every effect, then
# resumed or cancelled: nothing lost, nothing left half-done, on the same
# key throughout (the test hall's blank24), which is certified again on
# each run under a new company name.
#
# Killed (SIGKILL, KIOSK_FAULT_KILL) after: the papers queued, "free"
# confirmed, the CA's signature (the new certificate only in memory), the
# write to the key (the key holds old and new), the records, the receipt.
#   resumed  -> the order done; the company's one active certificate is the
#               new one under the new name, on this key, alone there (one
#               certificate, one key pair: the same public key as before);
#               recorded and audited once; the old one revoked
#               affiliationChanged; form, seal sheet and receipt once each;
#   cancel   -> before the key was written: cancelled, the old certificate
#               still active and alone on the key, anything signed for the
#               order recorded revoked and on the CRL; once the key was
#               written: refused (the old certificate is gone from the key),
#               and the order resumed to the end instead.
# The sweep prints its counts.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
q() { sqlite3 -cmd '.timeout 3000' "$DB" "$1"; }
MODULE=$(sed -n 's/^module *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1)
CRL=$KIOSK_HOME/crl/kiosk-ca.crl
USCC=91120116MA05EC4D2B
if out=$("$KIOSK" dev plug blank24 2>&1); then SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); else SERIAL=; echo "# $out"; fi
trap '"$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1' EXIT
"$H" issue "$SERIAL" "$USCC" "天津市断电变更测试0有限公司" 120101198503038883 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank24" "issue=0 " "$TEST_TMP/issue.out"
on_key() { pkcs11-tool --module "$MODULE" --token-label "$USCC" --login --pin 'Kx7#pq29' --list-objects --type "$1" 2>/dev/null | grep -c "Object"; }
pub() { q "SELECT hex(der) FROM certs WHERE serial='$1'" | xxd -r -p | openssl x509 -inform der -noout -pubkey 2>/dev/null | sha256sum | cut -c1-16; }
on_crl() { openssl crl -inform der -in "$CRL" -noout -text 2>/dev/null | grep -qi "Serial Number: $1\$"; }
PUB=$(pub "$(q "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")")

finished() { # label opid company old
  local label=$1 oid cert
  oid=$(q "SELECT id FROM orders WHERE operator_id='$2' ORDER BY id DESC LIMIT 1")
  t_eq "$label: order finished at its last step" "1|done" "$(q "SELECT state, step FROM orders WHERE id=$oid")"
  cert=$(q "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
  t_eq "$label: one active certificate, under the new name, on this key" "1|$3|$SERIAL" \
    "$(q "SELECT count(*), holder, key_serial FROM certs WHERE uscc='$USCC' AND state=0")"
  t_grep "$label: the key holds exactly that certificate" "cert=$cert ours=1 recorded=1 revoked=0" <("$H" keycert 2>&1)
  t_eq "$label: one certificate and one key pair on the key, the same public key" "1|1|$PUB" "$(on_key cert)|$(on_key privkey)|$(pub "$cert")"
  t_eq "$label: recorded and audited once" "1" "$(q "SELECT count(*) FROM audit WHERE action='cert.issue' AND detail LIKE '%cert=$cert %'")"
  t_eq "$label: the certificate it replaced revoked affiliationChanged" "1|3" "$(q "SELECT state || '|' || reason FROM certs WHERE serial='$4'")"
  t_eq "$label: form, receipt and seal sheet queued once each" "form:1 receipt:1 seal:1" \
    "$(q "SELECT group_concat(doc || ':' || c, ' ') FROM (SELECT doc, count(*) c FROM jobs WHERE order_id=$oid GROUP BY doc ORDER BY doc)")"
}

faults=0; resumed=0; cancelled=0; refused=0; lost=0; n=0
for P in papers pay sign write record receipt; do
  for V in resume cancel; do
    n=$((n + 1)); label="$P/$V"
    OPID=$(printf '1201011991%08d' "$n"); CO="天津市断电变更测试${n}有限公司"
    OLD=$(q "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0"); OLDCO=$(q "SELECT holder FROM certs WHERE serial='$OLD'")
    HELPER_FORM_change="company=$CO" KIOSK_FAULT_KILL=$P "$H" change "$OPID" > "$TEST_TMP/run.txt" 2>&1; rc=$?
    if [ "$rc" -eq 137 ]; then faults=$((faults + 1)); t_ok "$label: killed after '$P'"
    else t_fail "$label: killed after '$P'" "exit $rc: $(tail -5 "$TEST_TMP/run.txt")"; fi
    t_eq "$label: the database is intact" "ok" "$(q "PRAGMA integrity_check")"
    if [ "$V" = cancel ]; then
      "$H" cancel "$OPID" > "$TEST_TMP/can.txt" 2>&1
      case $P in
        write|record|receipt)
          if grep -q "^cancel=-4" "$TEST_TMP/can.txt"; then refused=$((refused + 1)); t_ok "$label: cancel refused once the key was written"
          else t_fail "$label: cancel refused once the key was written" "$(cat "$TEST_TMP/can.txt")"; fi
          V=resume;;
        *)
          if grep -q "^cancel=0" "$TEST_TMP/can.txt"; then
            cancelled=$((cancelled + 1)); t_ok "$label: cancelled"
            t_eq "$label: the old certificate still active, under the old name" "$OLD|$OLDCO" \
              "$(q "SELECT serial || '|' || holder FROM certs WHERE uscc='$USCC' AND state=0")"
            t_grep "$label: ...and alone on the key" "cert=$OLD ours=1 recorded=1 revoked=0" <("$H" keycert 2>&1)
            t_eq "$label: ...one certificate, one key pair" "1|1" "$(on_key cert)|$(on_key privkey)"
            signed=$(q "SELECT serial FROM certs WHERE order_id=(SELECT id FROM orders WHERE operator_id='$OPID')")
            if [ -n "$signed" ]; then
              t_eq "$label: what was signed for it is recorded revoked" "1" "$(q "SELECT state FROM certs WHERE serial='$signed'")"
              if on_crl "$signed"; then t_ok "$label: ...and on the CRL"; else t_fail "$label: ...and on the CRL"; fi
            else
              t_ok "$label: nothing was signed for it"
            fi
          else lost=$((lost + 1)); t_fail "$label: cancelled" "$(cat "$TEST_TMP/can.txt")"; fi;;
      esac
    fi
    if [ "$V" = resume ]; then
      "$H" resume "$OPID" > "$TEST_TMP/res.txt" 2>&1
      if grep -q "resume_finished=1" "$TEST_TMP/res.txt"; then resumed=$((resumed + 1)); t_ok "$label: resumed to the end"
      else lost=$((lost + 1)); t_fail "$label: resumed to the end" "$(tail -8 "$TEST_TMP/res.txt")"; fi
      finished "$label" "$OPID" "$CO" "$OLD"
    fi
  done
done
t_eq "the audit chain verifies after every kill" "0" "$("$KIOSK" audit verify >/dev/null 2>&1; echo $?)"
echo "# change crash sweep: faults $faults, resumed $resumed, cancelled $cancelled, cancel refused then resumed $refused, lost $lost"
t_eq "counts: 12 faults, 9 resumed (3 after a refused cancel), 3 cancelled, 0 lost" "12|9|3|3|0" \
  "$faults|$resumed|$cancelled|$refused|$lost"
