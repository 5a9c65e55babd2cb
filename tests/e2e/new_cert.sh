#!/usr/bin/env bash
# tests/e2e/new_cert.sh - 证书新办 end to end on the real binary in tmux
# (window 66): clerk sign-in when asked, company form with a mistyped USCC
# corrected on the way, Esc back keeping every value, operator, kind and
# term, materials, fee with the papers printed, payment QR and method,
# insert a key (wiping it with the clerk's confirmation if it holds a
# certificate), PIN twice, issuing with the self-test message, the window-68
# instruction; then the printed papers in the printer's spool and the records.
. "$ROOT/tests/lib.sh"

S=e2e-newcert-$$
SOCK=$TEST_TMP/tmux.sock
KEY=blank2
tm() { tmux -S "$SOCK" "$@" 2>/dev/null; }
cleanup() { tm kill-server >/dev/null 2>&1; "$KIOSK" dev unplug demo >/dev/null 2>&1; "$KIOSK" dev unplug $KEY >/dev/null 2>&1; [ -n "${SERIAL:-}" ] && "$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup

start() {
  tm kill-server >/dev/null 2>&1
  sleep 0.2
  tm new-session -d -s $S -x 100 -y 30 \
    "env LC_ALL=C.UTF-8 TERM=xterm-256color KIOSK_HOME=$KIOSK_HOME ${ENV:-} $KIOSK $*; echo KIOSK-EXITED \$?; sleep 30"
}
screen() { tm capture-pane -p -t $S; }
wait_for() {
  local i
  for i in $(seq 1 150); do screen | grep -qF -- "$1" && return 0; sleep 0.1; done
  return 1
}
expect() { # NAME TEXT
  if wait_for "$2"; then t_ok "$1"; else t_fail "$1" "'$2' not on screen:"; screen | sed 's/^/#   /'; fi
}
absent() { # NAME TEXT
  sleep 0.5
  if screen | grep -qF -- "$2"; then t_fail "$1" "'$2' still on screen"; screen | sed 's/^/#   /'; else t_ok "$1"; fi
}
type_() { tm send-keys -t $S -l "$1"; }
key() { tm send-keys -t $S "$@"; }
# the 证书应用项目 step (as tests/tmux.sh's fill_project)
fill_project() { wait_for "项目名称"; key C-u; type_ 天津; key Enter; key C-u; type_ 政府采购; key Enter; key C-u; type_ 天津市政府采购电子招投标系统; key Enter; }

COMPANY=天津市端到端测试科技有限公司
USCC=91120116MA06ABCDXQ
BAD_USCC=91120116MA06ABCDX1
OPID=120101199001011239
PIN='Kx7#pq29'

start --mode window66
wait_for "柜员登录" || wait_for "请选择业务"
if screen | grep -qF "柜员登录"; then
  key Up C-u; type_ w66; key Enter; type_ "${CLERK66_PASS:-}"; key Enter
fi
if ! wait_for "证书新办"; then
  t_fail "home menu offers 证书新办 (signed in as w66)"; screen | sed 's/^/#   /'; exit 0
fi
t_ok "home menu offers 证书新办"
key 2   # window 66: 1 有效期查询, 2 证书新办
expect "company form" "统一社会信用代码"

# ---- company, with a mistyped USCC ---------------------------------------------
type_ "$COMPANY"; key Enter
type_ "$BAD_USCC"; key Enter
expect "wrong USCC check character named beside its field" "统一社会信用代码校验位错误"
expect "nothing typed is lost (company name kept)" "$COMPANY"
key BSpace; type_ Q; key Enter
type_ 张三; key Enter; type_ 120102197803154415; key Enter
type_ 022-1; key Enter
expect "a phone number without its local number: refused at the field" "电话号码格式不正确"
key C-u; type_ 022-23456789; key Enter
type_ abc; key Enter
expect "an office phone that is not one: refused too (optional, but checked when given)" "电话号码格式不正确"
key C-u; key Enter
type_ www..com; key Enter
expect "a web address with an empty label: refused" "网址格式不正确"
key C-u; key Enter
type_ 天津市滨海新区端到端路8号; key Enter
expect "operator form after the company" "经办人身份证号"

# Esc back keeps every value, then forward again
key Escape
expect "Esc back to the company form" "单位名称"
expect "company name kept after Esc" "$COMPANY"
expect "corrected USCC kept after Esc" "$USCC"
for i in 1 2 3 4 5 6 7 8; do key Enter; done
expect "forward again to the operator" "经办人身份证号"

# ---- operator, kind, materials -------------------------------------------------------
type_ 李四; key Enter
type_ "$OPID"; key Enter
type_ 13912345678; key Enter
type_ lisi@example.com; key Enter
key Enter
expect "the certificate's application asked (the form's starred section)" "证书应用项目"
expect "...offered as the profile has it" "天津市政府采购电子招投标系统"
key C-u; key Enter
expect "...required: refused at its field" "区域不能为空"
fill_project
expect "kind and term" "单位证书带签章"
key Enter
expect "materials checklist" "经办人身份证原件及复印件"
# one list: what the screen ticks is what the 办理材料清单 prints, item by item
"$KIOSK" print sample --doc checklist --out "$TEST_TMP/checklist.pdf" > /dev/null 2>&1
pdftotext -layout "$TEST_TMP/checklist.pdf" - | sed -n '/请携带以下材料/,/^ *$/p' | sed '1d; /^ *$/d; s/^ *//; s/ *$//' \
  > "$TEST_TMP/paper_items.txt"
t_check "the checklist paper lists materials" test -s "$TEST_TMP/paper_items.txt"
missing=""
while IFS= read -r item; do screen | tr -d ' ' | grep -qF -- "$(printf '%s' "$item" | tr -d ' ' | cut -c1-30)" || missing="$missing|$item"; done < "$TEST_TMP/paper_items.txt"
t_eq "every item of the paper checklist is on the materials screen" "" "$missing"
expect "the forms the counter prints are marked so, not ticked" "（本窗口打印，签字盖章后收回）"
key p
expect "P: the checklist printed for the applicant" "材料清单已送打印"
t_eq "...queued in the outbox for this order" "1" \
  "$(sqlite3 -cmd '.timeout 3000' "$KIOSK_HOME/kiosk.db" "SELECT count(*) FROM jobs WHERE doc='checklist' AND order_id=(SELECT id FROM orders WHERE uscc='$USCC' AND state=0)")"
key Enter
expect "materials not all ticked: refused" "还有材料未核验"
key a; key Enter

# ---- fee, papers, payment -----------------------------------------------------------
expect "fee quote" "应收合计：200.00 元"
expect "application form and seal sheet printed" "已打印"
key Enter
expect "payment screen" "付款方式"
expect "payment QR drawn" "▀"
key 1; key Enter
expect "after payment: insert a blank key" "请插入空白UKey"

# ---- the key ------------------------------------------------------------------------
# two keys in at once: neither is taken (which one would be issued?), both named
"$KIOSK" dev plug demo >/dev/null
out=$("$KIOSK" dev plug $KEY 2>&1); SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1)
expect "two keys in: refused, one at a time" "读卡器上插着 2 个UKey"
expect "...both named" "$SERIAL"
key Enter
absent "...Enter takes neither" "再次输入PIN码"
"$KIOSK" dev unplug demo >/dev/null
absent "the other pulled: the several-keys line gone" "读卡器上插着"
expect "key seen" "$SERIAL"
if wait_for "可以使用" ; then t_ok "blank key accepted"; else
  expect "key holding a certificate refused" "已有证书"
  key W
  expect "wipe asks for confirmation" "按 Y 确认"
  key Y
  expect "wipe agreed" "已确认擦除"
fi
key Enter
expect "PIN entry" "再次输入PIN码"
type_ 111111; key Enter
expect "weak PIN refused beside its field" "PIN码不能全部是同一个字符"
key C-u; type_ "$PIN"; key Enter; type_ "$PIN"; key Enter
expect "self-test passed" "数字证书加解密测试成功"
expect "issuing finished" "回车 下一步"
screen > "$TEST_TMP/issue.txt"
if grep -qF -- "$PIN" "$TEST_TMP/issue.txt"; then t_fail "PIN never shown"; else t_ok "PIN never shown"; fi
key Enter
expect "last screen sends the applicant to window 68" "68号窗口"
expect "operator ID masked on screen" "120101********1239"
key Enter
expect "back home" "请选择业务"
"$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1

# ---- the records and the papers --------------------------------------------------------
DB=$KIOSK_HOME/kiosk.db
ORDER=$(sqlite3 "$DB" "SELECT number FROM orders WHERE uscc='$USCC' ORDER BY id DESC LIMIT 1")
t_eq "order finished, paid cash, 200 yuan" "1|cash|20000" "$(sqlite3 "$DB" "SELECT state, pay_method, amount FROM orders WHERE number='$ORDER'")"
t_eq "active certificate on the key" "1" "$(sqlite3 "$DB" "SELECT count(*) FROM certs WHERE uscc='$USCC' AND key_serial='$SERIAL' AND state=0")"
n=0
for i in $(seq 1 50); do
  n=0
  for f in "$PRINTER_SPOOL"/*"$ORDER"*.pdf; do
    [ -f "$f" ] && pdftotext "$f" - 2>/dev/null | grep -qF "$COMPANY" && n=$((n + 1))
  done
  [ "$n" -ge 4 ] && break; sleep 0.2
done
t_eq "form, seal sheet, the checklist asked for (P) and receipt in the printer's spool with the company name" 4 "$n"
clerk_on_receipt=0
for f in "$PRINTER_SPOOL"/*"$ORDER"*.pdf; do
  [ -f "$f" ] && pdftotext "$f" - 2>/dev/null | tr -d ' ' | grep -qF "受理人：测试66柜员" && clerk_on_receipt=1
done
t_eq "the receipt names the clerk by name, not by login" 1 "$clerk_on_receipt"
form_full=0
for f in "$PRINTER_SPOOL"/*"$ORDER"*.pdf; do
  [ -f "$f" ] && pdftotext "$f" - 2>/dev/null | tr -d ' ' > "$TEST_TMP/paper.txt"
  grep -qF "120102197803154415" "$TEST_TMP/paper.txt" && grep -qF "天津市政府采购电子招投标系统" "$TEST_TMP/paper.txt" && form_full=1
done
t_eq "the form carries the legal representative's ID and the certificate's application project" 1 "$form_full"

# ---- a second order for the same company is refused ---------------------------------------
key 2
expect "company form again" "统一社会信用代码"
type_ "$COMPANY"; key Enter; type_ "$USCC"; key Enter; type_ 张三; key Enter; type_ 120102197803154415; key Enter; type_ 022-23456789; key Enter
key Enter; key Enter; type_ 天津市; key Enter
expect "one certificate per enterprise: refused, pointing to renewal" "请办理证书更新或补办"
key C-c
expect "Ctrl-C at a window: not a way out, said how to leave" "Ctrl-C 不退出程序"
absent "...the kiosk still runs" "KIOSK-EXITED"
expect "...nothing typed lost" "022-23456789"
key Escape
expect "Esc on the first step with typed values: asked first, as F8 asks" "确认取消"
key n
expect "...any other key stays, nothing typed lost" "天津市"
absent "...the question gone" "确认取消"
key Escape; key y
expect "home after leaving" "请选择业务"

# ---- the receipt's order number finds the finished order; P prints it again ------------------
menu_n=$(screen | grep -F "未完成订单" | grep -oE '[0-9]+\. ' | head -1 | tr -dc 0-9)
for _ in $(seq 1 20); do key Up; sleep 0.05; done          # the item is past the 9th: the arrows
for _ in $(seq 2 "${menu_n:-1}"); do key Down; sleep 0.05; done
key Enter
expect "未完成订单: ID number or order number" "订单号"
type_ "$ORDER"; key Enter
expect "the order found by its number" "$ORDER"
expect "...finished" "已完成"
key Enter
expect "...not resumed" "此订单已完成或已取消"
key p
expect "P: the receipt printed again" "回执已重新打印"
t_eq "...a second receipt job for the order" 2 \
  "$(sqlite3 "$DB" "SELECT count(*) FROM jobs j JOIN orders o ON o.id = j.order_id WHERE o.number='$ORDER' AND j.doc='receipt'")"
t_eq "...audited, naming the clerk" 1 "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action='print.reprint' AND actor<>'self' AND detail LIKE '%$ORDER%'")"
key Escape; key Escape
expect "home again" "请选择业务"
