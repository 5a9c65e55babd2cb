#!/usr/bin/env bash
# tests/e2e/servicing.sh - the replacements and the information change at
# window 66 on the real binary in tmux, each to its done page, then the
# records and the papers:
#  - 证书补办 (lost key): the company by USCC and name, the operator, the
#    materials, the lost-key media fee (50.00), cash, a blank key, a PIN
#    twice, the self-test, done (the old certificate revoked keyCompromise);
#  - 损坏补办 (damaged key): the damaged key read (its holder shown), the
#    company confirmed as read, the fault picked from the list, the operator,
#    free under the Tianjin profile (0.00, the reason said, "free" confirmed,
#    no payment row), the blank key, PIN, done (the old one superseded, the
#    damaged key taken back);
#  - 证书撤销 (revocation): the company by USCC and name with no key, the
#    operator, the reason picked under the certificate shown, free, revoked
#    at once (cessationOfOperation in the records);
#  - 证书挂失 then 证书解挂: the company by USCC and name, the certificate
#    shown and confirmed, free, on hold with the day it ends; then the
#    found key read, the operator, free, its PIN, active again;
#  - 证书变更 (information change): the applicant, the company's key, the new
#    company name typed over the old, nothing to pay, the current PIN, done
#    (the same key, the new name in the certificate, the old one revoked
#    affiliationChanged), and the form's 变更事项 on paper.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"
. "$ROOT/tests/snap.sh"

DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
key() { tm send-keys -t $S "$@"; }
type_() { tm send-keys -t $S -l "$1"; }
PIN='Kx7#pq29'
plug() { key_plug "$1"; }         # (remembered in a file: it runs in $(...))
unplug() { key_unplug "$1"; }
cleanup() { tm kill-server >/dev/null 2>&1; key_unplug_all; }
trap cleanup EXIT
H=$ROOT/build/san/itests/issue_helper
issue() { # LABEL USCC COMPANY -> the key's serial, unplugged, the certificate issued onto it
  local s; s=$(plug "$1")
  "$H" issue "$s" "$2" "$3" 120101198503038883 > "$TEST_TMP/issue-$1.out" 2>&1
  unplug "$s"; echo "$s"
}
operator() { # NAME ID: the operator form, wechat left empty
  type_ "$1"; key Enter; type_ "$2"; key Enter; type_ 13912345670; key Enter
  type_ op@example.com; key Enter; key Enter
}
# BLANK: plug the blank key asked for (its serial in $NEW; "in" as BLANK:
# the one in $NEW, plugged already), accept it, PIN twice, issued and
# self-tested, on to the done page
onto_blank() {
  if [ "$1" != in ]; then expect "then a blank key" "请插入空白UKey"; NEW=$(plug "$1"); fi
  expect "the blank key seen" "$NEW"
  wait_for "可以使用" || true
  key Enter
  expect "the PIN" "再次输入PIN码"
  type_ "$PIN"; key Enter; type_ "$PIN"; key Enter
  expect "issued and self-tested" "数字证书加解密测试成功"
  wait_for "回车 下一步"; key Enter
}

U_LOST=91120116MA05EL1A34; C_LOST=天津市遗失补办端到端有限公司
U_DMG=91120116MA05ED2B6H; C_DMG=天津市损坏补办端到端有限公司
U_CHG=91120116MA05EC3C87; C_CHG=天津市变更端到端有限公司; C_CHG_NEW=天津市变更后端到端有限公司
K_LOST=$(issue blank19 "$U_LOST" "$C_LOST")
K_DMG=$(issue blank21 "$U_DMG" "$C_DMG")
K_CHG=$(issue blank23 "$U_CHG" "$C_CHG")
U_REV=91120116MA05RW2K2Y; C_REV=天津市撤销端到端有限公司
K_REV=$(issue blank26 "$U_REV" "$C_REV")
U_HOLD=91120116MA05HD3L05; C_HOLD=天津市挂失端到端有限公司
K_HOLD=$(issue blank29 "$U_HOLD" "$C_HOLD")
OLD_HOLD=$(db "SELECT serial FROM certs WHERE uscc='$U_HOLD' AND state=0")
OLD_REV=$(db "SELECT serial FROM certs WHERE uscc='$U_REV' AND state=0")
t_check "three certificates issued for the three companies" test "$(db "SELECT count(*) FROM certs WHERE state=0 AND uscc IN ('$U_LOST','$U_DMG','$U_CHG')")" = 3
OLD_LOST=$(db "SELECT serial FROM certs WHERE uscc='$U_LOST' AND state=0")
OLD_DMG=$(db "SELECT serial FROM certs WHERE uscc='$U_DMG' AND state=0")
OLD_CHG=$(db "SELECT serial FROM certs WHERE uscc='$U_CHG' AND state=0")

start --mode window66
login w66 "$CLERK66_PASS"

# ---- 证书补办 (lost key) ----------------------------------------------------------------
menu 证书补办（遗失）
expect "lost: the company form" "证书补办（UKey遗失）"
type_ "$U_LOST"; key Enter; type_ 天津市别的公司; key Enter
expect "a name that does not match the records: said at the field" "单位名称与该统一社会信用代码的证书记录不符"
key C-u; type_ "$C_LOST"; key Enter
expect "the operator's form" "经办人"
operator 周八 120101198503037784
expect "the materials, with the replacement box of the form" "勾选“证书补办”"
key a; key Enter
expect "the lost-key media fee" "应收合计：50.00 元"
key Enter
expect "payment" "付款方式"
key 1; key Enter
onto_blank blank20; NEW_KEY=$NEW
expect "lost: done" "证书补办完成"
expect "...the old certificate named revoked, window 68 next" "68号窗口"
key Enter
expect "home" "请选择业务"
unplug "$NEW_KEY"
t_eq "lost: the old certificate revoked keyCompromise (1)" "1|1" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD_LOST'")"
t_eq "...the new one on blank20, paid 50.00 cash" "$NEW_KEY|5000|cash" \
  "$(db "SELECT c.key_serial || '|' || o.amount || '|' || o.pay_method FROM certs c JOIN orders o ON o.id = c.order_id WHERE c.uscc='$U_LOST' AND c.state=0")"

# ---- 损坏补办 (damaged key, read) ---------------------------------------------------------------
plug "$K_DMG" > /dev/null
plug demo > /dev/null
menu 证书补办（损坏）
expect "damaged, two keys in: neither read, one at a time asked" "读卡器上插着 2 个UKey"
absent "...neither holder shown" "$C_DMG"
key Enter
absent "...Enter takes neither" "损坏补办：请核对"
unplug demo
expect "damaged: the damaged key read, its holder shown" "$C_DMG"
expect "...usable" "UKey检测通过"
L=zh; snap key-service          # the key page of a servicing transaction (a golden screen)
expect "...N when it does not read" "N 无法读取"
key Enter
expect "the company as read, to confirm" "损坏补办：请核对"
expect "...its USCC filled in" "$U_DMG"
key Enter; key Enter
expect "the fault, from the list" "经检测，UKey的故障属于哪一种？"
expect "...four faults" "4. 外壳破损"
key Enter
expect "nothing chosen: said" "请先选择一项"
key 1; key Enter
expect "the operator" "经办人"
operator 郑十 120101198503037792
expect "the materials: the damaged key handed in" "损坏的UKey（非人为损坏"
key a; key Enter
expect "free under the Tianjin profile" "应收合计：0.00 元"
expect "...and why" "非人为损坏、外观完好"
key Enter
expect "nothing to pay, confirmed with Enter" "本次办理免费"
key Enter
expect "the damaged key still in: pull it, it is the one taken back" "这是回收的损坏UKey"
NEW=$(plug blank22)
sleep 1
expect "...a blank key beside it: the damaged one still named as the one to pull" "这是回收的损坏UKey"
absent "...(not only 'several keys')" "读卡器上插着"
key Enter
absent "...and Enter takes neither" "再次输入PIN码"
unplug "$K_DMG"
expect "the damaged key pulled: the blank one seen" "$NEW"
onto_blank in; NEW_DMG=$NEW
expect "damaged: done" "损坏补办完成"
expect "...the damaged key named taken back" "$K_DMG"
key Enter
expect "home" "请选择业务"
unplug "$NEW_DMG"
t_eq "damaged: the old certificate superseded (4), the damaged key returned (5)" "1|4|5" \
  "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD_DMG'")|$(db "SELECT state FROM keys WHERE serial='$K_DMG'")"
t_eq "...free: amount 0, no payment row" "0|0" \
  "$(db "SELECT o.amount || '|' || (SELECT count(*) FROM payments WHERE order_id = o.id) FROM certs c JOIN orders o ON o.id = c.order_id WHERE c.uscc='$U_DMG' AND c.state=0")"

# ---- 证书变更 (information change) ---------------------------------------------------------------
plug "$K_CHG" > /dev/null
menu 证书信息变更
expect "change: the applicant" "证书信息变更：请填写经办人"
type_ 王十一; key Enter; type_ 120101198503037805; key Enter; type_ 13912345675; key Enter
expect "the company's key" "$C_CHG"
key Enter
expect "the change form, the Tianjin order said" "68号窗口办理"
expect "...the company's name filled in" "$C_CHG"
key C-u; type_ "$C_CHG_NEW"; key Enter; key Enter; key Enter
expect "the materials of a change" "勾选“证书信息变更”"
key a; key Enter
expect "nothing to pay" "应收合计：0.00 元"
key Enter
expect "free, confirmed" "本次办理免费"
key Enter
expect "the current PIN" "请输入UKey当前的PIN码"
type_ "$PIN"; key Enter
expect "re-issued and self-tested" "数字证书加解密测试成功"
wait_for "回车 下一步"; key Enter
expect "change: done" "证书信息变更完成"
expect "...the change described" "单位名称"
expect "...to window 68 for the new seal" "68号窗口重新绑定电子签章"
key Enter
expect "home" "请选择业务"
unplug "$K_CHG"
NEW_CHG=$(db "SELECT serial FROM certs WHERE uscc='$U_CHG' AND state=0")
t_eq "change: the new certificate on the same key, under the new name" "$K_CHG|$C_CHG_NEW" \
  "$(db "SELECT key_serial || '|' || holder FROM certs WHERE serial='$NEW_CHG'")"
t_eq "...the old one revoked affiliationChanged (3)" "1|3" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD_CHG'")"
ORDER=$(db "SELECT o.number FROM certs c JOIN orders o ON o.id = c.order_id WHERE c.serial='$NEW_CHG'")
n=0
for i in $(seq 1 50); do
  n=0
  for f in "$PRINTER_SPOOL"/*"$ORDER"*.pdf; do
    [ -f "$f" ] && pdftotext -raw "$f" - 2>/dev/null | tr -d ' \n' | grep -qF "单位名称$C_CHG→$C_CHG_NEW" && n=$((n + 1))
  done
  [ "$n" -ge 1 ] && break; sleep 0.2
done
t_check "...the printed form describes the change" test "$n" -ge 1

# ---- 证书撤销 (revocation, the key absent) -------------------------------------------------------
menu 证书撤销
expect "revoke: the company form, the key need not be here" "UKey可不在场"
type_ "$U_REV"; key Enter; type_ "$C_REV"; key Enter
expect "the operator" "经办人"
operator 钱十二 120101198503037776
expect "the reason, the certificate shown above it" "$OLD_REV"
expect "...the company too" "$C_REV"
expect "...five reasons, RFC 5280's" "5. 不说明原因"
key 2; key Enter
expect "the materials" "写明“证书撤销”"
key a; key Enter
expect "nothing to pay" "应收合计：0.00 元"
key Enter
expect "free, confirmed" "本次办理免费"
key Enter
expect "revoked, immediately" "证书已吊销，立即生效"
wait_for "回车 下一步"; key Enter
expect "revoke: done" "证书撤销完成"
expect "...listed on the CRL" "证书吊销列表（CRL）"
key Enter
expect "home" "请选择业务"
t_eq "revoke: the certificate revoked cessationOfOperation (5)" "1|5" "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD_REV'")"

# ---- 证书挂失 (report lost, the key absent), then 证书解挂 with the key found ---------------------
menu 证书挂失
expect "hold: the company form, the key not here" "证书挂失：请填写"
type_ "$U_HOLD"; key Enter; type_ "$C_HOLD"; key Enter
operator 孙十三 120101198503037792
expect "the certificate to hold, shown" "$OLD_HOLD"
expect "...confirmed by one answer" "1. 挂失：证书立即冻结"
key 1; key Enter
expect "the materials" "写明“证书挂失”"
key a; key Enter
expect "nothing to pay" "应收合计：0.00 元"
key Enter
expect "free, confirmed" "本次办理免费"
key Enter
expect "held, immediately" "证书已挂失冻结，立即生效"
wait_for "回车 下一步"; key Enter
expect "hold: done" "证书挂失完成"
expect "...with the day the hold ends ([ca] hold_days = 30)" "$(date -d '+30 days' +%F)"
key Enter
expect "home" "请选择业务"
t_eq "hold: on hold (certificateHold 6), the key held (3)" "1|6|3" \
  "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD_HOLD'")|$(db "SELECT state FROM keys WHERE serial='$K_HOLD'")"
plug "$K_HOLD" > /dev/null
menu 证书解挂
expect "release: the found key read, its company shown" "$C_HOLD"
key Enter
expect "the operator" "经办人"
operator 孙十三 120101198503037792
expect "the materials" "写明“证书解挂”"
key a; key Enter
expect "nothing to pay" "应收合计：0.00 元"
key Enter
key Enter
expect "the key's PIN proves it is theirs" "请输入UKey当前的PIN码"
type_ "$PIN"; key Enter
expect "released" "已解除挂失，证书恢复有效"
wait_for "回车 下一步"; key Enter
expect "release: done" "证书解挂完成"
key Enter
expect "home" "请选择业务"
unplug "$K_HOLD"
t_eq "release: active again, the key in use (1)" "0|-1|1" \
  "$(db "SELECT state || '|' || reason FROM certs WHERE serial='$OLD_HOLD'")|$(db "SELECT state FROM keys WHERE serial='$K_HOLD'")"
key F10
