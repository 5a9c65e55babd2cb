#!/usr/bin/env bash
# tests/e2e/new_cert_faults.sh - 证书新办 on the real binary in tmux when
# things go wrong, on the test hall's blank1 key:
#  (a) printer down for the whole transaction (a --config copy of the hall's
#      kiosk.conf whose [printer] uri is a closed port): the clerk is told
#      the papers are queued, the transaction is completed, and the form,
#      seal sheet and receipt wait in the outbox (QUEUED);
#  (b) database busy (a second sqlite3 process holds the write lock): the
#      payment and the records of the issuance meet a plain message, nothing
#      is half-written while it lasts, and the step is retried (Enter / R)
#      once the lock is gone;
#  (c) the kiosk killed with SIGKILL after payment, during the PIN: on
#      restart the resume screen finds the order by the operator's ID
#      number, says it resumes at "insert a blank key", resumes there, and
#      the order is cancelled cleanly (refund noted in the audit trail);
#  (d) the kiosk killed right after the certificate reached the key: the
#      order is cancelled, and the cancellation revokes that certificate
#      (recorded revoked, audited, on the published CRL).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

DB=$KIOSK_HOME/kiosk.db
PIN='Kx7#pq29'
KEYNAME=blank1
LOCKPID=
cleanup() {
  tm kill-server >/dev/null 2>&1
  [ -n "$LOCKPID" ] && { exec 7>&- ; kill "$LOCKPID" 2>/dev/null; }
  [ -n "${SERIAL:-}" ] && "$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1
}
trap cleanup EXIT

key() { tm send-keys -t $S "$@"; }
type_() { tm send-keys -t $S -l "$1"; }
q() { sqlite3 -cmd '.timeout 2000' "$DB" "$1"; }

# Sign in if asked and take 证书新办 to the fee (tests/tmux.sh; args: company uscc opid mobile).
to_fee() { new_cert_to_fee "$@"; wait_for "200.00"; }
# On the key page: accept the plugged key (wiping it if it holds a certificate).
take_key() {
  wait_for "$SERIAL"
  if ! wait_for "可以使用"; then key W; wait_for "按 Y 确认"; key Y; wait_for "已确认擦除"; fi
  key Enter
  wait_for "再次输入PIN码"
}

out=$("$KIOSK" dev plug $KEYNAME 2>&1); SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1)
t_check "$KEYNAME plugged (serial $SERIAL)" test -n "$SERIAL"

# ---- (a) printer down -----------------------------------------------------------
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
sed "s#^uri *=.*#uri = ipp://localhost:$DEAD/ipp/print#" "$KIOSK_HOME/kiosk.conf" > "$TEST_TMP/printer_down.conf"
t_check "config copy points the printer at a closed port" grep -q "localhost:$DEAD" "$TEST_TMP/printer_down.conf"
USCC_A=91120116MA0PRNDN0D; OPID_A=120101198111114568; CO_A=天津市打印机故障测试有限公司
start --mode window66 --config "$TEST_TMP/printer_down.conf"
to_fee "$CO_A" "$USCC_A" "$OPID_A" 13912345681
expect "(a) the clerk is told the papers did not print" "未能立即打印"
expect "(a) ... and that they print when the printer is back" "打印机恢复后自动补打"
key Enter
expect "(a) payment screen" "付款方式"
key 1; key Enter
take_key
type_ "$PIN"; key Enter; type_ "$PIN"; key Enter
expect "(a) issued with the printer down" "数字证书加解密测试成功"
expect "(a) issuing finished" "回车 下一步"
screen > "$TEST_TMP/a_issue.txt"
t_grep "(a) the receipt is reported queued, not printed" "打印机恢复后自动补打" "$TEST_TMP/a_issue.txt"
if grep -qF '%' "$TEST_TMP/a_issue.txt"; then t_fail "(a) no raw template on screen"; else t_ok "(a) no raw template on screen"; fi
key Enter
expect "(a) last screen: go to window 68" "68号窗口"
key Enter
expect "(a) back home" "请选择业务"
ORDER_A=$(q "SELECT number FROM orders WHERE operator_id='$OPID_A'")
t_eq "(a) order finished and paid" "1|cash" "$(q "SELECT state, pay_method FROM orders WHERE number='$ORDER_A'")"
t_eq "(a) certificate recorded" "1" "$(q "SELECT count(*) FROM certs WHERE uscc='$USCC_A' AND state=0")"
t_eq "(a) form, seal sheet and receipt wait in the outbox" "form:0 receipt:0 seal:0" \
  "$(q "SELECT group_concat(doc || ':' || state, ' ') FROM (SELECT doc, state FROM jobs WHERE order_id=(SELECT id FROM orders WHERE number='$ORDER_A') ORDER BY doc)")"
n=0; for f in "$PRINTER_SPOOL"/*"$ORDER_A"*.pdf; do [ -f "$f" ] && n=$((n + 1)); done
t_eq "(a) nothing reached the (other) printer" 0 "$n"

# ---- (b) database busy ------------------------------------------------------------
sed "s#^busy_ms *=.*#busy_ms = 300#" "$KIOSK_HOME/kiosk.conf" > "$TEST_TMP/busy.conf"
grep -q "^busy_ms = 300" "$TEST_TMP/busy.conf" || printf '\n[db]\nbusy_ms = 300\n' >> "$TEST_TMP/busy.conf"
lock() { # a second process takes the write lock and keeps it while fd 7 is open
  rm -f "$TEST_TMP/lock.fifo"; mkfifo "$TEST_TMP/lock.fifo"
  sqlite3 "$DB" < "$TEST_TMP/lock.fifo" > "$TEST_TMP/lock.out" 2>&1 & LOCKPID=$!
  exec 7> "$TEST_TMP/lock.fifo"
  # it waits for the lock (the kiosk may be writing at that instant: a BEGIN
  # refused then would hold nothing) and says when it has it
  printf ".timeout 10000\nBEGIN IMMEDIATE;\nSELECT 'lock-held';\n" >&7
  local i
  for i in $(seq 1 100); do
    grep -q lock-held "$TEST_TMP/lock.out" 2>/dev/null &&
      ! sqlite3 -cmd '.timeout 0' "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}
unlock() { echo "ROLLBACK;" >&7; exec 7>&-; wait "$LOCKPID" 2>/dev/null; LOCKPID=; }

USCC_B=91120116MA0DBBUY88; OPID_B=12010119820202789X; CO_B=天津市数据库忙测试有限公司
# blank1 now holds (a)'s active, recorded certificate and is never wiped: (b) takes blank4.
plug_key() { "$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1
  out=$("$KIOSK" dev plug "$1" 2>&1); SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); }
plug_key blank4
t_check "(b) blank4 plugged (serial $SERIAL)" test -n "$SERIAL"
start --mode window66 --config "$TEST_TMP/busy.conf"
to_fee "$CO_B" "$USCC_B" "$OPID_B" 13912345682
key Enter
expect "(b) payment screen" "付款方式"
ORDER_B=$(q "SELECT number FROM orders WHERE operator_id='$OPID_B' AND state=0")
if lock; then t_ok "(b) the write lock is held by another process"; else t_fail "(b) the write lock is held by another process"; fi
key 1; key Enter
expect "(b) payment while busy: told plainly, nothing lost" "业务数据库忙"
t_eq "(b) the order is not paid while busy" "0|0" \
  "$(q "SELECT paid_at, (SELECT count(*) FROM payments p WHERE p.order_id=o.id) FROM orders o WHERE number='$ORDER_B'")"
t_check "(b) still on the payment screen" wait_for "付款方式"
unlock
key Enter
expect "(b) payment retried once the lock is gone" "（8/11）插入空白UKey"
t_eq "(b) paid once" "cash|1" \
  "$(q "SELECT pay_method, (SELECT count(*) FROM payments p WHERE p.order_id=o.id) FROM orders o WHERE number='$ORDER_B'")"
take_key
if lock; then t_ok "(b) the write lock is held again before issuing"; else t_fail "(b) the write lock is held again before issuing"; fi
type_ "$PIN"; key Enter; type_ "$PIN"; key Enter
# Every effect on the key is written ahead: with the records locked nothing is done to it.
expect "(b) records failed: the clerk is told the database is busy" "业务数据库忙"
expect "(b) ... and may retry with R" "R 重试写入记录"
pkcs11-tool --module "$(sed -n 's/^module *= *//p' "$KIOSK_HOME/kiosk.conf" | head -1)" --token-label blank4 \
  --list-objects > "$TEST_TMP/b_objs.txt" 2>&1
if grep -q "Certificate Object" "$TEST_TMP/b_objs.txt"; then t_fail "(b) nothing written to the key while its intent cannot be recorded"
else t_ok "(b) nothing written to the key while its intent cannot be recorded"; fi
t_eq "(b) nothing recorded while busy: no certificate" "0" "$(q "SELECT count(*) FROM certs WHERE uscc='$USCC_B'")"
t_eq "(b) nothing recorded while busy: key not yet recorded for the company" "0" "$(q "SELECT count(*) FROM keys WHERE uscc='$USCC_B'")"
t_eq "(b) the order is still open and not at done" "0|1" "$(q "SELECT state, step <> 'done' FROM orders WHERE number='$ORDER_B'")"
unlock
key R
expect "(b) R retried: the certificate is on the key" "数字证书加解密测试成功"
expect "(b) R retried: issuing finished" "回车 下一步"
key Enter
expect "(b) done" "68号窗口"
key Enter
t_eq "(b) order finished" "1" "$(q "SELECT state FROM orders WHERE number='$ORDER_B'")"
t_eq "(b) one certificate, recorded once with its key" "1|$SERIAL" "$(q "SELECT count(*), key_serial FROM certs WHERE uscc='$USCC_B'")"
t_eq "(b) the key records its new holder" "$USCC_B" "$(q "SELECT uscc FROM keys WHERE serial='$SERIAL'")"
t_eq "(b) one cert.issue in the audit trail" "1" "$(q "SELECT count(*) FROM audit WHERE action='cert.issue' AND detail LIKE '%uscc=$USCC_B%'")"

# ---- (c) killed mid-order -----------------------------------------------------------
USCC_C=91120116MA0KL9KL3P; OPID_C=12010119830303321X; CO_C=天津市进程中断测试有限公司
plug_key blank5
start --mode window66
to_fee "$CO_C" "$USCC_C" "$OPID_C" 13912345683
key Enter
wait_for "付款方式"; key 2; key Enter
take_key
expect "(c) at the PIN, paid" "再次输入PIN码"
ORDER_C=$(q "SELECT number FROM orders WHERE operator_id='$OPID_C' AND state=0")
t_eq "(c) the order is at the PIN step, paid by POS" "pin|pos" "$(q "SELECT step, pay_method FROM orders WHERE number='$ORDER_C'")"
PANE=$(tm display-message -p -t $S '#{pane_pid}')
KPID=$(ps -o pid= --ppid "$PANE" | tr -d ' ' | head -1)
t_check "(c) the kiosk process found (pid $KPID)" test -n "$KPID"
kill -9 "$KPID"
for i in $(seq 1 100); do kill -0 "$KPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$KPID" 2>/dev/null; then t_fail "(c) the kiosk is gone"; else t_ok "(c) the kiosk is gone"; fi
t_eq "(c) the database is intact after the kill" "ok" "$(q "PRAGMA integrity_check")"
start --mode window66
wait_for "柜员登录" || wait_for "请选择业务"
if screen | grep -qF "柜员登录"; then login w66 "${CLERK66_PASS:-}"; fi
menu 未完成订单
expect "(c) resume screen" "输入经办人身份证号"
type_ "$OPID_C"; key Enter
expect "(c) the order is found by the ID number" "$ORDER_C"
expect "(c) ID number masked" "120101********321X"
expect "(c) it resumes at 'insert a blank key' (PIN is never stored)" "插入空白UKey"
expect "(c) payment shown" "已收 200.00 元"
key Enter
expect "(c) resumed at the key step" "（8/11）插入空白UKey"
key F8
expect "(c) cancelling a paid order warns of the refund" "取消后需退款"
key Y
expect "(c) cancelled: the refund is offered at once, by the way it was paid" "请将 200.00 元按原收款方式（POS刷卡）退还经办人"
key Y
expect "(c) Y: refunded, the slip printing" "已退款 200.00 元"
expect "(c) cancelled, back home" "请选择业务"
t_eq "(c) the refund recorded once: the whole payment, as paid, by the clerk" "1|pos|20000|w66" \
  "$(q "SELECT count(*), method, amount, clerk FROM refunds WHERE order_id=(SELECT id FROM orders WHERE number='$ORDER_C')")"
t_eq "(c) ...audited" "1" "$(q "SELECT count(*) FROM audit WHERE action='order.refund' AND detail LIKE '%order=$ORDER_C %'")"
t_eq "(c) ...its 退款凭证 queued for the printer" "1" \
  "$(q "SELECT count(*) FROM jobs WHERE doc='refund' AND order_id=(SELECT id FROM orders WHERE number='$ORDER_C')")"
q "SELECT writefile('$TEST_TMP/refund_c.pdf', pdf) FROM jobs WHERE doc='refund' AND order_id=(SELECT id FROM orders WHERE number='$ORDER_C')" > /dev/null
pdftotext -layout "$TEST_TMP/refund_c.pdf" "$TEST_TMP/refund_c.txt" 2>/dev/null
t_grep "(c) the slip: its title" "退款凭证" "$TEST_TMP/refund_c.txt"
t_grep "(c) the slip: the amount and how it went back" "退款金额：200.00 元（银行卡" "$TEST_TMP/refund_c.txt"
t_grep "(c) the slip: the order" "$ORDER_C" "$TEST_TMP/refund_c.txt"
t_grep "(c) the slip: a line for the applicant's signature" "经办人签收" "$TEST_TMP/refund_c.txt"
t_grep "(c) the slip names the clerk by name" "测试66柜员" "$TEST_TMP/refund_c.txt"
t_eq "(c) order cancelled" "2" "$(q "SELECT state FROM orders WHERE number='$ORDER_C'")"
t_eq "(c) no certificate for the company" "0" "$(q "SELECT count(*) FROM certs WHERE uscc='$USCC_C'")"
t_eq "(c) the cancel of a paid order is audited (refund due)" "1" \
  "$(q "SELECT count(*) FROM audit WHERE action='order.cancel' AND detail LIKE '%order=$ORDER_C%' AND detail LIKE '%paid=pos%'")"
t_eq "(c) the operator may start a new order" "0" "$(q "SELECT count(*) FROM orders WHERE operator_id='$OPID_C' AND state=0")"

# ---- (d) the real kiosk killed right after the certificate reached the key ------------
# KIOSK_FAULT_KILL=write makes the kiosk SIGKILL itself once the certificate
# is on the key and before it is recorded (kiosk/engine.h). On restart the
# clerk cancels the order: the certificate on the key is revoked in the
# cancellation's unit of work (resuming such an order instead adopts the
# certificate: tests/e2e/crash_sweep.sh).
USCC_D=91120116MA0KLWRT6J; OPID_D=120101198404045674; CO_D=天津市写入中断测试有限公司
plug_key blank5
ENV="KIOSK_FAULT_KILL=write" start --mode window66
to_fee "$CO_D" "$USCC_D" "$OPID_D" 13912345684
key Enter
wait_for "付款方式"; key 1; key Enter
take_key
type_ "$PIN"; key Enter; type_ "$PIN"; key Enter
expect "(d) the kiosk died right after writing the certificate" "KIOSK-EXITED"
ORDER_D=$(q "SELECT number FROM orders WHERE operator_id='$OPID_D' AND state=0")
t_eq "(d) nothing recorded yet: the certificate is only on the key" "0" "$(q "SELECT count(*) FROM certs WHERE uscc='$USCC_D'")"
t_eq "(d) the journal says the certificate was stored on the key" "1" \
  "$(q "SELECT instr(data, 'fx_cert=stored') > 0 FROM orders WHERE number='$ORDER_D'")"
start --mode window66
wait_for "柜员登录" || wait_for "请选择业务"
if screen | grep -qF "柜员登录"; then login w66 "${CLERK66_PASS:-}"; fi
menu 未完成订单
expect "(d) resume screen" "输入经办人身份证号"
type_ "$OPID_D"; key Enter
expect "(d) the order is found" "$ORDER_D"
key F8
expect "(d) cancelling a paid order warns of the refund" "取消后需退款"
key Y
expect "(d) the refund is offered on the resume screen too" "退还经办人"
key n
expect "(d) not now: the refund stays due, said so" "已列入日结应退款"
expect "(d) cancelled, back home" "请选择业务"
t_eq "(d) no refund recorded" "0" "$(q "SELECT count(*) FROM refunds WHERE order_id=(SELECT id FROM orders WHERE number='$ORDER_D')")"
menu 待退款
expect "(d) 待退款 lists the order" "$ORDER_D"
expect "(d) ...with what was paid and how" "200.00"
tm send-keys -t $S Down Down Down Down Down Down Down Down; tm send-keys -t $S Up Up Up Up Up Up Up Up
key Enter
expect "(d) Enter offers its refund" "退还经办人"
key n
expect "(d) not now: still listed" "$ORDER_D"
key Escape
expect "(d) back home" "请选择业务"
DAY=$(TZ=Asia/Shanghai date +%F)
"$KIOSK" report daily --date "$DAY" --csv > "$TEST_TMP/due.csv"
due=$(awk -F, '$2 == "total" { print $12 "|" $13; exit }' "$TEST_TMP/due.csv")
refunded=$(awk -F, '$2 == "total" { print $16 "|" $17; exit }' "$TEST_TMP/due.csv")
t_eq "(d) the day's settlement: one refund paid (c)" "1|200.00" "$refunded"
printf 'wrong-password\n' | "$KIOSK" pay refund "$ORDER_D" --as boss > "$TEST_TMP/rf0.txt" 2>&1
t_eq "(d) kiosk pay refund without the supervisor's password: refused" "0" \
  "$(q "SELECT count(*) FROM refunds WHERE order_id=(SELECT id FROM orders WHERE number='$ORDER_D')")"
t_eq "(d) ...and audited" "1" "$(q "SELECT count(*) FROM audit WHERE action='order.refund_denied' AND detail='order=$ORDER_D'")"
printf '%s\n' "$CLERKSUP_PASS" | "$KIOSK" pay refund "$ORDER_D" --as boss > "$TEST_TMP/rf1.txt" 2>&1
t_grep "(d) kiosk pay refund by a supervisor: paid back" "已退款：订单 $ORDER_D" "$TEST_TMP/rf1.txt"
printf '%s\n' "$CLERKSUP_PASS" | "$KIOSK" pay refund "$ORDER_D" --as boss > "$TEST_TMP/rf2.txt" 2>&1
t_grep "(d) a second refund of the same order: refused" "无需退款" "$TEST_TMP/rf2.txt"
t_eq "(d) one refund, by the supervisor" "1|boss" \
  "$(q "SELECT count(*), clerk FROM refunds WHERE order_id=(SELECT id FROM orders WHERE number='$ORDER_D')")"
menu 待退款
wait_for "待退款订单"; sleep 0.5
# (the status bar may still say the refund was paid: the list is above it)
if screen | head -n -3 | grep -qF "$ORDER_D"; then t_fail "(d) refunded: no longer listed as due" "$(screen)"
else t_ok "(d) refunded: no longer listed as due"; fi
key Escape
"$KIOSK" report daily --date "$DAY" --csv > "$TEST_TMP/due2.csv"
t_eq "(d) the settlement: one refund due less, one paid more" \
  "$(( ${due%%|*} - 1 ))|$(( ${refunded%%|*} + 1 ))" \
  "$(awk -F, '$2 == "total" { print $12 "|" $16; exit }' "$TEST_TMP/due2.csv")"
t_eq "(d) order cancelled" "2" "$(q "SELECT state FROM orders WHERE number='$ORDER_D'")"
t_eq "(d) the certificate on the key is recorded revoked (cessationOfOperation), on this key" "1|1|5|$SERIAL" \
  "$(q "SELECT count(*), state, reason, key_serial FROM certs WHERE uscc='$USCC_D'")"
CERT_D=$(q "SELECT serial FROM certs WHERE uscc='$USCC_D'")
t_eq "(d) the revocation is audited once" "1" "$(q "SELECT count(*) FROM audit WHERE action='cert.revoke' AND detail LIKE '%cert=$CERT_D %'")"
if openssl crl -inform der -in "$KIOSK_HOME/crl/kiosk-ca.crl" -noout -text 2>/dev/null | grep -qi "Serial Number: $CERT_D\$"; then
  t_ok "(d) the published CRL lists it"
else
  t_fail "(d) the published CRL lists it"
fi
