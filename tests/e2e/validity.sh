#!/usr/bin/env bash
# tests/e2e/validity.sh - the real kiosk binary in tmux: the validity check
# (有效期查询) end to end, in Chinese and English, with keys plugged and
# pulled through `kiosk dev`, the clock moved with faketime, a too-small
# terminal, and self-service refusing to be stopped from the keyboard.
# Window-66 sessions sign in first (login helper, clerks from tests/run.sh).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

cleanup() { tm kill-server >/dev/null 2>&1; for k in demo expiring expired foreign nocert; do "$KIOSK" dev unplug $k >/dev/null 2>&1; done; }
trap cleanup EXIT
cleanup

checks_before=$(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT count(*) FROM checks" 2>/dev/null || echo 0)

# ---- Chinese, window 66 ------------------------------------------------------
start --mode window66
login w66 "$CLERK66_PASS"
expect "zh: home menu lists the validity check" "有效期查询"
expect "zh: status bar shows services" "打印机"
menu "有效期查询"
expect "zh: asks for the key" "请插入您的UKey"
"$KIOSK" dev plug demo >/dev/null
expect "zh: demo key read on plug (holder)" "天津市示范科技有限公司"
expect "zh: USCC shown" "统一社会信用代码"
expect "zh: valid verdict" "证书在有效期内"
expect "zh: days left shown" "剩余天数"
"$KIOSK" dev unplug demo >/dev/null
expect "zh: back to waiting after the key is pulled" "请插入您的UKey"
absent "zh: holder forgotten after pull" "天津市示范科技有限公司"

"$KIOSK" dev plug expiring >/dev/null
expect "zh: expiring key warns in red" "注意：证书将在"
expect "zh: expiring key says how to renew" "办理证书更新"
"$KIOSK" dev unplug expiring >/dev/null
expect "zh: waiting again" "请插入您的UKey"

"$KIOSK" dev plug expired >/dev/null
expect "zh: expired key: said as expired, with the day" "该证书已于"
expect "zh: ...no negative days: none left, and how long ago" "0 天（已过期"
absent "zh: ...no minus sign in the days" "剩余天数  -"
expect "zh: expired key gives the clock advice, after the fact" "请检查本机系统时间"
"$KIOSK" dev unplug expired >/dev/null
expect "zh: waiting again after expired" "请插入您的UKey"

"$KIOSK" dev plug foreign >/dev/null
expect "zh: foreign certificate named" "不是本CA签发的"
"$KIOSK" dev unplug foreign >/dev/null
expect "zh: waiting again after foreign" "请插入您的UKey"

"$KIOSK" dev plug nocert >/dev/null
expect "zh: key without certificate named" "UKey中没有证书"

# two keys at once: neither is read (which one would the holder mean?), both named
"$KIOSK" dev plug demo >/dev/null
expect "zh: two keys in: none read, said" "读卡器上插着 2 个UKey"
expect "zh: ...the pull asked for" "请只保留要办理的一个"
absent "zh: ...neither holder shown" "天津市示范科技有限公司"
"$KIOSK" dev unplug nocert >/dev/null
expect "zh: the other pulled: the one left is read" "天津市示范科技有限公司"
absent "zh: ...and the several-keys line gone" "读卡器上插着"
"$KIOSK" dev unplug demo >/dev/null
expect "zh: waiting again after the two keys" "请插入您的UKey"

# too small, then back
tm resize-window -t $S -x 60 -y 20
expect "too small terminal asks to enlarge" "终端窗口太小"
tm resize-window -t $S -x 100 -y 30
expect "enlarged terminal shows the screen again" "请插入您的UKey"

tm send-keys -t $S Escape
expect "Esc goes back home" "请选择业务"
tm send-keys -t $S F10
expect "F10 quits a clerk mode" "KIOSK-EXITED 0"

checks_after=$(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT count(*) FROM checks")
if [ "$checks_after" -ge $((checks_before + 5)) ]; then t_ok "each check recorded in SQLite ($checks_before -> $checks_after)"
else t_fail "each check recorded in SQLite" "$checks_before -> $checks_after"; fi

# ---- English ----------------------------------------------------------------
start --mode window66 --lang en
login w66 "$CLERK66_PASS"
expect "en: home menu" "Certificate validity check"
menu "Certificate validity check"
expect "en: asks for the key" "Please insert your UKey"
"$KIOSK" dev plug demo >/dev/null
expect "en: valid verdict" "The certificate is valid"
expect "en: holder label" "Holder"
"$KIOSK" dev unplug demo >/dev/null

# ---- the clock: faketime ------------------------------------------------------
nb=$(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT count(*) FROM checks" 2>/dev/null)
ENV="LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME=+1050d ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0" \
  start --mode self --lang en
wait_for "Certificate validity check"
tm send-keys -t $S Enter
wait_for "Please insert your UKey"
"$KIOSK" dev plug demo >/dev/null
expect "faketime +1050d: demo key is inside the 90-day warning" "Warning: the certificate expires in"
"$KIOSK" dev unplug demo >/dev/null
ENV="LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME=-30d ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0" \
  start --mode self --lang en
wait_for "Certificate validity check"
tm send-keys -t $S Enter
wait_for "Please insert your UKey"
"$KIOSK" dev plug demo >/dev/null
expect "faketime -30d: not yet valid, said as such" "This certificate is not valid yet"
expect "faketime -30d: ...days left: not begun" "not valid yet (valid from"
expect "faketime -30d: ...then check the system clock" "check the system clock"
expect "faketime -30d: clock earlier than the last recorded check" "the system clock is probably wrong"
"$KIOSK" dev unplug demo >/dev/null

# ---- self-service cannot be stopped from the keyboard --------------------------
start --mode self
expect "self: home" "有效期查询"
tm send-keys -t $S C-c
tm send-keys -t $S C-z
tm send-keys -t $S F10
tm send-keys -t $S q
absent "self: Ctrl-C, Ctrl-Z, F10, q do not leave" "KIOSK-EXITED"
expect "self: still on its home screen" "请选择业务"
