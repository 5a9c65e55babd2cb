#!/usr/bin/env bash
# tests/e2e/session_lockout.sh - failed clerk sign-ins on the real binary in
# tmux, against a scratch database (a --config copy whose [db] path points
# under $TEST_TMP, so the shared hall's clerks are never locked): four wrong
# passwords get the usual message; the fifth within 15 minutes locks the
# login out and the message says for how many minutes; the right password
# is then refused too; an unknown login is locked out with the very same
# words (no hint whether a name exists); another clerk still signs in. The
# lockout, the refused attempts and the failures are in the audit, which
# verifies, and no password reaches it. (The end of the 15 minutes is
# covered by tests/unit/test_session.c on the store's fixed clock.)
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

cleanup() { tm kill-server >/dev/null 2>&1; }
trap cleanup EXIT

CONF=$TEST_TMP/lockout.conf
DB=$TEST_TMP/lockout.db
sed -e "s|^path *=.*|path = $DB|" "$KIOSK_HOME/kiosk.conf" > "$CONF"
printf '%s\n' "$CLERK66_PASS" | "$KIOSK" --config "$CONF" clerk add w66 window66 "测试66柜员" > /dev/null 2>&1
printf '%s\n' "$CLERKSUP_PASS" | "$KIOSK" --config "$CONF" clerk add boss supervisor "测试主管" > /dev/null 2>&1
t_check "scratch database has the clerks" test "$(sqlite3 "$DB" "SELECT count(*) FROM clerks")" -eq 2

rows_of() { sqlite3 "$DB" "SELECT count(*) FROM audit WHERE actor = '$1' AND action LIKE 'login%'"; }
count() { sqlite3 "$DB" "SELECT count(*) FROM audit WHERE actor = '$1' AND action = '$2'"; }
# attempt USER PASS: type a sign-in and wait until the kiosk has audited it.
attempt() {
  local before i
  before=$(rows_of "$1")
  tm send-keys -t $S Up C-u
  tm send-keys -t $S -l "$1"; tm send-keys -t $S Enter
  tm send-keys -t $S -l "$2"; tm send-keys -t $S Enter
  for i in $(seq 1 100); do [ "$(rows_of "$1")" -gt "$before" ] && return 0; sleep 0.1; done
  return 1
}
# the error line shown under the form
error_line() { screen | grep -E '登录名或密码错误|登录失败次数过多' | sed 's/^ *//; s/ *$//'; }

start --mode window66 --config "$CONF"
expect "login screen" "柜员登录"

for n in 1 2; do attempt w66 "wrong-pass-$n"; done
expect "two failures: the usual message" "登录名或密码错误，请重新输入"
attempt w66 "wrong-pass-3"
expect "three: warned before the lockout, with the tries left" "再错 2 次，此登录名将锁定 15 分钟"
attempt w66 "wrong-pass-4"
expect "four: one try left, said" "再错 1 次"
absent "four failures: no lockout yet" "登录失败次数过多"
t_eq "four failures audited" 4 "$(count w66 login.fail)"

attempt w66 "wrong-pass-5"
expect "fifth failure within 15 minutes: locked out" "登录失败次数过多"
expect "the message says how long" "请 15 分钟后再试"
t_eq "the lockout is audited" 1 "$(count w66 login.lockout)"
known=$(error_line)

attempt w66 "$CLERK66_PASS"
expect "right password while locked out: still refused" "登录失败次数过多"
absent "no menu while locked out" "请选择业务"
t_eq "the refused attempt is audited" 1 "$(count w66 login.locked)"

# an unknown login: exactly the same words once locked out
for n in 1 2 3 4 5; do attempt ghost "guess-$n"; done
expect "unknown login locked out too" "登录失败次数过多"
t_eq "unknown login: the same message as a real one" "$known" "$(error_line)"
t_eq "unknown login's lockout audited" 1 "$(count ghost login.lockout)"
attempt ghost "guess-6"
t_eq "unknown login: later attempts refused and audited" 1 "$(count ghost login.locked)"

# others are not affected
attempt boss "$CLERKSUP_PASS"
expect "another clerk still signs in" "请选择业务"
tm send-keys -t $S F10
wait_for "KIOSK-EXITED" || true

if sqlite3 "$DB" "SELECT actor || ' ' || detail FROM audit" | grep -qF -e "$CLERK66_PASS" -e "wrong-pass" -e "guess-"; then
  t_fail "no password in the audit"
else t_ok "no password in the audit"; fi
t_check "audit of the scratch database verifies" "$KIOSK" --config "$CONF" audit verify
