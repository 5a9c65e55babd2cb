#!/usr/bin/env bash
# tests/e2e/hall.sh - `make hall` as a newcomer runs it: scripts/run.sh with
# KIOSK_HALL=1 on a brand-new state directory - a private PostgreSQL cluster
# started under it (as an unprivileged user), the provisioned hall's records
# copied onto it (kiosk db copy), window 66, window 68 and a self-service
# terminal opened as three kiosk processes in the tmux session, each its own
# station. A certificate issued at window 66 (the transaction engine as the
# counter drives it, a process of its own) is seen at window 68 and bound
# there, and the self-service terminal's validity check finds it ours and
# valid: one hall's records, three counters. Another counter's process
# killed right after a certificate reached its key leaves the order on the
# server; window 66 finds it there and finishes it (the certificate adopted
# and recorded once). F10 at each clerk's window and
# the terminal's window closed end the hall; the server stops with it.
# Meanwhile the server is killed and started again: window 66's status bar
# says the records server is unreachable, then reconnects by itself.
# run.sh timeout: 900
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"                 # menu_in; the rest is redefined below for a hall of windows
export TMUX_TMPDIR=$TEST_TMP            # the hall's tmux server: this test's own
unset SOFTHSM2_CONF                     # the new hall's keys are its own (not the test hall's)
chmod 711 "$TEST_TMP"
HALL=$TEST_TMP/hall
P=$((21000 + RANDOM % 8000))
SESSION=hall-$$
H=$ROOT/build/san/itests/issue_helper
USCC=91120116MA05HL1X2B; COMPANY=天津市大厅共享测试有限公司
cleanup() {
  tmux kill-session -t "$SESSION" >/dev/null 2>&1
  sleep 1
  bash "$ROOT/scripts/pg.sh" stop "$HALL" $((P + 3)) >/dev/null 2>&1
  bash "$ROOT/scripts/printer.sh" stop "$HALL" "$P" >/dev/null 2>&1
}
trap cleanup EXIT
hk() { KIOSK_HOME=$HALL "$KIOSK" "$@"; }            # a command on the hall being tested
tm() { tmux "$@" 2>/dev/null; }
screen() { tm capture-pane -p -t "$SESSION:$W"; }
wait_for() { local i; for i in $(seq 1 ${WAIT_TENTHS:-150}); do screen | grep -qF -- "$1" && return 0; sleep 0.1; done; return 1; }
expect() { if wait_for "$2"; then t_ok "$1"; else t_fail "$1" "'$2' not on screen ($W):"; screen | sed 's/^/#   /'; fi; }
key() { tm send-keys -t "$SESSION:$W" "$@"; }
type_() { tm send-keys -t "$SESSION:$W" -l "$1"; }
menu() { menu_in "$SESSION:$W" "$1"; }
login() {
  wait_for "柜员登录"
  key Up C-u; type_ "$1"; key Enter; type_ "$2"; key Enter
  expect "window $W: $1 signed in" "请选择业务"
}

KIOSK_HOME=$HALL KIOSK_HALL=1 KIOSK_HALL_SESSION=$SESSION KIOSK_PRINTER_PORT=$P KIOSK_CUPSD_PORT=$((P + 1)) \
  KIOSK_CRL_PORT=$((P + 2)) KIOSK_PG_PORT=$((P + 3)) LC_ALL=C.UTF-8 \
  bash "$ROOT/scripts/run.sh" > "$TEST_TMP/run.out" 2>&1 &
RUN=$!
for i in $(seq 1 600); do [ "$(tm list-windows -t "$SESSION" 2>/dev/null | wc -l)" -ge 3 ] && break; sleep 0.1; done
t_check "make hall: the tmux session $SESSION opens" tm has-session -t "$SESSION"
t_eq "...three counters: 66, 68 and self-service" "66 68 self" "$(tm list-windows -t "$SESSION" -F '#W' | tr '\n' ' ' | sed 's/ $//')"
sleep 1
t_grep "...the hall's records on its PostgreSQL, said" "大厅记录库：PostgreSQL（host=$HALL/pg port=$((P + 3))" "$TEST_TMP/run.out"
t_grep "...the provisioned hall moved onto it, the same table by table" "逐表核对一致" "$HALL/db-copy.log"
t_grep "...its audit chain intact there" "服务器上的审计链完整" "$HALL/db-copy.log"
[ "$(id -u)" -eq 0 ] && t_eq "...the server run as an unprivileged user" nobody "$(stat -c %U "$HALL/pg/data")"
out=$(hk --station w66-1 db check 2>&1)
t_grep "kiosk db check: the hall's server, reachable" "连通：是" <(echo "$out")
t_grep "...postgresql" "后端：postgresql" <(echo "$out")
pw() { awk -v l="$1" '$1 == l { print $3 }' "$HALL/secrets/clerks.txt"; }
W=66; expect "window 66 asks its clerk to sign in" "66号窗口 CA受理 · 柜员登录"
login w66 "$(pw w66)"
W=68; expect "window 68 asks its clerk to sign in" "68号窗口 签章绑定 · 柜员登录"
login w68 "$(pw w68)"
W=self; expect "the self-service terminal shows its menu" "有效期查询"

# ---- window 66 issues (its own process, the engine as the counter drives it) ----------------------
K=$(hk dev plug blank1 2>/dev/null | grep -o '[0-9a-f]\{16\}' | head -1)
KIOSK_HOME=$HALL PRINTER_URI=ipp://localhost:$P/ipp/print "$H" issue "$K" "$USCC" "$COMPANY" 120101198503035967 \
  > "$TEST_TMP/issue.out" 2>&1
CERT=$(sed -n 's/^cert_serial=//p' "$TEST_TMP/issue.out" | head -1)
[ -n "$CERT" ] || sed 's/^/# issue: /' "$TEST_TMP/issue.out"
t_check "a certificate issued at window 66 on blank1 ($CERT)" test -n "$CERT"
t_eq "...recorded on the hall's server, active" "0" \
  "$(psql "host=$HALL/pg port=$((P + 3)) dbname=kiosk user=kiosk" -Atqc "SELECT state FROM certs WHERE serial = '$CERT'" 2>&1)"
t_check "...and not in the machine's own file" sh -c "! sqlite3 '$HALL/kiosk.db' \"SELECT serial FROM certs\" | grep -qx '$CERT'"

# ---- window 68 sees it and binds the seal -------------------------------------------------------------
W=68
menu 电子签章绑定
expect "window 68: the binding asks who comes" "电子签章绑定：请填写来办理的经办人"
type_ 郑十五; key Enter; type_ 120101198503037848; key Enter; type_ 13912345677; key Enter
expect "window 68 reads the key: the company window 66 certified" "$COMPANY"
key Enter
expect "...the certificate, from the hall's records" "$CERT"
expect "...no seal yet" "尚无电子签章"
key 1; key Enter
expect "the seal collection form to tick" "电子签章印章采集申请表"
key a; key Enter
expect "the seal's form, its name from the certificate" "$COMPANY"
key Enter; key Enter
expect "bound" "电子签章已绑定"
wait_for "回车 下一步"; key Enter
expect "done" "电子签章绑定完成"
key Enter
expect "window 68 back home" "请选择业务"
t_eq "the binding recorded on the hall's server by w68, on window 66's certificate" "w68|$CERT" \
  "$(psql "host=$HALL/pg port=$((P + 3)) dbname=kiosk user=kiosk" -Atqc "SELECT clerk || '|' || cert_serial FROM seals WHERE uscc = '$USCC'" 2>&1)"

# ---- the self-service terminal checks the key ----------------------------------------------------------
W=self
menu 有效期查询
expect "self-service: the validity check reads the key: the company" "$COMPANY"
expect "...ours, valid" "有效"

# ---- a counter dies mid-order; window 66 (another process) finishes it from the hall's records -----------
USCC2=91120116MA05HX2R4L; OP2=120101198604045679; CO2=天津市大厅续办测试有限公司
hk dev unplug "$K" >/dev/null 2>&1
K2=$(hk dev plug blank2 2>/dev/null | grep -o '[0-9a-f]\{16\}' | head -1)
KIOSK_HOME=$HALL PRINTER_URI=ipp://localhost:$P/ipp/print KIOSK_FAULT_KILL=write "$H" run "$K2" "$USCC2" "$CO2" "$OP2" \
  > "$TEST_TMP/run2.out" 2>&1
rc=$?
t_eq "another counter's process killed right after the certificate reached blank2 (SIGKILL)" 137 "$rc"
[ "$rc" = 137 ] || sed 's/^/# run: /' "$TEST_TMP/run2.out"
hq() { psql "host=$HALL/pg port=$((P + 3)) dbname=kiosk user=kiosk" -Atqc "$1" 2>&1; }
ORD2=$(hq "SELECT number FROM orders WHERE operator_id = '$OP2' AND state = 0")
t_eq "...its order open on the server ($ORD2), the certificate not recorded yet" "1|0" \
  "$(hq "SELECT (SELECT count(*) FROM orders WHERE operator_id = '$OP2' AND state = 0) || '|' || (SELECT count(*) FROM certs WHERE uscc = '$USCC2')")"
W=66
menu 未完成订单
expect "window 66 looks for the operator's unfinished order" "输入经办人身份证号"
type_ "$OP2"; key Enter
expect "...found in the hall's records" "$ORD2"
key Enter
sleep 1
for i in $(seq 1 60); do
  s=$(screen)
  case $s in
    *"请选择业务"*) break ;;
    *"再次输入PIN码"*) type_ 'Kx7#pq29'; key Enter; type_ 'Kx7#pq29'; key Enter; sleep 1 ;;
    *"回车 下一步"*|*"回车 返回主菜单"*|*"无需重写"*|*"可以使用"*) key Enter; sleep 0.5 ;;
  esac
  sleep 0.3
done
expect "...resumed to the end, window 66 home again" "请选择业务"
t_eq "...one active certificate for the company, on blank2, recorded once" "1|$K2" \
  "$(hq "SELECT count(*) || '|' || max(key_serial) FROM certs WHERE uscc = '$USCC2' AND state = 0")"
t_eq "...the order finished" "1" "$(hq "SELECT state FROM orders WHERE number = '$ORD2'")"
hk dev unplug "$K2" >/dev/null 2>&1

# ---- the records server lost, and back: the status bar names it ------------------------------------------
W=66
expect "window 66's status bar names the hall's records server" "记录库服务器:正常"
bash "$ROOT/scripts/pg.sh" kill "$HALL" $((P + 3))
expect "...the server killed: 'records server: unreachable' within seconds" "记录库服务器:无法连接"
bash "$ROOT/scripts/pg.sh" start "$HALL" $((P + 3)) >/dev/null
expect "...started again: the counter reconnects by itself" "记录库服务器:正常"

# ---- the hall closes -------------------------------------------------------------------------------------
for W in 66 68; do key F10; sleep 0.5; done
W=self; key F10; sleep 0.5
t_check "the self-service terminal is not closed by a passer-by's F10" \
  sh -c "TMUX_TMPDIR='$TMUX_TMPDIR' tmux list-windows -t '$SESSION' -F '#W' | grep -qx self"
tm kill-window -t "$SESSION:self"          # its attendant closes it
for i in $(seq 1 100); do kill -0 $RUN 2>/dev/null || break; sleep 0.2; done
if kill -0 $RUN 2>/dev/null; then for W in 66 68 self; do echo "# window $W:"; screen | sed 's/^/#   /'; done; fi
t_check "F10 at 66 and 68, the terminal closed: the hall ends, run.sh returns" sh -c "! kill -0 $RUN 2>/dev/null"
t_check "...and its records server stops with it" sh -c "! bash '$ROOT/scripts/pg.sh' status '$HALL' $((P + 3)) 2>/dev/null"
