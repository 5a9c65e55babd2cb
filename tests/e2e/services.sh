#!/usr/bin/env bash
# tests/e2e/services.sh - the kiosk starts when a service is down and says
# what is down: the printer (a closed port), the HSM (a serial no token has),
# the PKCS#11 module (a path that does not exist). What does not need the
# missing service still works.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

cleanup() { tm kill-server >/dev/null 2>&1; "$KIOSK" dev unplug demo >/dev/null 2>&1; }
trap cleanup EXIT
cleanup

# conf NAME SED-EXPR: a copy of the hall's configuration with one change.
conf() { sed -e "$2" "$KIOSK_HOME/kiosk.conf" > "$TEST_TMP/$1.conf"; echo "$TEST_TMP/$1.conf"; }

# ---- printer down ------------------------------------------------------------
c=$(conf noprinter 's|^uri = .*|uri = ipp://127.0.0.1:9/ipp/print|')
start --mode window66 --config "$c"
login w66 "$CLERK66_PASS"
expect "printer down: the home screen says so" "打印机未连接"
expect "printer down: status bar" "打印机:不可用"
expect "printer down: key reader still up" "UKey读卡器:正常"
menu "有效期查询"
"$KIOSK" dev plug demo >/dev/null
expect "printer down: validity check still works" "证书在有效期内"
"$KIOSK" dev unplug demo >/dev/null

# ---- HSM missing -----------------------------------------------------------------
c=$(conf nohsm 's|^hsm_serial = .*|hsm_serial = 00000000deadbeef|')
start --mode self --config "$c" --lang en
expect "HSM down: status bar" "HSM:DOWN"
expect "HSM down: the home screen says issuing is suspended" "The CA signing device (HSM) is not available"
tm send-keys -t $S Enter
"$KIOSK" dev plug demo >/dev/null
expect "HSM down: validity check still works" "The certificate is valid"
"$KIOSK" dev unplug demo >/dev/null

# ---- PKCS#11 module missing -------------------------------------------------------
c=$(conf nomodule 's|^module = .*|module = /nonexistent/libmissing-pkcs11.so|')
start --mode window66 --config "$c"
login w66 "$CLERK66_PASS"
expect "module missing: the path is named" "/nonexistent/libmissing-pkcs11.so"
expect "module missing: status bar" "UKey读卡器:不可用"
menu "有效期查询"
expect "module missing: the validity screen names it too" "/nonexistent/libmissing-pkcs11.so"
tm send-keys -t $S Escape
expect "module missing: the kiosk still runs" "请选择业务"
