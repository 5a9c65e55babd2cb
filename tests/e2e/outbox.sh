#!/usr/bin/env bash
# tests/e2e/outbox.sh - the clerk's print queue (打印队列) on the real binary
# in tmux. With a --config copy whose printer URI points to a closed port, a
# receipt queued through `kiosk print sample` shows as queued, the clerk is
# told plainly that the printer is down, R retries (attempts go up, the job
# stays queued), C cancels, P reprints as a new job; with the real test
# printer the reprinted job prints (spool file) and the screen says so.
# Through the hall's print server (a private cupsd whose queue hallq forwards
# to the test printer): the queue screen says ready, a reprint reaches the
# printer once, and with the queue paused (cupsdisable) the clerk is told so
# in Chinese. Every action is audited under the clerk.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

CUPS_PORT=$((20000 + RANDOM % 20000))
cleanup() { tm kill-server >/dev/null 2>&1; bash "$ROOT/scripts/cupsd.sh" stop "$TEST_TMP/ps" "$CUPS_PORT" >/dev/null 2>&1; }
trap cleanup EXIT

db() { sqlite3 "$KIOSK_HOME/kiosk.db" "$1"; }
# job_field ID COLUMN
job_field() { db "SELECT $2 FROM jobs WHERE id=$1"; }
# wait_db NAME SQL EXPECTED: poll the database up to 10 s for a value.
wait_db() {
  local i v
  for i in $(seq 1 100); do v=$(db "$2"); [ "$v" = "$3" ] && { t_ok "$1"; return; }; sleep 0.1; done
  t_fail "$1" "expected '$3', got '$v' from: $2"
}

DOWN=$TEST_TMP/down.conf
sed -e 's|^uri *=.*|uri = ipp://127.0.0.1:1/ipp/print|' -e 's|^timeout_ms *=.*|timeout_ms = 500|' \
  "$KIOSK_HOME/kiosk.conf" > "$DOWN"

"$KIOSK" --config "$DOWN" print sample --doc receipt > "$TEST_TMP/sample.out" 2>&1
job=$(db "SELECT max(id) FROM jobs")
t_eq "sample receipt kept queued while the printer is down" 0 "$(job_field "$job" state)"
tries0=$(job_field "$job" attempts)
audit0=$(db "SELECT count(*) FROM audit WHERE actor='w66' AND action LIKE 'print.%'")

# ---- printer down ---------------------------------------------------------------
start --mode window66 --config "$DOWN"
login w66 "$CLERK66_PASS"
menu "打印队列"
expect "queue screen opens" "编号"
expect "printer state: not reachable" "打印机未连接"
expect "clerk told plainly the printer is down" "打印机现在无法打印"
expect "queued job listed with its state" "排队等待"
expect "the job's number is listed" " $job "
tm send-keys -t $S r
expect "retry: still queued, said plainly" "任务 $job 已重试；未能送达打印机"
wait_db "retry: one more attempt recorded" "SELECT attempts > $tries0 FROM jobs WHERE id=$job" 1
t_eq "retry: job still queued" 0 "$(job_field "$job" state)"
expect "last error shown" "上次错误"
absent "...in the catalogue's words, not the printing layer's English" "ipp://"
absent "...no raw English reason" "cannot connect"
tm send-keys -t $S c
expect "cancel: asked first" "取消打印任务 $job？按 Y 确认"
tm send-keys -t $S n
absent "...any other key: not cancelled" "已取消"
t_eq "...the job still queued" 0 "$(job_field "$job" state)"
tm send-keys -t $S c; tm send-keys -t $S y
expect "cancel: said" "任务 $job 已取消"
wait_db "cancel: job cancelled in the outbox" "SELECT state FROM jobs WHERE id=$job" 4
tm send-keys -t $S c; tm send-keys -t $S y
expect "cancel again: refused, saying why in the job's terms" "任务 $job 已取消；需要时请按 P 重新打印"
tm send-keys -t $S p
expect "reprint: asked first" "重新打印任务 $job"
tm send-keys -t $S y
expect "reprint: a new job" "已重新加入队列"
new=$(db "SELECT max(id) FROM jobs")
t_check "reprint made a new job" test "$new" -gt "$job"
t_eq "reprinted job queued (printer still down)" 0 "$(job_field "$new" state)"
tm send-keys -t $S Escape
expect "back home" "请选择业务"
tm send-keys -t $S F10
expect "quit" "KIOSK-EXITED 0"

# ---- printer up -----------------------------------------------------------------
spool0=$(find "$PRINTER_SPOOL" -type f 2>/dev/null | wc -l)
start --mode window66
login w66 "$CLERK66_PASS"
menu "打印队列"
expect "printer ready" "打印机就绪"
tm send-keys -t $S r
wait_db "retry with the printer up: the reprinted job reaches the printer" \
  "SELECT state IN (1,2) FROM jobs WHERE id=$new" 1
expect "the screen shows it printed or sent" "$new"
spool1=$spool0
for i in $(seq 1 100); do spool1=$(find "$PRINTER_SPOOL" -type f 2>/dev/null | wc -l); [ "$spool1" -gt "$spool0" ] && break; sleep 0.1; done
t_check "the printer received the job" test "$spool1" -gt "$spool0"
tm send-keys -t $S Escape
tm send-keys -t $S F10
wait_for "KIOSK-EXITED" || true

# ---- through the hall's print server (cupsd) --------------------------------------
mkdir -p "$TEST_TMP/ps"; chmod o+x "$TEST_TMP" "$TEST_TMP/ps"
if PS_SOCK=$(bash "$ROOT/scripts/cupsd.sh" start "$TEST_TMP/ps" "$CUPS_PORT" "$PRINTER_URI" hallq 2>"$TEST_TMP/cupsd.err"); then
  t_ok "the hall's print server starts (scripts/cupsd.sh)"
  VIA=$TEST_TMP/via.conf
  sed -e 's|^uri *=.*|uri = hallq|' "$KIOSK_HOME/kiosk.conf" > "$VIA"
  ENV="CUPS_SERVER=$PS_SOCK" start --mode window66 --config "$VIA"
  login w66 "$CLERK66_PASS"
  menu "打印队列"
  expect "via cupsd: printer ready" "打印机就绪"
  spool0=$(find "$PRINTER_SPOOL" -name '*.pdf' 2>/dev/null | wc -l)
  tm send-keys -t $S p; tm send-keys -t $S y
  expect "via cupsd: reprint queued" "已重新加入队列"
  via=$(db "SELECT max(id) FROM jobs")
  wait_db "via cupsd: the reprint is printed" "SELECT state FROM jobs WHERE id=$via" 2
  t_eq "via cupsd: it reached the printer once" 1 "$(find "$PRINTER_SPOOL" -name "*kiosk-$via-*.pdf" | wc -l)"
  CUPS_SERVER=$PS_SOCK cupsdisable hallq
  tm send-keys -t $S Escape
  tm send-keys -t $S F10
  wait_for "KIOSK-EXITED" || true
  ENV="CUPS_SERVER=$PS_SOCK" start --mode window66 --config "$VIA"
  login w66 "$CLERK66_PASS"
  menu "打印队列"
  expect "via cupsd, queue paused: the clerk is told in Chinese" "打印队列已暂停"
  CUPS_SERVER=$PS_SOCK cupsenable hallq
  tm send-keys -t $S Escape
  tm send-keys -t $S F10
  wait_for "KIOSK-EXITED" || true
else
  t_fail "the hall's print server starts (scripts/cupsd.sh)" "$(cat "$TEST_TMP/cupsd.err")"
fi

# ---- every job reachable, a page at a time (not only the newest few) --------------
start --mode window66 --config "$DOWN"
login w66 "$CLERK66_PASS"
menu "打印队列"
expect "paging: queue screen" "编号"
for i in $(seq 1 11); do "$KIOSK" --config "$DOWN" print sample --doc checklist > /dev/null 2>&1; done
total=$(db "SELECT count(*) FROM jobs"); oldest=$(db "SELECT min(id) FROM jobs")
tm send-keys -t $S F5
expect "paging: the queue says how many jobs there are" "共 $total 项"
expect "paging: the first page is the newest" "第 1–10 项"
pages=$(( (total + 9) / 10 ))
for i in $(seq 2 "$pages"); do tm send-keys -t $S NPage; done
expect "paging: PgDn reaches the last page" "第 $(( (pages - 1) * 10 + 1 ))–$total 项"
if screen | grep -qE "^ +$oldest +"; then t_ok "paging: the oldest job ($oldest) is on the last page"
else t_fail "paging: the oldest job ($oldest) is on the last page" "$(screen)"; fi
for i in $(seq 2 "$pages"); do tm send-keys -t $S PPage; done
expect "paging: PgUp back to the first page" "第 1–10 项"
tm send-keys -t $S Escape
tm send-keys -t $S F10
wait_for "KIOSK-EXITED" || true

t_check "queue actions audited under the clerk" \
  test "$(db "SELECT count(*) FROM audit WHERE actor='w66' AND action LIKE 'print.%'")" -ge $((audit0 + 3))
t_check "audit verify exits 0" "$KIOSK" audit verify
