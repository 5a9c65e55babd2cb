#!/usr/bin/env bash
# tests/e2e/ca_warning.sh - the supervisor is told in time that the CA
# certificate ends: the real kiosk in tmux with its clock moved by faketime.
# The test hall's CA certificate runs ten years from provisioning: at +3500
# days (about 150 days left) the supervisor's home screen names the end date
# and the days left, a window-66 clerk's does not; today nobody sees it; at
# +3700 days (ended) the warning says nothing can be issued.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

cleanup() { tm kill-server >/dev/null 2>&1; }
trap cleanup EXIT
FT="LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"
END=$(TZ=Asia/Shanghai date -d "$(openssl x509 -in "$KIOSK_HOME/ca/ca.crt" -noout -enddate | cut -d= -f2)" +%F)

# signed in as LOGIN with PASS at window 66, the clock moved by FAKETIME (or not)
home_as() { # FAKETIME LOGIN PASS
  if [ -n "$1" ]; then ENV="$FT FAKETIME=$1" start --mode window66; else start --mode window66; fi
  login "$2" "$3"
}
bye() { tm send-keys -t $S F10; wait_for "KIOSK-EXITED" || true; }

home_as "" boss "$CLERKSUP_PASS"
absent "today: no warning (the CA certificate has years left)" "CA证书将于"
bye
home_as +3500d boss "$CLERKSUP_PASS"
expect "+3500 days: the supervisor is told the CA certificate ends, and when" "CA证书将于 $END 到期"
expect "+3500 days: with the days left" "天）"
bye
home_as +3500d w66 "$CLERK66_PASS"
absent "+3500 days: a window-66 clerk is not the one told" "CA证书将于"
bye
home_as +3700d boss "$CLERKSUP_PASS"
expect "+3700 days: the CA certificate has ended: nothing can be issued" "CA证书已于 $END 到期：不能再签发任何证书"
bye
