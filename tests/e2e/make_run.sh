#!/usr/bin/env bash
# tests/e2e/make_run.sh - what `make run` does after the build
# (scripts/run.sh), run as a newcomer would, in tmux, on a brand-new state
# directory with ports of its own: the hall provisioned and said new (not
# "reused"), every line in the catalogue's words, the demo clerks and where
# their passwords are, said before the kiosk starts and again on the
# sign-in screen that covers the terminal; a password from that file signs
# in; F10 ends it and the embedded printer stops with it.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"
H=$TEST_TMP/newhall
PP=$(free_port); CP=$(free_port); UP=$(free_port)
cleanup() { tm kill-server >/dev/null 2>&1; bash "$ROOT/scripts/printer.sh" stop "$H" "$PP" >/dev/null 2>&1
            bash "$ROOT/scripts/crlweb.sh" stop "$H" "$CP" >/dev/null 2>&1; }
trap cleanup EXIT

tm new-session -d -s $S -x 100 -y 30 \
  "env -u SOFTHSM2_CONF LC_ALL=C.UTF-8 TERM=xterm-256color KIOSK_HOME=$H KIOSK_PRINTER_PORT=$PP KIOSK_CRL_PORT=$CP KIOSK_CUPSD_PORT=$UP bash $ROOT/scripts/run.sh; printf '\\r\\nRUN-EXITED %s\\n' \$?; sleep 30"
expect "the sign-in screen" "柜员登录"
expect "...says where the demo passwords are" "演示大厅：柜员口令见 $H/secrets/clerks.txt"
t_eq "the password file is its owner's alone" 600 "$(stat -c %a "$H/secrets/clerks.txt" 2>/dev/null)"
t_check "the embedded printer answers" bash "$ROOT/scripts/printer.sh" status "$H" "$PP"
login w66 "$(awk '$1 == "w66" { print $3 }' "$H/secrets/clerks.txt")"
expect "a password from that file signs in" "请选择业务"
tm send-keys -t $S F10
expect "F10 ends the run" "RUN-EXITED 0"
tm capture-pane -p -J -S -200 -t $S > "$TEST_TMP/out.txt"
t_grep "the new hall said created" "已创建：$H" "$TEST_TMP/out.txt"
t_eq "...nothing said reused" 0 "$(grep -c '已沿用' "$TEST_TMP/out.txt")"
t_grep "the demo clerks and their password file named before the kiosk starts" "口令在 $H/secrets/clerks.txt" "$TEST_TMP/out.txt"
t_eq "no line of English words (the catalogue speaks Chinese here)" "" \
  "$(sed 's|/[^ （）]*||g; s/[0-9a-f]\{16\}//g; s/HSM\|UKey\|KIOSK\|P-256\|CA\|blank[0-9]*\|demo\|kiosk-ca\|SO PIN\|w66\|w68\|boss\|RUN-EXITED//g' "$TEST_TMP/out.txt" | grep -o '[A-Za-z]\{3,\}' | sort -u | tr '\n' ' ')"
sleep 1
t_check "the printer stopped with the run" sh -c "! bash '$ROOT/scripts/printer.sh' status '$H' '$PP'"
