#!/usr/bin/env bash
# tests/e2e/hsm_unlock.sh - the HSM's PIN typed at the start of the day
# (issue 13), the real kiosk in tmux. With no PIN file ([token]
# hsm_pin_file empty) every mode opens on HSM解锁 and nothing else is
# reachable until a supervisor types the PIN: a wrong one is refused,
# counted and audited; the right one unlocks, is audited as a keyed row and
# then the clerk login follows. The PIN is held in locked memory (the
# plain build: a locked page in /proc/PID/smaps; ASan makes mlock a no-op),
# written nowhere under the state directory, and a command-line process,
# which has no typed PIN, is refused the HSM with the catalogue's words.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"
CONF=$KIOSK_HOME/kiosk.conf
DB=$KIOSK_HOME/kiosk.db
PIN=$(cat "$KIOSK_HOME/secrets/hsm.pin")
cp "$CONF" "$TEST_TMP/kiosk.conf.orig"
cleanup() { tm kill-server >/dev/null 2>&1; cp "$TEST_TMP/kiosk.conf.orig" "$CONF"; }
trap cleanup EXIT
sed -i 's|^hsm_pin_file *=.*|hsm_pin_file =|' "$CONF"
before=$(sqlite3 "$DB" "SELECT coalesce(max(id), 0) FROM audit")

# ---- window 66 -------------------------------------------------------------------
start --mode window66
expect "window 66 opens on HSM解锁" "HSM解锁（开始营业）"
expect "...saying the PIN stays in memory only" "不写入磁盘"
absent "...no clerk login before it" "柜员登录"
tm send-keys -t $S Escape
absent "Esc does not get past it" "柜员登录"
tm send-keys -t $S -l "not-the-pin"; tm send-keys -t $S Enter
expect "a wrong PIN: refused, counted" "HSM拒绝了该PIN码（第 1 次）"
absent "...the PIN field is emptied (nothing typed shown)" "not-the-pin"
tm send-keys -t $S -l "$PIN"; tm send-keys -t $S Enter
expect "the right PIN: unlocked, then the clerk login" "柜员登录"
login w66 "$CLERK66_PASS"
expect "signed in after the unlock" "请选择业务"
t_eq "the failure audited" 1 "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE id > $before AND action='hsm.unlock.fail' AND detail='mode=window66 rc=pin'")"
t_eq "the unlock audited, keyed from the HSM it opened" 1 \
  "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE id > $before AND action='hsm.unlock' AND key_id != ''")"
t_eq "the PIN is in no file of the state directory but the demo hall's own PIN file" "" \
  "$(find "$KIOSK_HOME" -type f ! -name hsm.pin -exec grep -laF -- "$PIN" {} + 2>/dev/null)"
"$KIOSK" --lang en ca crl --out "$TEST_TMP/x.crl" > "$TEST_TMP/cli.txt" 2>&1
t_grep "a command has no typed PIN: the HSM refused, saying why" "the HSM is locked: its PIN is typed at a counter's start of day" "$TEST_TMP/cli.txt"
t_eq "...and it leaks nothing on the way out" 0 "$(grep -c 'LeakSanitizer' "$TEST_TMP/cli.txt")"
tm send-keys -t $S F10
expect "F10 quits window 66" "KIOSK-EXITED 0"

# ---- the self-service terminal ------------------------------------------------
start --mode self
expect "self-service opens on HSM解锁 too" "HSM解锁（开始营业）"
absent "...without a quit key" "F10"
tm send-keys -t $S F10
absent "F10 does not stop the terminal" "KIOSK-EXITED"
tm send-keys -t $S -l "$PIN"; tm send-keys -t $S Enter
expect "unlocked: the self-service menu" "有效期查询"

# ---- the PIN in locked memory (plain build) -----------------------------------
KIOSK=$ROOT/build/kiosk start --mode window66
expect "the plain build asks too" "HSM解锁（开始营业）"
tm send-keys -t $S -l "$PIN"; tm send-keys -t $S Enter
expect "...and unlocks" "柜员登录"
pid=$(pgrep -f "^$ROOT/build/kiosk --mode window66" | head -1)
locked=$(awk '/^Locked:/ { n += $2 } END { print n + 0 }' "/proc/$pid/smaps" 2>/dev/null)
if [ -n "$pid" ] && [ "${locked:-0}" -ge 4 ]; then t_ok "the typed PIN's page is locked in memory (${locked} kB locked)"
else t_fail "the typed PIN's page is locked in memory" "pid=$pid locked=$locked"; fi
