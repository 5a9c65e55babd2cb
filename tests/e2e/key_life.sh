#!/usr/bin/env bash
# tests/e2e/key_life.sh - a key's PIN at the counter and at the self-service
# terminal, on the real binary in tmux. A certificate is issued onto the
# test hall's blank9 (PIN Kx7#pq29); at window 66 the PIN change's prompt
# takes 9 wrong PINs (the tries left shown from 3), asks for confirmation
# before the 10th and then says the key is locked; the validity check says
# locked and names the unlock service; 解锁 at window 66 (form, materials,
# the key matched to the company, a new PIN twice, receipt) restores it; the
# self-test then passes, naming what it did; at the self-service terminal
# the holder changes the PIN and the self-test takes the new one.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

USCC=91120116MA05PK9MXU
COMPANY=天津市解锁测试有限公司
PIN='Kx7#pq29'; NEW='Nw5@kd81'; NEW2='Zq4%mr27'
key() { tm send-keys -t $S "$@"; }
type_() { tm send-keys -t $S -l "$1"; }
cleanup() { tm kill-server >/dev/null 2>&1; [ -n "${SERIAL:-}" ] && "$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1; }
trap cleanup EXIT
bye() { key F10; wait_for "KIOSK-EXITED" || true; }

if out=$("$KIOSK" dev plug blank9 2>&1); then SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); else SERIAL=; echo "# $out"; fi
t_check "blank9 plugged (serial $SERIAL)" test -n "$SERIAL"
"$ROOT/build/san/itests/issue_helper" issue "$SERIAL" "$USCC" "$COMPANY" 120101198503031235 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank9" "issue=0 " "$TEST_TMP/issue.out"

# ---- window 66: the PIN change's current-PIN prompt, 10 wrong PINs -------------------
start --mode window66
login w66 "$CLERK66_PASS"
menu 修改PIN码
expect "the key page shows the holder" "$COMPANY"
expect "the key is in order" "UKey检测通过"
key Enter
expect "the current PIN is asked for" "请输入UKey当前的PIN码"
for i in 1 2 3 4 5 6; do type_ "bad-pin-$i"; key Enter; wait_for "PIN码错误" || true; done
absent "with 4 tries left the count is not shown yet" "还可尝试"
type_ bad-pin-7; key Enter
expect "3 tries left: said so" "还可尝试 3 次"
type_ bad-pin-8; key Enter
expect "2 tries left" "还可尝试 2 次"
type_ bad-pin-9; key Enter
expect "1 try left" "还可尝试 1 次"
type_ bad-pin-10; key Enter
expect "before the last try the applicant must confirm" "这是最后一次尝试"
key y
expect "the 10th wrong PIN locks the key, naming the unlock service" "已锁定"
expect "...at window 66" "PIN码解锁"
key Escape; key Escape; key Escape
wait_for "请选择业务"
menu 有效期查询
expect "the validity check says the key is locked" "因PIN码错误次数过多已锁定"
key Escape
wait_for "请选择业务"

# ---- 解锁 at window 66 ------------------------------------------------------------
menu PIN码解锁
expect "unlock: the applicant's form, free" "PIN码解锁（免费）"
type_ "$USCC"; key Enter
type_ 王五; key Enter
type_ 120101198503034567; key Enter
type_ 13912345679; key Enter
expect "materials: the application form with PIN码解锁 ticked" "勾选“PIN码解锁”"
key a; key Enter
expect "the locked key is the one to unlock" "UKey检测通过"
expect "its state is shown" "PIN码已锁定"
key Enter
expect "a new PIN, twice" "请申请人设置UKey的PIN码"
type_ "$NEW"; key Enter; type_ "$NEW"; key Enter
expect "unlocked: the new PIN in effect" "UKey已解锁，新PIN码已生效"
expect "the receipt" "收据已送打印"
wait_for "回车 下一步"
key Enter
expect "done page" "PIN码解锁完成"
expect "the operator's ID is masked" "120101********4567"
key Enter
wait_for "请选择业务"

# ---- the self-test with the new PIN ----------------------------------------------
menu 证书加解密测试
expect "after the unlock the key is in order" "UKey检测通过"
key Enter
wait_for "请输入UKey当前的PIN码"
type_ "$NEW"; key Enter
expect "the self-test ran, and said so" "数字证书加解密测试成功"
wait_for "回车 下一步"
key Enter
expect "the self-test ran: results" "加解密测试结果"
expect "signing verified" "签名验签"
if grep -q 'key_algo *= *rsa2048' "$KIOSK_HOME/kiosk.conf"; then
  expect "RSA: encryption named as such" "加密解密"
else
  expect "EC: key agreement named as such (never 'encryption')" "密钥协商"
fi
expect "passed" "通过"
bye

# ---- self-service: PIN change, then the self-test with the new PIN -------------------
start --mode self
menu 修改PIN码
expect "self-service: PIN change offered, key shown" "UKey检测通过"
key Enter
wait_for "请输入UKey当前的PIN码"
type_ "$NEW"; key Enter
expect "then the new PIN, twice" "请申请人设置UKey的PIN码"
type_ "$NEW2"; key Enter; type_ "$NEW2"; key Enter
expect "the PIN is changed" "PIN码已修改"
wait_for "回车 下一步"
key Enter
expect "done" "PIN码修改完成"
key Enter
wait_for "请选择业务"
menu 证书加解密测试
wait_for "UKey检测通过"
key Enter
wait_for "请输入UKey当前的PIN码"
type_ "$NEW"; key Enter
expect "the old PIN is now wrong" "PIN码错误"
type_ "$NEW2"; key Enter
expect "self-service self-test with the changed PIN" "数字证书加解密测试成功"
t_eq "the records: issued, no wrong PIN left" "1|0" \
  "$(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT state || '|' || pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "audited: lock, unlock, PIN change, self-tests" "1 1 1 2" "$(for a in key.lock key.unlock key.pin_change key.selftest; do
  sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT COUNT(*) FROM audit WHERE action='$a' AND detail LIKE '%$SERIAL%'"; done | tr '\n' ' ' | sed 's/ $//')"
