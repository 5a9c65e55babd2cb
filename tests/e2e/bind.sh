#!/usr/bin/env bash
# tests/e2e/bind.sh - window 68 beside window 66: two kiosk processes on
# one hall, the real binary in two tmux sessions.
#  - window 68 binds the seal to a company's new certificate: the key read,
#    the company and "no seal yet" shown, the sampling sheet ticked, the
#    seal's name filled in from the certificate, bound, the confirmation
#    printed (read back with pdftotext);
#  - window 68 records the name change (信息变更登记); window 66's change
#    finds it, says so and has the new name filled in, and changes the
#    certificate (a new one on the same key); window 68's 待重新绑定 lists the company's seal; Enter binds
#    again, naming the seal it replaces; the old binding is kept superseded
#    and the list is empty.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
PIN='Kx7#pq29'
H=$ROOT/build/san/itests/issue_helper
cleanup() { tm kill-server >/dev/null 2>&1; key_unplug_all; }
trap cleanup EXIT
key() { tm send-keys -t $S "$@"; }
type_() { tm send-keys -t $S -l "$1"; }
USCC=91120116MA05BD4TXC; COMPANY=天津市双窗口签章有限公司; NEWCO=天津市双窗口签章更名有限公司

K=$(key_plug blank31)
"$H" issue "$K" "$USCC" "$COMPANY" 120101198503038883 > "$TEST_TMP/issue.out" 2>&1
key_unplug "$K"
CERT=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
t_check "a certificate issued at window 66 ($CERT)" test -n "$CERT"

start --mode window66
S66=$S
login w66 "$CLERK66_PASS"
S68=e2e68-$$
tm new-session -d -s $S68 -x 100 -y 30 \
  "env LC_ALL=C.UTF-8 TERM=xterm-256color TZ=UTC KIOSK_HOME=$KIOSK_HOME $KIOSK --mode window68; sleep 30"
S=$S68
login w68 "$CLERK68_PASS"
expect "window 68's menu offers the binding" "电子签章绑定"
expect "...and the re-binding list" "待重新绑定"

# ---- window 68: the first binding -------------------------------------------------------------
key_plug "$K" > /dev/null
menu 电子签章绑定
expect "who comes" "电子签章绑定：请填写来办理的经办人"
type_ 郑十四; key Enter; type_ 120101198503037848; key Enter; type_ 13912345676; key Enter
expect "the company's key read" "$COMPANY"
key Enter
expect "the certificate shown" "$CERT"
expect "...the company has no seal yet" "尚无电子签章"
expect "...a unit certificate: the company seal" "单位电子公章"
key 1; key Enter
expect "the seal collection form to tick (the kinds table's list, as the checklist prints it)" "电子签章印章采集申请表"
key a; key Enter
expect "the seal's form" "签章名称按印章采样表填写"
expect "...its name from the certificate" "$COMPANY"
key Enter; key Enter
expect "bound" "电子签章已绑定"
wait_for "回车 下一步"; key Enter
expect "done" "电子签章绑定完成"
SEAL=$(db "SELECT seal_id FROM seals WHERE uscc='$USCC' AND state=0")
expect "...the seal number on screen ($SEAL)" "$SEAL"
key Enter
expect "home" "请选择业务"
t_eq "recorded under w68, on the certificate and key" "w68|$CERT|$K" \
  "$(db "SELECT clerk || '|' || cert_serial || '|' || key_serial FROM seals WHERE seal_id='$SEAL'")"
ORDER=$(db "SELECT o.number FROM orders o JOIN seals s ON s.order_id = o.id WHERE s.seal_id='$SEAL'")
n=0
for i in $(seq 1 50); do
  for f in "$PRINTER_SPOOL"/*"$ORDER"*.pdf; do
    [ -f "$f" ] && pdftotext -raw "$f" - 2>/dev/null | tr -d ' \n' | grep -qF "签章编号：$SEAL" && n=1
  done
  [ "$n" = 1 ] && break; sleep 0.2
done
t_check "the binding confirmation printed, its seal number read back" test "$n" = 1

# ---- window 68 records the change first (信息变更登记), then window 66 changes the certificate --------
menu 信息变更登记
expect "change record: who comes" "信息变更登记：请填写来办理的经办人"
type_ 郑十四; key Enter; type_ 120101198503037848; key Enter; type_ 13912345676; key Enter
expect "the company's key read" "$COMPANY"
key Enter
expect "the change form, the company's details in it" "$COMPANY"
key C-u; type_ "$NEWCO"; key Enter; key Enter; key Enter
expect "the licence and the approval notice to tick" "变更核准通知书原件"
key a; key Enter
expect "recorded" "信息变更已登记"
wait_for "回车 下一步"; key Enter
expect "change record: done, what changed" "$NEWCO"
key Enter
expect "home" "请选择业务"
t_eq "window 68's record of the change" "$NEWCO|w68" "$(db "SELECT new_company || '|' || clerk FROM change_records WHERE uscc='$USCC'")"

S=$S66
menu 证书信息变更
expect "change: the applicant" "证书信息变更：请填写经办人"
type_ 王十一; key Enter; type_ 120101198503037805; key Enter; type_ 13912345675; key Enter
expect "the company's key" "$COMPANY"
key Enter
expect "the change form says window 68 recorded it" "68号窗口已于$(date +%F)登记本次变更"
expect "...its new name filled in" "$NEWCO"
key C-u; type_ "$NEWCO"; key Enter; key Enter; key Enter
expect "the materials of a change" "勾选“证书信息变更”"
key a; key Enter
expect "nothing to pay" "应收合计：0.00 元"
key Enter; key Enter
expect "the current PIN" "请输入UKey当前的PIN码"
type_ "$PIN"; key Enter
expect "re-issued" "数字证书加解密测试成功"
wait_for "回车 下一步"; key Enter
expect "change: done, to window 68 for the seal" "68号窗口重新绑定电子签章"
key Enter
NEWCERT=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")

# ---- window 68: the re-binding --------------------------------------------------------------------
S=$S68
menu 待重新绑定
expect "the list names the company's seal" "$SEAL"
expect "...under the name it was bound with" "$COMPANY"
expect "...and why" "证书已撤销或变更"
key Enter
expect "Enter starts the binding: who comes" "电子签章绑定：请填写来办理的经办人"
type_ 郑十四; key Enter; type_ 120101198503037848; key Enter; type_ 13912345676; key Enter
expect "...the key read" "$NEWCO"
key Enter
expect "the new certificate shown" "$NEWCERT"
expect "...the seal it replaces" "需重新绑定"
key 1; key Enter
expect "the seal collection form" "电子签章印章采集申请表"
key a; key Enter
expect "the seal's name: the new one" "$NEWCO"
key Enter; key Enter
expect "bound again" "电子签章已绑定"
wait_for "回车 下一步"; key Enter
expect "done, a re-binding" "重新绑定（替换）"
key Enter
NEWSEAL=$(db "SELECT seal_id FROM seals WHERE uscc='$USCC' AND state=0")
t_eq "the old binding kept, superseded by the new one" "1|$NEWSEAL" "$(db "SELECT state || '|' || superseded_by FROM seals WHERE seal_id='$SEAL'")"
t_eq "the new one on the new certificate" "$NEWCERT" "$(db "SELECT cert_serial FROM seals WHERE seal_id='$NEWSEAL'")"
key Escape
menu 待重新绑定
expect "nothing waits any more" "没有待重新绑定的电子签章"
