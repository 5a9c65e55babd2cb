#!/usr/bin/env bash
# tests/e2e/crash_sweep.sh - the real kiosk, driven in tmux as a clerk would,
# killed (SIGKILL, KIOSK_FAULT_KILL) right after each effect of 证书新办 in
# turn: papers queued, payment, key wipe, initialisation, key pair, CA
# signature, certificate written, records, receipt. Each time the kiosk is
# started again, the order is found under 未完成订单 by the operator's ID
# number and resumed to the end the way the screens offer it. Every run ends
# with the order finished and stored at "done", exactly one certificate
# recorded for the company, on the key and audited once, one payment, and
# form, seal sheet and receipt queued once each. (The cancel side of every
# point is tests/integration/crash_sweep.sh, on the same engine.)
# Key: the test hall's blank7; between runs the previous run's certificate is
# revoked by the supervisor (`kiosk ca revoke`).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

DB=$KIOSK_HOME/kiosk.db
PIN='Kx7#pq29'
q() { sqlite3 -cmd '.timeout 3000' "$DB" "$1"; }
key() { tm send-keys -t $S "$@"; }
type_() { tm send-keys -t $S -l "$1"; }
cleanup() { tm kill-server >/dev/null 2>&1; [ -n "${SERIAL:-}" ] && "$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1; }
trap cleanup EXIT

# A valid USCC (GB 32100, with the GB 11714 organisation code) and resident ID (GB 11643) for run N.
ids() {
  python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
U = "0123456789ABCDEFGHJKLMNPQRTUWXY"
body = "MA0CR%03d" % n
w = [3, 7, 9, 10, 5, 8, 4, 2]
v = lambda c: int(c) if c.isdigit() else ord(c) - 55
c = 11 - sum(v(ch) * x for ch, x in zip(body, w)) % 11
org = body + ("X" if c == 10 else "0" if c == 11 else str(c))
p17 = "91120116" + org
w2 = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
uscc = p17 + U[(31 - sum(U.index(ch) * x for ch, x in zip(p17, w2)) % 31) % 31]
id17 = "1201011985%02d%02d%03d" % (1 + n % 12, 1 + n % 28, 100 + n)
w3 = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
rid = id17 + "10X98765432"[sum(int(ch) * x for ch, x in zip(id17, w3)) % 11]
print(uscc, rid)
PY
}

signin() {
  wait_for "柜员登录" || wait_for "请选择业务"
  if screen | grep -qF "柜员登录"; then login w66 "${CLERK66_PASS:-}"; fi
}

# (the key must really plug: a refusal's message lists other keys' serials)
if out=$("$KIOSK" dev plug blank7 2>&1); then SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); else SERIAL=; echo "# $out"; fi
t_check "blank7 plugged (serial $SERIAL)" test -n "$SERIAL"

# Drive a resumed order to its end as the screens offer it. Returns 0 at the done page.
drive() {
  local i s
  for i in $(seq 1 60); do
    sleep 0.3
    s=$(screen)
    case $s in
      *"68号窗口"*) key Enter; return 0 ;;
      *"回车 下一步"*) key Enter ;;
      *"付款方式"*) key 1; key Enter; sleep 0.5 ;;
      *"再次输入PIN码"*) type_ "$PIN"; key Enter; type_ "$PIN"; key Enter; sleep 1 ;;
      *"无需重写"*) key Enter; sleep 0.5 ;;
      *"可以使用"*) key Enter; sleep 0.5 ;;
      *"已确认擦除"*) key Enter; sleep 0.5 ;;
      *"按 Y 确认"*) key Y ;;
      *"请按 W"*) key W ;;
      *"200.00"*"申请表"*) key Enter; sleep 0.5 ;;
    esac
  done
  return 1
}

n=0; faults=0; resumed=0
for P in papers pay wipe init keypair sign write record receipt; do
  n=$((n + 1))
  read -r USCC OPID < <(ids "$n")
  CO="天津市断电恢复${n}有限公司"
  prev=$(q "SELECT serial FROM certs WHERE key_serial = '$SERIAL' AND state = 0")   # revoked by the supervisor
  [ -z "$prev" ] || printf '%s\n' "$CLERKSUP_PASS" | "$KIOSK" ca revoke "$prev" --reason superseded --as boss >/dev/null 2>&1
  ENV="KIOSK_FAULT_KILL=$P" start --mode window66
  signin
  menu 证书新办
  wait_for "统一社会信用代码"
  type_ "$CO"; key Enter; type_ "$USCC"; key Enter; type_ 张三; key Enter; type_ 120102197803154415; key Enter
  type_ 022-23456789; key Enter; key Enter; key Enter; type_ 天津市西青区断电路${n}号; key Enter
  wait_for "经办人身份证号"
  type_ 钱七; key Enter; type_ "$OPID"; key Enter; type_ 1391234$(printf '%04d' "$n"); key Enter
  type_ qian7@example.com; key Enter; key Enter
  fill_project
  wait_for "单位证书带签章"; key Enter
  wait_for "经办人身份证原件及复印件"; key a; key Enter
  if [ "$P" != papers ]; then
    wait_for "200.00"; key Enter
    wait_for "付款方式"; key 1; key Enter
  fi
  if [ "$P" != papers ] && [ "$P" != pay ]; then
    wait_for "$SERIAL"
    if ! wait_for "可以使用"; then key W; wait_for "按 Y 确认"; key Y; wait_for "已确认擦除"; fi
    key Enter
    wait_for "再次输入PIN码"; type_ "$PIN"; key Enter; type_ "$PIN"; key Enter
  fi
  if wait_for "KIOSK-EXITED 137"; then faults=$((faults + 1)); t_ok "$P: the kiosk was killed right after '$P'"
  else t_fail "$P: the kiosk was killed right after '$P'"; screen | sed 's/^/#   /'; fi
  t_eq "$P: the database is intact" "ok" "$(q "PRAGMA integrity_check")"
  ORDER=$(q "SELECT number FROM orders WHERE operator_id='$OPID'")
  t_check "$P: the order was created before the kill ($ORDER)" test -n "$ORDER"

  start --mode window66
  signin
  menu 未完成订单
  wait_for "输入经办人身份证号"
  type_ "$OPID"; key Enter
  expect "$P: the order is found by the operator's ID number" "$ORDER"
  key Enter
  if drive; then resumed=$((resumed + 1)); t_ok "$P: resumed to the end"
  else t_fail "$P: resumed to the end"; screen | sed 's/^/#   /'; fi
  wait_for "请选择业务"
  oid=$(q "SELECT id FROM orders WHERE number='$ORDER'")
  cert=$(q "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
  t_eq "$P: order finished, stored at done" "1|done" "$(q "SELECT state, step FROM orders WHERE id=$oid")"
  t_eq "$P: one active certificate recorded for the company, on this key" "1|$SERIAL" \
    "$(q "SELECT count(*), key_serial FROM certs WHERE uscc='$USCC' AND state=0")"
  t_eq "$P: any other certificate signed for it (voided) is recorded revoked" "0" \
    "$(q "SELECT count(*) FROM certs WHERE uscc='$USCC' AND state<>0 AND state<>1")"
  "$KIOSK" token list > "$TEST_TMP/list.txt" 2>&1
  t_grep "$P: the key holds that certificate" "$cert" "$TEST_TMP/list.txt"
  t_eq "$P: audited once" "1" "$(q "SELECT count(*) FROM audit WHERE action='cert.issue' AND detail LIKE '%cert=$cert %'")"
  t_eq "$P: paid once" "1" "$(q "SELECT count(*) FROM payments WHERE order_id=$oid")"
  t_eq "$P: form, receipt and seal sheet queued once each" "form:1 receipt:1 seal:1" \
    "$(q "SELECT group_concat(doc || ':' || c, ' ') FROM (SELECT doc, count(*) c FROM jobs WHERE order_id=$oid GROUP BY doc ORDER BY doc)")"
done
echo "# crash sweep of the real kiosk: faults injected $faults, orders resumed $resumed, lost $((n - resumed))"
t_eq "real kiosk: 9 kills, 9 orders resumed, none lost" "9|9" "$faults|$resumed"
