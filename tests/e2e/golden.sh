#!/usr/bin/env bash
# tests/e2e/golden.sh - golden screens, in the manner of tmux's regression
# tests: the real kiosk in tmux is driven through every kind of page of
# 证书新办 (form, choice, materials, fee, payment with its QR, key, PIN,
# done), 证书撤销's pick page (its reason) and the fixed screens (login, home, validity with the demo key,
# 未完成订单), in Chinese and in English; each is captured at 100x30 and
# again at 80x24 and compared, whole, with tests/e2e/golden/LANG/NAME.SIZE.txt.
# The screens whose content is the records (日结, 待退款, 打印队列) are taken
# on records of their own, seeded the same way every run (records_seed: a
# known day of orders, paid refunds due among them), signed in as the
# supervisor; the queue holds the settlement sheet printed from 日结.
#
# How a screen is normalised before the compare, and how the golden files
# are written anew on purpose (GOLDEN_UPDATE=1): tests/snap.sh. 证书更新's
# confirm page is snapped by tests/e2e/renew.sh, the one test that has a
# renewable certificate (faketime).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"
. "$ROOT/tests/snap.sh"
KEYS=()
cleanup() { tm kill-server >/dev/null 2>&1; for k in "${KEYS[@]}" demo; do "$KIOSK" dev unplug "$k" >/dev/null 2>&1; done; }
trap cleanup EXIT

# m ID: catalogue entry ID in the language of this pass ($L), as the kiosk shows it
m() { local l; l=$(grep -h "^MSG($1," "$ROOT"/kiosk/msg_*.def | head -1)
      if [ "$L" = en ]; then printf '%s' "$l" | sed 's/.*", "\(.*\)")$/\1/'; else printf '%s' "$l" | sed 's/^MSG([A-Z0-9_]*, "\([^"]*\)".*/\1/'; fi; }
# step N of TOTAL (11) in the title, in either language
wait_step() { local i; for i in $(seq 1 100); do screen | head -1 | grep -qE "[（(]$1/${2:-11}[)）]" && return 0; sleep 0.1; done
              t_fail "$L: step $1 reached" "$(screen | head -3)"; return 1; }

pass() {
  L=$1 USCC=$2 OPID=$3 KEY=$4 CO=$5
  start --mode window66 --lang "$L"
  wait_for "$(m M_SES_LOGIN_TITLE)"
  snap login
  login w66 "$CLERK66_PASS"
  wait_for "$(m M_HOME_VALIDITY)"; sleep 0.5
  snap home

  menu "$(m M_HOME_VALIDITY)"
  "$KIOSK" dev plug demo > /dev/null
  wait_for "91120116MA05JQ4W3K"
  snap validity
  "$KIOSK" dev unplug demo > /dev/null
  tm send-keys -t $S Escape
  wait_for "$(m M_HOME_VALIDITY)"

  menu "$(m M_TXN_RESUME_TITLE)"
  wait_for "$(m M_TXN_RESUME_TITLE)"; sleep 0.3
  snap resume
  tm send-keys -t $S Escape
  wait_for "$(m M_HOME_VALIDITY)"

  # 证书新办, page kind by page kind
  menu "$(m M_PRN_TXN_NEW)"
  wait_step 1; sleep 0.3
  snap form
  for t in "$CO" "$USCC" 张三 120102197803154415 022-23456789 "" "" 天津市南开区黄金路9号; do
    [ -n "$t" ] && tm send-keys -t $S -l "$t"; tm send-keys -t $S Enter
  done
  wait_step 2
  for t in 赵六 "$OPID" 13912345678 zhao6@example.com ""; do
    [ -n "$t" ] && tm send-keys -t $S -l "$t"; tm send-keys -t $S Enter
  done
  wait_step 3
  for t in 天津 政府采购 天津市政府采购电子招投标系统; do tm send-keys -t $S C-u; tm send-keys -t $S -l "$t"; tm send-keys -t $S Enter; done
  wait_step 4; sleep 0.3
  snap choice
  tm send-keys -t $S Enter
  wait_step 5; sleep 0.3
  snap materials
  tm send-keys -t $S a; tm send-keys -t $S Enter
  wait_step 6; sleep 1.5     # the forms queued and printed
  snap fee
  tm send-keys -t $S Enter
  wait_step 7; sleep 0.3
  snap pay
  tm send-keys -t $S 1; tm send-keys -t $S Enter
  wait_step 8; sleep 0.3
  snap key
  SER=$(key_plug "$KEY")      # by its serial: issuing renames the key
  KEYS+=("$SER")
  wait_for "$(m M_TXN_KEY_BLANK)"; tm send-keys -t $S Enter
  wait_step 9; sleep 0.3
  snap pin
  tm send-keys -t $S -l 'Gd7#pq29'; tm send-keys -t $S Enter
  tm send-keys -t $S -l 'Gd7#pq29'; tm send-keys -t $S Enter
  wait_for "$(m M_TXN_DONE_OK)"; sleep 3   # past the flash
  snap done
  tm send-keys -t $S Enter
  key_unplug "$SER"

  # a pick page: 证书撤销's reason (the order then cancelled: nothing revoked)
  for i in 1 2 3; do screen | grep -qF "$(m M_HOME_VALIDITY)" && break; tm send-keys -t $S Enter; sleep 0.5; done
  wait_for "$(m M_HOME_VALIDITY)"
  menu "$(m M_PRN_TXN_REVOKE)"
  wait_step 1 8
  for t in "$USCC" "$CO"; do tm send-keys -t $S -l "$t"; tm send-keys -t $S Enter; done
  wait_step 2 8
  for t in 赵六 "$OPID" 13912345678 zhao6@example.com ""; do
    [ -n "$t" ] && tm send-keys -t $S -l "$t"; tm send-keys -t $S Enter
  done
  wait_step 3 8; sleep 0.3
  snap pick
  tm send-keys -t $S F8; sleep 0.3; tm send-keys -t $S y
  wait_for "$(m M_HOME_VALIDITY)"
  tm send-keys -t $S F10
  wait_for "KIOSK-EXITED" || true
}

pass zh 91120116MA0GLF031P 120101198509191037 blank37 天津市黄金屏幕测试有限公司
pass en 91120116MA0GLH045K 120101198510201044 blank38 天津市英文屏幕测试有限公司

# ---- the screens of the records, on records of their own -----------------------------------
CONF=$TEST_TMP/gold.conf; DB=$TEST_TMP/gold.db
sed -e "s|^path *=.*|path = $DB|" "$KIOSK_HOME/kiosk.conf" > "$CONF"
"$ROOT/build/san/itests/records_seed" "$DB" "$(date +%F)" > "$TEST_TMP/seed.out" 2>&1
t_eq "a known day of orders seeded" 0 $?
printf '%s\n' "$CLERKSUP_PASS" | "$KIOSK" --config "$CONF" clerk add boss supervisor "测试主管" > /dev/null 2>&1
records_pass() {
  L=$1
  start --mode window66 --config "$CONF" --lang "$L"
  login boss "$CLERKSUP_PASS"
  menu "$(m M_SET_MENU)"
  wait_for "$(m M_SET_HINTS_PRINT | cut -c1-6)"; sleep 0.5
  snap settlement
  tm send-keys -t $S p
  wait_for "$(m M_SET_PRINTED | cut -c1-6)"; sleep 3   # past the flash
  tm send-keys -t $S Escape
  menu "$(m M_RF_MENU)"
  wait_for "$(m M_RF_TITLE)"; sleep 0.5
  snap refunds
  tm send-keys -t $S Escape
  menu "$(m M_OUT_MENU)"
  wait_for "$(m M_PRN_JOB_DONE)"; sleep 0.5
  snap queue
  tm send-keys -t $S Escape
  tm send-keys -t $S F10
  wait_for "KIOSK-EXITED" || true
}
records_pass zh
records_pass en
