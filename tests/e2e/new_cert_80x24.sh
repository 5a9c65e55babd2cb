#!/usr/bin/env bash
# tests/e2e/new_cert_80x24.sh - 证书新办 on an 80x24 terminal: the order is
# taken to the payment screen and the WHOLE payment QR code must be on the
# screen: the screen is captured, its half-block cells turned back into a
# module bitmap (tests/e2e/qr_from_screen.py) and decoded with zbarimg to
# exactly the payment URL built from the hall's template and payment key
# (order number, amount, HMAC-SHA256 over "ORDER|AMOUNT"). Then the order
# is cancelled.
. "$ROOT/tests/lib.sh"
COLS=80 ROWS=24
. "$ROOT/tests/tmux.sh"
trap 'tm kill-server >/dev/null 2>&1' EXIT

key() { tm send-keys -t $S "$@"; }
type_() { tm send-keys -t $S -l "$1"; }

COMPANY=天津市八十列测试有限公司
USCC=91120116MA0QR8026Y
OPID=120101198008081235
DB=$KIOSK_HOME/kiosk.db

start --mode window66
wait_for "柜员登录" || wait_for "请选择业务"
if screen | grep -qF "柜员登录"; then login w66 "${CLERK66_PASS:-}"; fi
t_eq "terminal is 80x24" "80x24" "$(tm display-message -p -t $S '#{window_width}x#{window_height}')"
menu 证书新办
expect "company form at 80x24" "统一社会信用代码"
type_ "$COMPANY"; key Enter; type_ "$USCC"; key Enter; type_ 张三; key Enter; type_ 120102197803154415; key Enter
type_ 022-23456789; key Enter; key Enter; key Enter; type_ 天津市河西区八十列路1号; key Enter
expect "operator form" "经办人身份证号"
type_ 王八十; key Enter; type_ "$OPID"; key Enter; type_ 13912345680; key Enter
type_ wang80@example.com; key Enter; key Enter
fill_project
expect "kind and term" "单位证书带签章"
key Enter
expect "materials" "经办人身份证原件及复印件"
key a; key Enter
expect "fee quote" "200.00"
key Enter
expect "payment screen" "付款方式"
wait_for "▀" || true
sleep 0.3
screen > "$TEST_TMP/pay.txt"
sed 's/^/# /' "$TEST_TMP/pay.txt"

ORDER=$(sqlite3 "$DB" "SELECT number FROM orders WHERE operator_id='$OPID' AND state=0")
t_check "order open at the payment step" test "$(sqlite3 "$DB" "SELECT step FROM orders WHERE number='$ORDER'")" = pay
TMPL=$(sed -n 's/^url_template *= *//p' "$KIOSK_HOME/kiosk.conf")
KEYFILE=$(sed -n 's/^hmac_key_file *= *//p' "$KIOSK_HOME/kiosk.conf"); KEYFILE=${KEYFILE:-secrets/pay.key}
case $KEYFILE in /*) ;; *) KEYFILE=$KIOSK_HOME/$KEYFILE ;; esac
PAYKEY=$(sed -e 's/[[:space:]]*$//' "$KEYFILE")
AMOUNT=200.00
HMAC=$(printf '%s' "$ORDER|$AMOUNT" | openssl dgst -sha256 -hmac "$PAYKEY" -r | cut -d' ' -f1)
URL=${TMPL//\{order\}/$ORDER}; URL=${URL//\{amount\}/$AMOUNT}; URL=${URL//\{hmac128\}/${HMAC:0:32}}; URL=${URL//\{hmac\}/$HMAC}
echo "# expected: $URL"

if info=$(python3 "$ROOT/tests/e2e/qr_from_screen.py" "$TEST_TMP/pay.txt" "$TEST_TMP/qr.pbm"); then
  t_ok "a QR code is on the 80x24 screen ($info)"
else
  t_fail "a QR code is on the 80x24 screen" "$info"
fi
rows=$(printf '%s' "$info" | sed -n 's/.*rows=\([0-9]*\).*/\1/p')
top=$(printf '%s' "$info" | sed -n 's/.*top=\([0-9]*\).*/\1/p')
t_check "the QR's rows lie inside the 24 lines" test "$(( ${top:-99} + ${rows:-99} ))" -le 24
got=$(zbarimg --raw -q "$TEST_TMP/qr.pbm" 2>/dev/null | head -1)
t_eq "zbarimg decodes the screen's QR to the exact payment URL" "$URL" "$got"
case $got in *"$ORDER"*"$AMOUNT"*) t_ok "the URL carries the order number and the amount" ;;
  *) t_fail "the URL carries the order number and the amount" "$got" ;; esac

# leave nothing open
key F8
expect "cancel asks for confirmation" "按 Y 确认"
key Y
expect "back home after cancelling" "请选择业务"
t_eq "order cancelled" "2" "$(sqlite3 "$DB" "SELECT state FROM orders WHERE number='$ORDER'")"
