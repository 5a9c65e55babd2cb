#!/usr/bin/env bash
# tests/e2e/order_access.sh - who may see and touch an unfinished order, on
# the real binary in tmux. A paid 证书新办 order is left open at window 66.
# At the self-service terminal there is no lookup by ID number at all: 我的订单
# asks for the company's key, and the ID number typed there opens nothing; at window 68 the clerk is
# told only that it is at window 66, and F8 + Y change nothing; at window 66
# a second clerk sees it and cancels it, and the audit names that clerk,
# not the one who took the order.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

OPID=120101198503033337
COMPANY=天津市访问测试有限公司
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
key() { tm send-keys -t $S "$@"; }
type_() { tm send-keys -t $S -l "$1"; }
cleanup() { tm kill-server >/dev/null 2>&1; }
trap cleanup EXIT
bye() { key F10; wait_for "KIOSK-EXITED" || true; }

"$ROOT/build/san/itests/issue_helper" open-order "$OPID" 91120116MA05PK7K0L "$COMPANY" paid > "$TEST_TMP/order.out" 2>&1
NUMBER=$(sed -n 's/^order=//p' "$TEST_TMP/order.out")
t_check "a paid window-66 order left open ($NUMBER)" test -n "$NUMBER"
t_eq "...paid" "pay=0" "$(grep '^pay=' "$TEST_TMP/order.out")"

# ---- the self-service terminal: nothing -----------------------------------------
start --mode self
wait_for "我的订单"
absent "self-service: no lookup by ID number on the menu" "未完成订单"
menu 我的订单
expect "self-service: 我的订单 asks for the company's key" "请插入本单位的UKey"
type_ "$OPID"; key Enter
absent "...the ID number typed is not even taken" "$OPID"
absent "...not the company" "$COMPANY"
absent "...not the order number" "$NUMBER"
absent "...not the money" "200.00"
key F8; key y
absent "F8 + Y: nothing to cancel" "已取消"
key Escape; key Escape
tm kill-server >/dev/null 2>&1

# ---- window 68: where, and nothing more ----------------------------------------------
start --mode window68
login w68 "$CLERK68_PASS"
menu 未完成订单
wait_for "证件号"
type_ "$OPID"; key Enter
expect "window 68: told the order is at window 66" "在66号窗口办理"
absent "...not the company" "$COMPANY"
absent "...not the money" "200.00"
key F8; key y
sleep 0.5
t_eq "window 68 cannot cancel it: still open" "0" "$(db "SELECT state FROM orders WHERE number='$NUMBER'")"
bye

# ---- window 66, another clerk: sees it and cancels it; the audit names them --------------
printf '%s\n' 'second-w66-pass' | "$KIOSK" clerk add w66b window66 "第二位66柜员" > /dev/null 2>&1
start --mode window66
login w66b second-w66-pass
menu 未完成订单
wait_for "证件号"
type_ "$OPID"; key Enter
expect "window 66: the order is shown" "$NUMBER"
expect "...with the company" "$COMPANY"
key F8
expect "cancel asks for confirmation (paid)" "Y"
key y
wait_for "已取消" || true
sleep 0.5
t_eq "cancelled" "2" "$(db "SELECT state FROM orders WHERE number='$NUMBER'")"
t_eq "the audit names the clerk who cancelled it" "w66b" \
  "$(db "SELECT actor FROM audit WHERE action='order.cancel' AND detail LIKE 'order=$NUMBER %'")"
bye
