#!/usr/bin/env bash
# tests/integration/pin_flags.sh - a real token's own PIN counter is
# honoured, read live: build/fakep11.so (tests/fakep11/fakep11.c) passes
# SoftHSM through but reports, for one key, the flags no available token
# produces. CKF_USER_PIN_COUNT_LOW is seen; CKF_USER_PIN_FINAL_TRY makes the
# kiosk ask for the applicant's confirmation although its own counter has
# 10 tries left; CKF_USER_PIN_LOCKED / CKR_PIN_LOCKED lock the key in the
# records at once (audited, by the token); 解锁 through the SO PIN lifts it.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
CONF=$KIOSK_HOME/kiosk.conf
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
REAL=$(sed -n 's/^module *= *//p' "$CONF" | head -1)
cp "$CONF" "$TEST_TMP/kiosk.conf.orig"
cleanup() { cp "$TEST_TMP/kiosk.conf.orig" "$CONF"; [ -n "${SERIAL:-}" ] && "$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1; }
trap cleanup EXIT

if out=$("$KIOSK" dev plug blank10 2>&1); then SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); else SERIAL=; echo "# $out"; fi
t_check "blank10 plugged (serial $SERIAL)" test -n "$SERIAL"
"$H" issue "$SERIAL" 91120116MA05PK7K0L "天津市令牌测试有限公司" 120101198503037899 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank10" "issue=0 " "$TEST_TMP/issue.out"
PIN='Kx7#pq29'

sed -i "s|^module *=.*|module = $ROOT/build/fakep11.so|" "$CONF"
export FAKEP11_MODULE=$REAL FAKEP11_SERIAL=$SERIAL
t_eq "through the fake module, with no flag, the PIN works" "result=ok left=10" "$(FAKEP11_FLAGS= "$H" pin "$SERIAL" "$PIN")"
t_grep "CKF_USER_PIN_COUNT_LOW is read live" "count_low=1" <(FAKEP11_FLAGS=count_low "$H" pinview "$SERIAL")
t_eq "CKF_USER_PIN_FINAL_TRY: the kiosk asks for confirmation though its own counter has 10 tries" \
  "result=confirm left=1" "$(FAKEP11_FLAGS=final_try "$H" pin "$SERIAL" "$PIN")"
t_eq "...nothing was tried or counted" "0" "$(db "SELECT pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "confirmed, the right PIN works" "result=ok left=10" "$(FAKEP11_FLAGS=final_try "$H" pin "$SERIAL" "$PIN" final)"
t_eq "a wrong PIN at the token's final try leaves none" "result=wrong left=1" \
  "$(FAKEP11_FLAGS=final_try "$H" pin "$SERIAL" wrong-pin final)"
"$H" pin "$SERIAL" "$PIN" > /dev/null   # (the fake is gone: clears the count)
t_eq "CKF_USER_PIN_LOCKED: locked before the kiosk's counter says so" "result=locked left=0" \
  "$(FAKEP11_FLAGS=locked "$H" pin "$SERIAL" "$PIN" final)"
t_eq "...recorded locked (state 2) with no try counted" "2|0" "$(db "SELECT state || '|' || pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "...audited as the token's lock" "1" "$(db "SELECT count(*) FROM audit WHERE action='key.lock' AND detail LIKE 'key=$SERIAL%by=token%'")"
t_eq "the lock holds in the records once the token is fine again" "result=locked left=0" "$("$H" pin "$SERIAL" "$PIN" final)"
t_eq "解锁 through the SO PIN unlocks it" "reset=0 event=0" "$(FAKEP11_FLAGS=locked "$H" unlock "$SERIAL" 'Nw5@kd81' | tr '\n' ' ' | sed 's/ $//')"
t_eq "...and the new PIN works" "result=ok left=10" "$("$H" pin "$SERIAL" 'Nw5@kd81')"
