#!/usr/bin/env bash
# tests/e2e/self_renew.sh - 证书更新 at the self-service terminal on the real
# binary in tmux, paid by the payment provider from a second terminal
# (`kiosk pay confirm`), the clock moved by faketime to 20 days before the
# certificate ends:
#  - the key and its holder, a wrong PIN counted, the right one; the bids
#    question, the term, the quote with no paper to sign, the payment QR
#    waiting by itself (nothing the applicant presses pays);
#  - the provider's wrong amount, unknown order and early word refused and
#    audited, the terminal still waiting; then no payment: the wait runs out,
#    the order stays saved unpaid at the payment step;
#  - 我的订单: the key, its PIN, the order listed, resumed: the key and PIN
#    again, on to the QR; the provider pays; the renewal runs, the receipt
#    prints (read back with pdftotext); a second word for the same order is
#    refused;
#  - 我的订单 again: the finished order, its receipt printed again (P); the
#    key pulled: the terminal goes home, nothing of it stays on the screen;
#  - a second company leaves its renewal at the quote: before its PIN,
#    我的订单 shows nothing of it; with the PIN, F8 + Y cancels it (nothing
#    was paid, nothing to refund).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

USCC=91120116MA05WR1KXE
COMPANY=天津市自助更新测试有限公司
PIN='Kx7#pq29'
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
key() { tm send-keys -t $S "$@"; }
type_() { tm send-keys -t $S -l "$1"; }
cleanup() { tm kill-server >/dev/null 2>&1; key_unplug_all; }
trap cleanup EXIT
FT="LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"
pay() { "$KIOSK" pay confirm "$@" > "$TEST_TMP/pay.out" 2>&1; echo $?; }
refused() { db "SELECT count(*) FROM audit WHERE actor='pay:provider' AND action='pay.refused' AND detail LIKE '%$1%reason=$2%'"; }
pin() { expect "the key's PIN asked" "请输入UKey当前的PIN码"; type_ "$1"; key Enter; }

SERIAL2=$(key_plug blank34)
"$ROOT/build/san/itests/issue_helper" issue "$SERIAL2" 91120116MA05WR2K6W 天津市自助取消测试有限公司 120101198503036669 > "$TEST_TMP/issue2.out" 2>&1
t_grep "a second company's certificate onto blank34" "issue=0 " "$TEST_TMP/issue2.out"
key_unplug "$SERIAL2"
SERIAL=$(key_plug blank33)
"$ROOT/build/san/itests/issue_helper" issue "$SERIAL" "$USCC" "$COMPANY" 120101198503036669 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank33" "issue=0 " "$TEST_TMP/issue.out"
OLD=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
OLD_END=$(TZ=Asia/Shanghai date -d "@$(db "SELECT not_after FROM certs WHERE serial='$OLD'")" +%F)
DAYS=$(( ($(date -d "$OLD_END -20 days" +%s) - $(date +%s)) / 86400 ))
# this terminal's QR waits 8 seconds for the provider
sed 's/^timeout_s *=.*/timeout_s = 8/' "$KIOSK_HOME/kiosk.conf" > "$TEST_TMP/self.conf"
chmod 600 "$TEST_TMP/self.conf"

ENV="$FT FAKETIME=+${DAYS}d" start --mode self --config "$TEST_TMP/self.conf"
absent "self-service: no clerk's renewal on the menu" "证书更新 "
menu 证书更新（自助）
expect "the key and its holder" "$COMPANY"
expect "...in the renewal window" "UKey检测通过"
key Enter
pin 'Wrong#pin1'
expect "a wrong PIN: said, and counted" "PIN码错误"
t_eq "...counted in the records" "1" "$(db "SELECT pin_fails FROM keys WHERE serial='$SERIAL'")"
t_eq "...no order before the PIN is right" "0" "$(db "SELECT count(*) FROM orders WHERE uscc='$USCC' AND window='self'")"
type_ "$PIN"; key Enter
expect "the question about unopened bids" "尚未开标的投标文件"
key n
expect "the term" "更新年限"
type_ 1; key Enter
expect "the quote" "应收合计"
expect "...no paper to sign" "无需提交纸质材料"
absent "...nothing printed" "已打印"
key Enter
expect "the QR waits by itself" "收到付款后自动继续"
NUMBER=$(db "SELECT number FROM orders WHERE uscc='$USCC' AND window='self' AND state=0")
AMOUNT=$(db "SELECT amount FROM orders WHERE number='$NUMBER'")
YUAN=$(printf '%d.%02d' $((AMOUNT / 100)) $((AMOUNT % 100)))
t_check "a self-service order numbered 00-... at the payment step" test "$(db "SELECT step FROM orders WHERE number='$NUMBER'")" = pay -a "${NUMBER#00-}" != "$NUMBER"
key Enter; key 1; key Enter; key 3; key Enter
t_eq "nothing the applicant presses pays" "0" "$(db "SELECT paid_at FROM orders WHERE number='$NUMBER'")"
t_eq "the provider's wrong amount: refused" "1" "$(pay "$NUMBER" 1.00)"
t_grep "...said so" "应收金额不是 1.00 元" "$TEST_TMP/pay.out"
t_eq "...audited" "1" "$(refused "$NUMBER" wrong_amount)"
t_eq "an unknown order: refused, audited" "1|1" "$(pay 00-20991231-0001 "$YUAN")|$(refused 00-20991231-0001 unknown_order)"
t_eq "a malformed amount: usage" "2" "$(pay "$NUMBER" 12.345)"
expect "the terminal still waits" "收到付款后自动继续"
expect "no payment: the wait runs out, the order kept" "未收到付款：订单 $NUMBER 未付款"
expect "...home" "请选择业务"
t_eq "...saved unpaid at the payment step, open" "pay|0|0" "$(db "SELECT step || '|' || paid_at || '|' || state FROM orders WHERE number='$NUMBER'")"
t_eq "an order not at its payment page: refused" "1|1" "$(db "UPDATE orders SET step='term' WHERE number='$NUMBER'"; pay "$NUMBER" "$YUAN")|$(refused "$NUMBER" not_at_payment)"
db "UPDATE orders SET step='pay' WHERE number='$NUMBER'"

# ---- 我的订单: resumed from the key and its PIN ------------------------------------------
menu 我的订单
pin "$PIN"
expect "the company's order listed" "$NUMBER"
expect "...unfinished, unpaid" "未完成（未付款）"
key Enter
expect "resumed: the key again" "UKey检测通过"
key Enter
pin "$PIN"
expect "...the bids question again" "尚未开标的投标文件"
key n
expect "...the term kept" "更新年限"
key Enter
expect "...the quote" "应收合计"
key Enter
expect "...the QR again" "收到付款后自动继续"
t_eq "the provider pays the right amount" "0" "$(pay "$NUMBER" "$YUAN")"
t_grep "...said so" "已确认收款 $YUAN 元" "$TEST_TMP/pay.out"
expect "the terminal goes on by itself: renewed" "数字证书加解密测试成功"
wait_for "回车 下一步"
key Enter
expect "done" "证书更新完成"
expect "...the new end: the old end + 1 year" "$(date -d "$OLD_END +1 year" +%F)"
key Enter
expect "home" "请选择业务"
t_eq "a second word for the same order: refused, audited" "1|1" "$(pay "$NUMBER" "$YUAN")|$(refused "$NUMBER" already_paid)"
NEW=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
t_check "records: a new active certificate" test -n "$NEW" -a "$NEW" != "$OLD"
t_eq "...the old one superseded" "1|4" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD'")"
t_eq "...the order done, paid by QR once, the payment row naming the provider" "1|qr|1|pay:provider" \
  "$(db "SELECT o.state || '|' || o.pay_method || '|' || count(p.id) || '|' || p.clerk FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.number='$NUMBER'")"
t_eq "...order.pay audited as the provider" "1" "$(db "SELECT count(*) FROM audit WHERE action='order.pay' AND actor='pay:provider' AND detail LIKE '%$NUMBER%'")"
t_eq "...the order's other rows name the terminal, no clerk" "0" \
  "$(db "SELECT count(*) FROM audit WHERE detail LIKE '%$NUMBER%' AND actor NOT IN ('self','pay:provider')")"
receipt_text() {
  local f
  for f in "$PRINTER_SPOOL"/*; do
    pdftotext -raw "$f" - 2>/dev/null | tr -d ' \n' | grep -qF "$NUMBER" && pdftotext -raw "$f" - 2>/dev/null | tr -d ' \n'
  done
}
# the papers of this order the printer received (a self-service order prints its receipt alone)
receipts() { local f n=0; for f in "$PRINTER_SPOOL"/*; do pdftotext -raw "$f" - 2>/dev/null | tr -d ' \n' | grep -qF "$NUMBER" && n=$((n + 1)); done; echo $n; }
wait_receipts() { local i; for i in $(seq 1 50); do [ "$(receipts)" -ge "$1" ] && return 0; sleep 0.2; done; echo "$(receipts) received"; return 1; }
t_check "the receipt printed" wait_receipts 1
receipt_text > "$TEST_TMP/receipt.txt"
t_grep "...names the self-service renewal" "证书更新（自助）" "$TEST_TMP/receipt.txt"
t_grep "...the amount paid" "$YUAN" "$TEST_TMP/receipt.txt"

# ---- 我的订单: the receipt again; the key pulled ---------------------------------------------
menu 我的订单
pin "$PIN"
expect "the finished order" "已完成"
key p
expect "its receipt printed again" "回执已重新打印"
t_eq "...a second receipt job for the order" "2" "$(db "SELECT count(*) FROM jobs j JOIN orders o ON o.id = j.order_id WHERE o.number='$NUMBER' AND j.doc='receipt'")"
t_check "...and it reaches the printer" wait_receipts 2
t_eq "...audited as the terminal" "1" "$(db "SELECT count(*) FROM audit WHERE actor='self' AND action='print.reprint' AND detail LIKE '%$NUMBER%'")"
key_unplug "$SERIAL"
expect "the key pulled: the terminal goes home" "请选择业务"
absent "...the order no longer shown" "$NUMBER"
absent "...nor the company" "$COMPANY"

# ---- a second company: an order left at the quote, cancelled from 我的订单 -------------------
key_plug "$SERIAL2" > /dev/null
menu 证书更新（自助）
expect "the second company's key" "天津市自助取消测试有限公司"
key Enter
pin "$PIN"
expect "...the bids question" "尚未开标的投标文件"
key n
type_ 1; key Enter
expect "...the quote" "应收合计"
key Escape; key Escape; key Escape; key Escape; key Escape
expect "left: home" "请选择业务"
N2=$(db "SELECT number FROM orders WHERE uscc='91120116MA05WR2K6W' AND window='self' AND state=0")
t_check "...its order kept open, unpaid ($N2)" test -n "$N2"
menu 我的订单
expect "我的订单: the PIN first" "请输入UKey当前的PIN码"
absent "...before it, nothing of the company" "天津市自助取消测试有限公司"
absent "...nor of its order" "$N2"
type_ "$PIN"; key Enter
expect "with the PIN: the order" "$N2"
key F8
expect "F8: asked first" "确认取消"
key y
expect "cancelled" "已取消"
t_eq "...in the records: cancelled, no payment, nothing to refund" "2|0|0" \
  "$(db "SELECT o.state || '|' || o.paid_at || '|' || (SELECT count(*) FROM payments WHERE order_id = o.id) FROM orders o WHERE o.number='$N2'")"
t_eq "...audited as the terminal" "1" "$(db "SELECT count(*) FROM audit WHERE action='order.cancel' AND actor='self' AND detail LIKE '%$N2%'")"
key Escape
expect "home" "请选择业务"
