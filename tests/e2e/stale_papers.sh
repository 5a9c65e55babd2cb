#!/usr/bin/env bash
# tests/e2e/stale_papers.sh - papers that no longer say what the order says
# (issue 14): 证书新办 to the fee step prints the application form and the
# seal sheet for 单位证书带签章, 3 years; the clerk goes back and changes to
# 法人证书带签章, 5 years. At the fee step again the screen says the details
# changed and the papers were printed again, the old ones void, and the
# newest form in the printer's spool says 法人证书带签章 and the new total;
# the change is audited (papers.stale). The order is then cancelled.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"
trap 'tm kill-server >/dev/null 2>&1' EXIT

key() { tm send-keys -t $S "$@"; }
type_() { tm send-keys -t $S -l "$1"; }
DB=$KIOSK_HOME/kiosk.db
q() { sqlite3 -cmd '.timeout 2000' "$DB" "$1"; }
COMPANY=天津市作废资料测试有限公司
USCC=91120116MA00QT2002
OPID=120101198502131402

start --mode window66
new_cert_to_fee "$COMPANY" "$USCC" "$OPID" 13912345699
expect "fee step: the papers printed" "已打印"
ORDER=$(q "SELECT number FROM orders WHERE operator_id='$OPID' ORDER BY id DESC LIMIT 1")
t_check "the order exists ($ORDER)" test -n "$ORDER"
form_says() { # TEXT: the newest form PDF of the order in the spool says TEXT
  local i f
  for i in $(seq 1 50); do
    f=$(ls -t "$PRINTER_SPOOL"/*.pdf 2>/dev/null | while read -r p; do
          pdftotext "$p" - 2>/dev/null | tr -d ' ' | grep -qF "$ORDER" && pdftotext "$p" - 2>/dev/null | grep -qF "申请表" && { echo "$p"; break; }
        done)
    [ -n "$f" ] && pdftotext "$f" - 2>/dev/null | tr -d ' ' | grep -qF "$1" && return 0
    sleep 0.2
  done
  return 1
}
t_check "the first form says 单位证书带签章" form_says "单位证书带签章"

# back to the kind, changed to 法人证书带签章 and 5 years
key Escape; wait_for "经办人身份证原件及复印件"
key Escape; wait_for "单位证书带签章"
key +; key Tab; key 5; key Enter
wait_for "经办人身份证原件及复印件"; key Enter
expect "fee step again: the change is said" "资料已改动"
expect "...the papers printed before are void, to be collected" "已作废"
absent "...not the plain 'printed' any more" "已打印："
t_check "the newest form says 法人证书带签章" form_says "法人证书带签章"
t_eq "the change audited (papers.stale)" 1 "$(q "SELECT count(*) FROM audit WHERE action='papers.stale' AND detail LIKE 'order=$ORDER %'")"
t_eq "two forms queued for the order, the first before the change" 2 "$(q "SELECT count(*) FROM jobs WHERE order_id=(SELECT id FROM orders WHERE number='$ORDER') AND doc='form'")"

# going back and forward without a change prints nothing more
key Escape; wait_for "经办人身份证原件及复印件"; key Enter
expect "fee step, nothing changed" "已打印"
t_eq "...no third form" 2 "$(q "SELECT count(*) FROM jobs WHERE order_id=(SELECT id FROM orders WHERE number='$ORDER') AND doc='form'")"
key F8; wait_for "确认取消"; key Y
wait_for "请选择业务"
t_eq "the order cancelled" 2 "$(q "SELECT state FROM orders WHERE number='$ORDER'")"
