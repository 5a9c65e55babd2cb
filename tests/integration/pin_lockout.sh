#!/usr/bin/env bash
# tests/integration/pin_lockout.sh - the wrong-PIN counter against the real
# SoftHSM key and SQLite records (issue_helper drives kiosk/engine_key.c).
# SoftHSM never locks on its own: the kiosk's counter, written before each
# login, is the lockout. 9 wrong PINs then the right one: in, counter
# cleared; 10 wrong: the 10th needs the applicant's confirmation and then
# locks the key, in the records, audited; the right PIN is refused after;
# the lock survives a restart (every helper call is a new process) and a
# crash right after the count (no free try); with the database locked by
# another process nothing is tried and nothing counted; 解锁 (SO PIN derived
# in the HSM) gives a new PIN and clears the counter; the self-test signs
# and agrees/decrypts and says which; keys.state moves by the table only.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
cleanup() { [ -n "${SERIAL:-}" ] && "$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1; }
trap cleanup EXIT

if out=$("$KIOSK" dev plug blank8 2>&1); then SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); else SERIAL=; echo "# $out"; fi
t_check "blank8 plugged (serial $SERIAL)" test -n "$SERIAL"
"$H" issue "$SERIAL" 91120116MA05PK8L5T "天津市锁定测试有限公司" 120101199001011239 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank8" "issue=0 " "$TEST_TMP/issue.out"
PIN='Kx7#pq29'
t_eq "recorded as issued, no wrong PIN yet" "1|0" "$(db "SELECT state || '|' || pin_fails FROM keys WHERE serial='$SERIAL'")"

# ---- 9 wrong, then the right one ----------------------------------------------
for i in 1 2 3 4 5 6 7 8 9; do
  r=$("$H" pin "$SERIAL" wrong-pin-$i final)
done
t_eq "the 9th wrong PIN leaves 1 try" "result=wrong left=1" "$r"
t_eq "9 wrong PINs are counted in the records" "9" "$(db "SELECT pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "the last try is not made without the applicant's confirmation" "result=confirm left=1" "$("$H" pin "$SERIAL" "$PIN")"
t_eq "...and nothing was counted for it" "9" "$(db "SELECT pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "confirmed, the right PIN logs in" "result=ok left=10" "$("$H" pin "$SERIAL" "$PIN" final)"
t_eq "a right PIN clears the counter" "0" "$(db "SELECT pin_fails FROM keys WHERE serial='$SERIAL'")"

# ---- a crash after the count gives no free try ----------------------------------
KIOSK_FAULT_KILL=pin_counted "$H" pin "$SERIAL" "$PIN" > /dev/null 2>&1
t_eq "killed after counting, before the login: the try stays counted" "1" \
  "$(db "SELECT pin_fails FROM keys WHERE serial='$SERIAL'")"

# ---- the records busy: no login, nothing counted -------------------------------
# (longer than [db] busy_ms, 5 s: the helper waits that long, then gives up)
( printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 7; printf 'COMMIT;\n' ) | sqlite3 "$DB" > /dev/null &
LOCKER=$!
sleep 0.5
t_eq "with another process holding the write lock no login is tried" "result=store" \
  "$("$H" pin "$SERIAL" wrong-while-locked final | cut -d' ' -f1)"
wait $LOCKER
t_eq "...and nothing was counted" "1" "$(db "SELECT pin_fails FROM keys WHERE serial='$SERIAL'")"

# ---- 10 wrong lock the key ------------------------------------------------------
for i in 2 3 4 5 6 7 8 9; do "$H" pin "$SERIAL" wrong-pin-$i final > /dev/null; done
t_eq "one try left after 9" "result=confirm left=1" "$("$H" pin "$SERIAL" wrong-pin-10)"
t_eq "the 10th wrong PIN locks the key" "result=locked left=0" "$("$H" pin "$SERIAL" wrong-pin-10 final)"
t_eq "locked in the records (state 2), 10 counted" "2|10" "$(db "SELECT state || '|' || pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "the lock is audited once" "1" "$(db "SELECT COUNT(*) FROM audit WHERE action='key.lock' AND detail LIKE 'key=$SERIAL%'")"
t_eq "after a restart the right PIN is refused: locked" "result=locked left=0" "$("$H" pin "$SERIAL" "$PIN" final)"
t_eq "...and not counted again" "10" "$(db "SELECT pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "the view says locked (SoftHSM itself only says a wrong PIN was typed: COUNT_LOW)" "view=0 state=locked fails=10 left=0 locked=1 token_locked=0 count_low=1" "$("$H" pinview "$SERIAL")"
"$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1; "$KIOSK" dev plug "$SERIAL" >/dev/null 2>&1
t_eq "pulled and plugged again, still locked" "result=locked left=0" "$("$H" pin "$SERIAL" "$PIN" final)"
t_eq "a self-test on a locked key is refused before any login" "result=locked ec=0 cert=0 sign=0 crypt=0" \
  "$("$H" selftest "$SERIAL" "$PIN")"

# ---- 解锁 -------------------------------------------------------------------------
NEW='Nw5@kd81'
t_eq "解锁: the SO PIN derived in the HSM sets a new user PIN" "reset=0 event=0" "$("$H" unlock "$SERIAL" "$NEW" | tr '\n' ' ' | sed 's/ $//')"
t_eq "unlocked in the records, counter cleared" "1|0" "$(db "SELECT state || '|' || pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "the unlock is audited" "1" "$(db "SELECT COUNT(*) FROM audit WHERE action='key.unlock' AND detail LIKE 'key=$SERIAL%'")"
t_eq "the old PIN no longer works" "result=wrong left=9" "$("$H" pin "$SERIAL" "$PIN" final)"
t_eq "the new PIN works" "result=ok left=10" "$("$H" pin "$SERIAL" "$NEW")"
MODULE=$(sed -n 's/^module *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1)
t_check "pkcs11-tool logs in with the new PIN (a tool nobody here wrote)" \
  pkcs11-tool --module "$MODULE" --token-label 91120116MA05PK8L5T --login --pin "$NEW" --list-objects

# ---- the self-test ----------------------------------------------------------------
ALGO=$(sed -n 's/^key_algo *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1)
if [ "$ALGO" = rsa2048 ]; then EC=0; else EC=1; fi
t_eq "the self-test signs and verifies, and $([ $EC = 1 ] && echo 'agrees on a key' || echo 'encrypts and decrypts')" \
  "result=ok ec=$EC cert=1 sign=1 crypt=1" "$("$H" selftest "$SERIAL" "$NEW")"
t_eq "a self-test with a wrong PIN is a counted wrong try" "result=wrong ec=0 cert=0 sign=0 crypt=0" \
  "$("$H" selftest "$SERIAL" wrong-pin)"
t_eq "counted" "1" "$(db "SELECT pin_fails FROM keys WHERE serial='$SERIAL'")"

# ---- states the table forbids ------------------------------------------------------
db "UPDATE keys SET state = 3 WHERE serial='$SERIAL'"     # held: reported lost
t_eq "a key reported lost is refused before any login" "result=refused" "$("$H" pin "$SERIAL" "$NEW" final | cut -d' ' -f1)"
t_eq "...nothing counted" "1" "$(db "SELECT pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "unlocking a held key is refused by the table (STORE_ERR_CONFLICT)" "event=-4" "$("$H" unlock "$SERIAL" "$NEW" | grep '^event=')"
db "UPDATE keys SET state = 1 WHERE serial='$SERIAL'"

# ---- 解锁 as an order, killed after the key's reset, resumed -----------------------
OPID=12010119850303222X
for i in 1 2 3 4 5 6 7 8 9 10; do "$H" pin "$SERIAL" "still-wrong-$i" final > /dev/null; done
t_eq "locked again" "2" "$(db "SELECT state FROM keys WHERE serial='$SERIAL'")"
HELPER_PIN='Ul8$ck42' KIOSK_FAULT_KILL=unlock "$H" unlock-order 91120116MA05PK8L5T "$OPID" > "$TEST_TMP/unlock1.out" 2>&1
t_grep "the unlock order ran to the key's reset" "verdict=usable" "$TEST_TMP/unlock1.out"
ORDER=$(db "SELECT id FROM orders WHERE operator_id='$OPID' AND txn='unlock' AND state=0")
t_check "killed after the reset: the order is open ($ORDER)" test -n "$ORDER"
t_grep "...its journal says the reset was under way" "fx_unlock=reset" <(db "SELECT data FROM orders WHERE id=$ORDER")
t_eq "...the records still say locked" "2" "$(db "SELECT state FROM keys WHERE serial='$SERIAL'")"
HELPER_PIN='Ul8$ck42' "$H" resume "$OPID" > "$TEST_TMP/unlock2.out" 2>&1
t_grep "resumed at the key (the PIN is typed again), then finished" "resumed_at=key" "$TEST_TMP/unlock2.out"
t_grep "...finished" "resume_finished=1" "$TEST_TMP/unlock2.out"
t_eq "unlocked in the records, counter cleared" "1|0" "$(db "SELECT state || '|' || pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "one unlock audited for the order, one receipt queued, the order done" "1|1|1" \
  "$(db "SELECT count(*) FROM audit WHERE action='key.unlock' AND detail LIKE '%order=' || (SELECT number FROM orders WHERE id=$ORDER) || '%'")|$(db "SELECT count(*) FROM jobs WHERE order_id=$ORDER")|$(db "SELECT state FROM orders WHERE id=$ORDER")"
t_eq "the PIN set in the resumed visit works" "result=ok left=10" "$("$H" pin "$SERIAL" 'Ul8$ck42')"

