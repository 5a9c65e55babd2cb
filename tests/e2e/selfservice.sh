#!/usr/bin/env bash
# tests/e2e/selfservice.sh - the self-service terminal cannot be escaped and
# forgets its user: on the real binary in tmux, function keys F1-F12, Esc
# and escape sequences, Ctrl-C / Ctrl-Z / Ctrl-\ / Ctrl-D, quit letters,
# digits beyond the menu and window resizes leave it running in
# self-service with no clerk function reachable; pulling the key, and
# idling past self_idle_s (lowered in a --config copy), wipe the session:
# the holder's name disappears and the home screen returns.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

cleanup() { tm kill-server >/dev/null 2>&1; "$KIOSK" dev unplug demo >/dev/null 2>&1; }
trap cleanup EXIT
cleanup

# still_self NAME: running, in self-service, and no clerk function on screen.
still_self() {
  local shot=$TEST_TMP/shot
  sleep 0.5
  screen > "$shot"
  if grep -qF "KIOSK-EXITED" "$shot"; then t_fail "$1: still running" "$(cat "$shot")"; return; fi
  if ! grep -qF "自助服务" "$shot"; then t_fail "$1: still self-service" "$(sed 's/^/#   /' "$shot")"; return; fi
  if grep -qE "柜员登录|打印队列|日结|证书新办|当前柜员" "$shot"; then t_fail "$1: no clerk function" "$(sed 's/^/#   /' "$shot")"; return; fi
  t_ok "$1"
}

wipes0=$(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT count(*) FROM audit WHERE action='session.wipe'")

start --mode self
expect "self: home" "请选择业务"
still_self "self: starts in self-service without a login"

for k in F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 F12; do tm send-keys -t $S $k; done
still_self "F1-F12"
tm send-keys -t $S Escape; tm send-keys -t $S Escape Escape
tm send-keys -t $S -l $'\e[21~'; tm send-keys -t $S -l $'\eOP'; tm send-keys -t $S -l $'\e[1;5A'
tm send-keys -t $S -l $'\e:'; tm send-keys -t $S -l $'\ex'; tm send-keys -t $S -l $'\e[200~9\e[201~'
still_self "Esc and escape sequences"
tm send-keys -t $S C-c; tm send-keys -t $S C-z; tm send-keys -t $S 'C-\'; tm send-keys -t $S C-d
still_self "Ctrl-C, Ctrl-Z, Ctrl-\\, Ctrl-D"
tm send-keys -t $S q; tm send-keys -t $S Q; tm send-keys -t $S -l ':q'; tm send-keys -t $S Enter
tm send-keys -t $S Escape
for d in 9 8 7 6 5 4 3; do tm send-keys -t $S $d; tm send-keys -t $S Escape; done
still_self "quit letters and digits beyond the menu"
tm resize-window -t $S -x 60 -y 20
expect "resize: too-small notice" "终端窗口太小"
for k in F10 C-c Escape q; do tm send-keys -t $S $k; done
tm resize-window -t $S -x 100 -y 30
still_self "resize down and up (keys while too small)"
tm resize-window -t $S -x 200 -y 60
tm resize-window -t $S -x 100 -y 30
still_self "resize to large and back"
# signals a user at the terminal can raise
# (the kiosk is the child of this tmux pane's shell: found by id, not by name)
pid=$(pgrep -P "$(tm display-message -p -t $S '#{pane_pid}')" | head -1)
if [ -n "$pid" ]; then
  kill -INT "$pid"; kill -QUIT "$pid"; kill -TSTP "$pid"
  still_self "SIGINT, SIGQUIT, SIGTSTP sent to the process"
else
  t_fail "kiosk process found for the signal checks"
fi

# ---- wipe on key pull -----------------------------------------------------------
menu "有效期查询"
expect "self: validity asks for the key" "请插入您的UKey"
"$KIOSK" dev plug demo >/dev/null
expect "self: holder shown" "天津市示范科技有限公司"
"$KIOSK" dev unplug demo >/dev/null
expect "key pull: home returns" "请选择业务"
absent "key pull: the holder's name disappears" "天津市示范科技有限公司"
still_self "key pull: still self-service"

# ---- wipe on idle -----------------------------------------------------------------
CONF=$TEST_TMP/self.conf
sed -e 's/^self_idle_s *=.*/self_idle_s = 2/' "$KIOSK_HOME/kiosk.conf" > "$CONF"
start --mode self --config "$CONF"
expect "idle config: home" "请选择业务"
menu "有效期查询"
"$KIOSK" dev plug demo >/dev/null
expect "idle config: holder shown" "天津市示范科技有限公司"
expect "idle: home returns with the key still in" "请选择业务"
absent "idle: the holder's name disappears" "天津市示范科技有限公司"
still_self "idle: still self-service"
"$KIOSK" dev unplug demo >/dev/null

wipes1=$(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT count(*) FROM audit WHERE action='session.wipe'")
t_check "wipes audited" test "$wipes1" -ge $((wipes0 + 2))
t_check "audit verify exits 0" "$KIOSK" audit verify
