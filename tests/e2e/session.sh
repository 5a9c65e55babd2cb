#!/usr/bin/env bash
# tests/e2e/session.sh - clerk sessions on the real binary in tmux: the
# window modes start at the login screen; a wrong password and an unknown
# login get the same message; a clerk of another window is refused; the
# supervisor sees the settlement; sign-out from the menu; the idle lock
# (idle_lock_s lowered in a --config copy) with the same clerk's password,
# and another clerk taking over; every event in the audit, which verifies.
# Needs CLERK66_PASS / CLERK68_PASS / CLERKSUP_PASS from tests/run.sh.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

cleanup() { tm kill-server >/dev/null 2>&1; }
trap cleanup EXIT

# type_login USER PASS: fill the login form and press Enter (no check).
type_login() {
  tm send-keys -t $S -l "$1"; tm send-keys -t $S Enter
  tm send-keys -t $S -l "$2"; tm send-keys -t $S Enter
}
audit_count() { # ACTION [ACTOR]
  sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT count(*) FROM audit WHERE action='$1'${2:+ AND actor='$2'}"
}

logins0=$(audit_count login w66); fails0=$(audit_count login.fail); refused0=$(audit_count login.refused)
logouts0=$(audit_count logout w66); locks0=$(audit_count lock w66); unlocks0=$(audit_count unlock w66)

# ---- window 66: login screen first --------------------------------------------
start --mode window66
expect "window66 starts at the clerk login" "柜员登录"
absent "no menu before sign-in" "请选择业务"
tm send-keys -t $S Escape; tm send-keys -t $S F1; tm send-keys -t $S 1
expect "Esc, F1, digits keep the login screen" "柜员登录"
absent "still no menu" "请选择业务"

tm send-keys -t $S Up C-u
type_login w66 "wrong-password"
expect "wrong password: clear message" "登录名或密码错误"
absent "wrong password: no menu" "请选择业务"
screen > "$TEST_TMP/wrongpw"
if grep -qF -- "wrong-password" "$TEST_TMP/wrongpw"; then t_fail "password never shown in clear" "$(cat "$TEST_TMP/wrongpw")"; else t_ok "password never shown in clear"; fi

# unknown login: the same message (no hint which part was wrong)
tm send-keys -t $S Up C-u
type_login nobody "whatever-pass"
expect "unknown login: the same message" "登录名或密码错误"

# a window-68 clerk at window 66
tm send-keys -t $S Up C-u
type_login w68 "$CLERK68_PASS"
expect "window68 clerk refused at window 66" "不能在本窗口登录"
absent "refused clerk gets no menu" "请选择业务"

# Ctrl-U while typing the password empties the password only and stays
# there: what is typed next is still masked, the login name kept
tm send-keys -t $S Up C-u
tm send-keys -t $S -l w66; tm send-keys -t $S Enter
tm send-keys -t $S -l "typo-in-pass"; tm send-keys -t $S C-u
tm send-keys -t $S -l "$CLERK66_PASS"
absent "Ctrl-U in the password: what is typed next stays masked" "$CLERK66_PASS"
tm send-keys -t $S Enter
expect "...and the login name was kept: signed in" "请选择业务"
tm send-keys -t $S F9
expect "signed out again" "柜员登录"

tm send-keys -t $S Up C-u
type_login w66 "$CLERK66_PASS"
expect "right password: home menu" "请选择业务"
expect "home names the signed-in clerk" "当前柜员：测试66柜员（w66"
expect "clerk menu lists the print queue" "打印队列"
absent "window66 clerk does not see the settlement" "日结"

tm send-keys -t $S F9
expect "F9 signs out to the login screen" "柜员登录"
absent "signed out: no menu" "请选择业务"

# ---- the supervisor ---------------------------------------------------------
type_login boss "$CLERKSUP_PASS"
expect "supervisor signs in at window 66" "请选择业务"
expect "supervisor sees the settlement" "日结"
menu "日结"
expect "settlement screen opens (columns)" "完成"
tm send-keys -t $S Escape
expect "back home" "请选择业务"
tm send-keys -t $S F10
expect "F10 quits (session ended)" "KIOSK-EXITED 0"

# ---- window 68 ---------------------------------------------------------------
start --mode window68
expect "window68 starts at the login" "柜员登录"
type_login w66 "$CLERK66_PASS"
expect "window66 clerk refused at window 68" "不能在本窗口登录"
tm send-keys -t $S Up C-u
type_login w68 "$CLERK68_PASS"
expect "window68 clerk signs in at window 68" "当前柜员：测试68柜员"
tm send-keys -t $S F10
expect "window68 quits" "KIOSK-EXITED 0"

# ---- idle lock -----------------------------------------------------------------
CONF=$TEST_TMP/idle.conf
sed -e 's/^idle_lock_s *=.*/idle_lock_s = 2/' "$KIOSK_HOME/kiosk.conf" > "$CONF"
start --mode window66 --config "$CONF"
expect "idle config: login" "柜员登录"
type_login w66 "$CLERK66_PASS"
expect "idle config: signed in" "请选择业务"
menu "有效期查询"
expect "validity screen open before the lock" "请插入您的UKey"
expect "idle: the screen locks" "请输入密码解锁"
absent "locked: the validity screen is hidden" "请插入您的UKey"
tm send-keys -t $S -l "bad-password"; tm send-keys -t $S Enter
expect "locked: wrong password refused" "登录名或密码错误"
tm send-keys -t $S -l "$CLERK66_PASS"; tm send-keys -t $S Enter
expect "unlocked: back on the validity screen" "请插入您的UKey"
expect "idle again: locks again" "请输入密码解锁"
tm send-keys -t $S Up C-u
type_login boss "$CLERKSUP_PASS"
expect "another clerk takes over from home" "当前柜员：测试主管（boss"
absent "the first clerk's screen is gone" "请插入您的UKey"
tm send-keys -t $S F10 2>/dev/null
wait_for "KIOSK-EXITED" || true

# ---- the audit ---------------------------------------------------------------
t_check "login audited" test "$(audit_count login w66)" -ge $((logins0 + 2))
t_check "failed logins audited" test "$(audit_count login.fail)" -ge $((fails0 + 3))
t_check "refused logins audited" test "$(audit_count login.refused)" -ge $((refused0 + 2))
t_check "logout audited" test "$(audit_count logout w66)" -ge $((logouts0 + 2))
t_check "lock audited" test "$(audit_count lock w66)" -ge $((locks0 + 2))
t_check "unlock audited" test "$(audit_count unlock w66)" -ge $((unlocks0 + 1))
t_check "takeover logs the first clerk out (reason=replaced)" \
  test "$(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT count(*) FROM audit WHERE action='logout' AND detail LIKE '%replaced%'")" -ge 1
if sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT detail FROM audit" | grep -qF -e "$CLERK66_PASS" -e "wrong-password" -e "bad-password"; then
  t_fail "no password in the audit"
else t_ok "no password in the audit"; fi
t_check "audit verify exits 0" "$KIOSK" audit verify
