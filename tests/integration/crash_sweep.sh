#!/usr/bin/env bash
# tests/integration/crash_sweep.sh - 证书新办 killed at every stage, then
# resumed or cancelled: nothing lost, nothing left half-done.
#
# The engine (kiosk/engine*.c, driven by build/san/itests/issue_helper the
# way the screens drive it) is killed with SIGKILL - as a power cut would -
# right after each effect: papers queued, payment, key wipe, key
# initialisation, key pair, CA signature, certificate written, records,
# receipt (KIOSK_FAULT_KILL, kiosk/engine.h). A fresh process then finds
# the order by the operator's ID number and either resumes it to the end or
# cancels it. Every run is checked against the real SoftHSM key, the SQLite
# records and the outbox:
#   resumed  -> order DONE and stored at "done"; exactly one certificate on
#               the key, recorded once, audited once; one payment; form, seal
#               sheet and receipt each queued exactly once;
#   cancelled -> order CANCELLED; a certificate reserved for the order (from
#               the key pair on: it may have been signed) is recorded revoked
#               (cessationOfOperation) in the cancellation's unit of work, and
#               the published CRL lists it: no certificate valid on the key
#               that is not recorded and revoked.
# A certificate voided on resume (signed, never reached the key) is recorded
# revoked (superseded) too. The sweep prints its counts: faults injected,
# orders resumed, cancelled, lost (0), certificates valid and unrevoked
# after a cancel (0).
# It uses the test hall's blank6 key throughout: a key whose certificate is
# active and recorded is never wiped, so between runs the previous run's
# certificate is revoked by the supervisor (`kiosk ca revoke`).
. "$ROOT/tests/lib.sh"

H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
q() { sqlite3 -cmd '.timeout 3000' "$DB" "$1"; }

if out=$("$KIOSK" dev plug blank6 2>&1); then SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); else SERIAL=; echo "# $out"; fi
trap '"$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1' EXIT
t_check "blank6 plugged (serial $SERIAL)" test -n "$SERIAL"

POINTS="papers pay wipe init keypair sign write record receipt"
faults=0; resumed=0; cancelled=0; lost=0; unrevoked=0; n=0
CRL=$KIOSK_HOME/crl/kiosk-ca.crl

# After a cancel: a certificate of ours on the key must be recorded and revoked.
check_unrevoked() { # label
  "$H" keycert > "$TEST_TMP/kc.txt" 2>&1
  if grep -q "ours=1" "$TEST_TMP/kc.txt" && ! grep -q "recorded=1 revoked=1" "$TEST_TMP/kc.txt"; then
    unrevoked=$((unrevoked + 1)); t_fail "$1: no certificate valid on the key that is not recorded and revoked" "$(cat "$TEST_TMP/kc.txt")"
  else t_ok "$1: no certificate valid on the key that is not recorded and revoked"; fi
}
# SERIAL (hex) is on the published CRL
on_crl() { openssl crl -inform der -in "$CRL" -noout -text 2>/dev/null | grep -qi "Serial Number: $1\$"; }

# A resumed order: finished, one certificate recorded once, papers once each.
check_finished() { # label opid uscc
  local label=$1 opid=$2 uscc=$3 oid cert
  oid=$(q "SELECT id FROM orders WHERE operator_id='$opid' ORDER BY id DESC LIMIT 1")
  t_eq "$label: order finished and stored at its last step" "1|done" "$(q "SELECT state, step FROM orders WHERE id=$oid")"
  cert=$(q "SELECT serial FROM certs WHERE uscc='$uscc' AND state=0")
  t_eq "$label: one active certificate recorded for the company, on this key" "1|$SERIAL" \
    "$(q "SELECT count(*), key_serial FROM certs WHERE uscc='$uscc' AND state=0")"
  t_eq "$label: any other certificate signed for it (voided) is revoked" "0" \
    "$(q "SELECT count(*) FROM certs WHERE uscc='$uscc' AND state NOT IN (0, 1)")"
  "$H" keycert > "$TEST_TMP/kc.txt" 2>&1
  t_grep "$label: the key holds exactly that certificate" "cert=$cert ours=1 recorded=1" "$TEST_TMP/kc.txt"
  t_eq "$label: audited once" "1" "$(q "SELECT count(*) FROM audit WHERE action='cert.issue' AND detail LIKE '%cert=$cert %'")"
  t_eq "$label: paid once" "1" "$(q "SELECT count(*) FROM payments WHERE order_id=$oid")"
  t_eq "$label: form, receipt and seal sheet queued once each" "form:1 receipt:1 seal:1" \
    "$(q "SELECT group_concat(doc || ':' || c, ' ') FROM (SELECT doc, count(*) c FROM jobs WHERE order_id=$oid GROUP BY doc ORDER BY doc)")"
}

for P in $POINTS; do
  for V in resume cancel; do
    n=$((n + 1))
    USCC=$(printf '91120116CRASH%05d' "$n"); OPID=$(printf '1201011990%08d' "$n"); CO="天津市断电测试${n}有限公司"
    label="$P/$V"
    # the previous run's certificate is revoked by the supervisor
    prev=$(q "SELECT serial FROM certs WHERE key_serial = '$SERIAL' AND state = 0")
    [ -z "$prev" ] || printf '%s\n' "$CLERKSUP_PASS" | "$KIOSK" ca revoke "$prev" --reason superseded --as boss >/dev/null 2>&1
    KIOSK_FAULT_KILL=$P "$H" run "$SERIAL" "$USCC" "$CO" "$OPID" > "$TEST_TMP/run.txt" 2>&1; rc=$?
    if [ "$rc" -eq 137 ]; then faults=$((faults + 1)); t_ok "$label: killed (SIGKILL) after '$P'"
    else t_fail "$label: killed (SIGKILL) after '$P'" "exit $rc: $(tail -5 "$TEST_TMP/run.txt")"; fi
    t_eq "$label: the database is intact after the kill" "ok" "$(q "PRAGMA integrity_check")"
    if [ "$V" = resume ]; then
      "$H" resume "$OPID" > "$TEST_TMP/res.txt" 2>&1
      if grep -q "resume_finished=1" "$TEST_TMP/res.txt"; then resumed=$((resumed + 1)); t_ok "$label: resumed to the end"
      else lost=$((lost + 1)); t_fail "$label: resumed to the end" "$(cat "$TEST_TMP/res.txt")"; fi
      check_finished "$label" "$OPID" "$USCC"
      case $P in write)
        t_grep "$label: the key holding the order's certificate is adopted, not wiped" "verdict=ours" "$TEST_TMP/res.txt";;
      esac
    else
      "$H" cancel "$OPID" > "$TEST_TMP/can.txt" 2>&1
      if grep -q "^cancel=0" "$TEST_TMP/can.txt"; then
        cancelled=$((cancelled + 1)); t_ok "$label: cancelled"
        t_eq "$label: order cancelled" "2" "$(q "SELECT state FROM orders WHERE operator_id='$OPID'")"
        case $P in
          keypair|sign|write|record|receipt)
            cert=$(q "SELECT serial FROM certs WHERE uscc='$USCC'")
            t_eq "$label: the certificate signed for it is recorded revoked (cessationOfOperation)" "1|1|5" \
              "$(q "SELECT count(*), state, reason FROM certs WHERE uscc='$USCC'")"
            t_eq "$label: the revocation is audited once" "1" \
              "$(q "SELECT count(*) FROM audit WHERE action='cert.revoke' AND detail LIKE '%cert=$cert %'")"
            if on_crl "$cert"; then t_ok "$label: the published CRL lists it"
            else t_fail "$label: the published CRL lists it" "$(openssl crl -inform der -in "$CRL" -noout -text 2>&1 | head -20)"; fi;;
          *)
            t_eq "$label: no certificate for the company" "0" "$(q "SELECT count(*) FROM certs WHERE uscc='$USCC'")";;
        esac
        check_unrevoked "$label"
      else
        lost=$((lost + 1)); t_fail "$label: cancelled" "$(cat "$TEST_TMP/can.txt")"
      fi
    fi
  done
done
t_eq "a certificate signed and then destroyed is audited as void" "1" \
  "$(q "SELECT count(*) > 0 FROM audit WHERE action='cert.void'")"
t_eq "and recorded revoked (superseded)" "1" \
  "$(q "SELECT count(*) > 0 FROM certs WHERE state = 1 AND reason = 4 AND order_id IS NOT NULL")"
t_eq "the audit chain verifies after every kill" "0" "$("$KIOSK" audit verify >/dev/null 2>&1; echo $?)"
echo "# crash sweep: faults injected $faults, orders resumed $resumed, cancelled $cancelled, lost $lost, certificates valid and unrevoked after a cancel $unrevoked"
t_eq "crash sweep counts: 18 faults, 9 resumed, 9 cancelled, 0 lost, 0 valid and unrevoked" "18|9|9|0|0" \
  "$faults|$resumed|$cancelled|$lost|$unrevoked"
