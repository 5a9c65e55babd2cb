#!/usr/bin/env bash
# tests/e2e/pull_mid_issue.sh - the key pulled in the middle of issuing, on
# the real kiosk in tmux: SoftHSM behind the fault-injecting build/fakep11.so,
# which pulls the key (its port gone, that call and every later one
# CKR_DEVICE_REMOVED) at PKCS#11 call 25 on it - inside the issue stage,
# after the key was initialised. The run page keeps 初始化UKey ticked (it
# was done), marks the stage that failed, says the key was pulled and what
# to do; the order stays open and is cancelled with its refund, the
# certificate the CA had signed for it revoked.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"
CONF=$TEST_TMP/fake.conf
DB=$KIOSK_HOME/kiosk.db
q() { sqlite3 "$DB" "$1"; }
cleanup() { tm kill-server >/dev/null 2>&1; key_unplug_all; }
trap cleanup EXIT
USCC=91120116MA0HLD0459; OPID=120101198503047712; CO=天津市拔出测试有限公司

cp "$KIOSK_HOME/kiosk.conf" "$CONF"
REAL=$(sed -n 's/^module *= *//p' "$CONF" | head -1)
sed -i "s|^module *=.*|module = $ROOT/build/fakep11.so|" "$CONF"
SER=$(key_plug blank40)
t_check "blank40 plugged (serial $SER)" test -n "$SER"
ENV="FAKEP11_MODULE=$REAL FAKEP11_HSM_SERIAL=$(sed -n 's/^hsm_serial *= *//p' "$CONF" | head -1) FAKEP11_KEY_SERIAL=$SER \
FAKEP11_FAIL=25:pull FAKEP11_PULL=$KIOSK_HOME/ports/$SER FAKEP11_FAIL_LOG=$TEST_TMP/faults" start --mode window66 --config "$CONF"
new_cert_to_fee "$CO" "$USCC" "$OPID" 13912345678
tm send-keys -t $S Enter; wait_for "付款方式"; tm send-keys -t $S 1; tm send-keys -t $S Enter
expect "paid: the blank key accepted" "可以使用"
tm send-keys -t $S Enter
expect "the PIN" "再次输入PIN码"
tm send-keys -t $S -l 'Gd7#pq29'; tm send-keys -t $S Enter; tm send-keys -t $S -l 'Gd7#pq29'; tm send-keys -t $S Enter
expect "the key pulled mid-issuance: said so" "UKey在操作过程中被拔出"
t_grep "...pulled by the fault injector inside the issue stage (call 25)" "fault 25 pull" "$TEST_TMP/faults"
expect "...the key's initialisation, done before the pull, still ticked" "[x] 初始化UKey"
expect "...the stage that failed marked" "[>] 在UKey内生成密钥对"
absent "...and not ticked" "[x] 在UKey内生成密钥对"
expect "...the way back: Enter to the key step, the order kept" "订单已保留"
t_eq "the order open, paid, no certificate recorded" "0|1|0" \
  "$(q "SELECT state, paid_at > 0, (SELECT count(*) FROM certs WHERE uscc='$USCC') FROM orders WHERE operator_id='$OPID' AND state=0")"
tm send-keys -t $S F8
expect "cancel: the refund is due" "取消后需退款"
tm send-keys -t $S Y
expect "...offered by the way it was paid" "请将 200.00 元按原收款方式"
tm send-keys -t $S Y
expect "cancelled, refunded, home" "请选择业务"
t_eq "the order cancelled, refunded once, no active certificate" "2|1|0" \
  "$(q "SELECT o.state, (SELECT count(*) FROM refunds r WHERE r.order_id=o.id), (SELECT count(*) FROM certs WHERE uscc='$USCC' AND state=0) FROM orders o WHERE operator_id='$OPID' ORDER BY id DESC LIMIT 1")"
t_eq "...a certificate the CA signed before the pull is revoked with the order (cessationOfOperation), never left valid" \
  "" "$(q "SELECT serial FROM certs WHERE uscc='$USCC' AND NOT (state=1 AND reason=5)")"
