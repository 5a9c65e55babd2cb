#!/usr/bin/env bash
# tests/e2e/renew.sh - 证书更新 at window 66 on the real binary in tmux, the
# clock moved by faketime. A certificate issued today onto the test hall's
# blank12 is refused renewal today, with the day the window opens; 20 days
# before it ends: the applicant, the key and its holder, the question about
# unopened bids (yes: the warning; F8 stops there, nothing charged; on a
# second try "go on anyway"), the term, the
# materials, the fee for one year, cash, the current PIN, the renewal with
# the self-test message and the receipt, the done page with the new end
# date and the window-68 instruction; then the records and the key.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"
. "$ROOT/tests/snap.sh"

USCC=91120116MA05RN7X6N
COMPANY=天津市续期测试有限公司
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
key() { tm send-keys -t $S "$@"; }
type_() { tm send-keys -t $S -l "$1"; }
cleanup() { tm kill-server >/dev/null 2>&1; [ -n "${SERIAL:-}" ] && "$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1; }
trap cleanup EXIT
bye() { key F10; wait_for "KIOSK-EXITED" || true; }
FT="LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"
applicant() {
  menu 证书更新
  expect "renewal: the applicant's form" "证书更新：请填写经办人信息"
  type_ 孙七; key Enter; type_ "$1"; key Enter; type_ 13912345671; key Enter
}

if out=$("$KIOSK" dev plug blank12 2>&1); then SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); else SERIAL=; echo "# $out"; fi
t_check "blank12 plugged (serial $SERIAL)" test -n "$SERIAL"
"$ROOT/build/san/itests/issue_helper" issue "$SERIAL" "$USCC" "$COMPANY" 120101198503036669 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank12" "issue=0 " "$TEST_TMP/issue.out"
OLD=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
OLD_END=$(TZ=Asia/Shanghai date -d "@$(db "SELECT not_after FROM certs WHERE serial='$OLD'")" +%F)
OPENS=$(date -d "$OLD_END -89 days" +%F)

# ---- today: refused, with the day the window opens -----------------------------------
start --mode window66
login w66 "$CLERK66_PASS"
applicant 120101198503037776
expect "today the key is refused: too early, with the opening day" "请于 $OPENS 起办理"
key F8; key y
bye

# ---- 20 days before the end ----------------------------------------------------------------
DAYS=$(( ($(date -d "$OLD_END -20 days" +%s) - $(date +%s)) / 86400 ))
ENV="$FT FAKETIME=+${DAYS}d" start --mode window66
login w66 "$CLERK66_PASS"
# the applicant stops at the warning about unopened bids: nothing charged, nothing changed
applicant 120101198503037776
expect "stop path: the key in the window" "UKey检测通过"
key Enter
expect "stop path: the question about unopened bids" "尚未开标的投标文件"
sleep 3; L=zh; snap confirm         # the confirm page, asking (a golden screen), past the flash
key y
expect "stop path: the warning" "将无法解密"
snap confirm-warned                 # ...and answered yes: the warning
key F8; key y
expect "stop path: the order cancelled, home again" "请选择业务"
t_eq "stop path: nothing paid, the certificate still the active one" "0|$OLD" \
  "$(db "SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.operator_id='120101198503037776'")|$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")"
t_eq "stop path: the order cancelled, the answer kept with it" "1" \
  "$(db "SELECT count(*) FROM orders WHERE txn='renew' AND state=2 AND data LIKE '%bids_pending=1%' AND operator_id='120101198503037776'")"
# the confirm page in English, for its golden screens (that order cancelled too)
bye
ENV="$FT FAKETIME=+${DAYS}d" start --mode window66 --lang en
login w66 "$CLERK66_PASS"
menu "Certificate renewal"
expect "en: the applicant's form" "Renewal: enter the applicant"
type_ 孙七; key Enter; type_ 120101198503047712; key Enter; type_ 13912345671; key Enter
expect "en: the key in the window" "The key is in order"
key Enter
expect "en: the question about unopened bids" "not yet opened?"
sleep 3; L=en; snap confirm
key y
expect "en: the warning" "can no longer be decrypted"
snap confirm-warned
key F8; key y
expect "en: the order cancelled, home again" "Choose a service"
bye
ENV="$FT FAKETIME=+${DAYS}d" start --mode window66
login w66 "$CLERK66_PASS"
applicant 120101198503037776
expect "the key and its holder" "$COMPANY"
expect "...in the renewal window" "UKey检测通过"
key Enter
expect "the question about unopened bids" "尚未开标的投标文件"
key y
expect "yes: the warning, naming what is lost" "将无法解密"
key c
expect "the term" "更新年限"
type_ 1; key Enter
expect "the materials, with the form's renewal box" "勾选“证书更新”"
key a; key Enter
expect "the fee: one year's renewal" "应收合计"
key Enter
expect "payment" "付款方式"
key 1; key Enter
expect "after payment: the current PIN" "请输入UKey当前的PIN码"
type_ 'Kx7#pq29'; key Enter
expect "renewed: the self-test said so" "数字证书加解密测试成功"
wait_for "回车 下一步"
key Enter
expect "done" "证书更新完成"
expect "the new end: the old end + 1 year" "$(date -d "$OLD_END +1 year" +%F)"
expect "to window 68: the key pair changed" "68号窗口重新绑定电子签章"
bye
NEW=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
t_check "records: a new active certificate" test -n "$NEW" -a "$NEW" != "$OLD"
t_eq "the old one revoked as superseded" "1|4" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD'")"
t_eq "the unopened bids were answered yes, kept with the order" "1" \
  "$(db "SELECT count(*) FROM orders WHERE txn='renew' AND state=1 AND data LIKE '%bids_pending=1%' AND operator_id='120101198503037776'")"
