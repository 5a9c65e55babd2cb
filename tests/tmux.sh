# tests/tmux.sh - sourced by the end-to-end tests after tests/lib.sh: the real
# kiosk binary in a private tmux server, driven with send-keys and read with
# capture-pane. Waits poll the screen (up to 10 s); nothing asserts timing.
#
#   start ARGS...       the kiosk in a fresh 100x30 session (extra env: ENV="A=1 B=2";
#                       another size: COLS=80 ROWS=24). The kiosk runs with the
#                       machine left at UTC (KIOSK_TZ overrides), as a fresh Debian
#                       install is; the scripts compute what they expect in the
#                       hall's time (TZ=Asia/Shanghai, tests/run.sh): the kiosk
#                       must keep the hall's clock by itself ([hall] timezone)
#   screen              the screen as text
#   wait_for TEXT       poll until TEXT is on screen (status 1 after 10 s)
#   expect NAME TEXT    one test: TEXT appears
#   absent NAME TEXT    one test: TEXT is not on screen (after 0.5 s)
#   tm ARGS...          tmux on this test's server
#   login USER PASS     sign in on the clerk login screen, wait for the home menu
#   menu LABEL          open the home-menu item LABEL by its number (0 for the 10th, arrows beyond)
#   menu_in TARGET LABEL  the same in another tmux target (tests/e2e/hall.sh: a window of the hall)

S=e2e-$$
SOCK=$TEST_TMP/tmux.sock
tm() { tmux -S "$SOCK" "$@" 2>/dev/null; }

start() {
  tm kill-server >/dev/null 2>&1
  sleep 0.2
  tm new-session -d -s $S -x "${COLS:-100}" -y "${ROWS:-30}" \
    "env LC_ALL=C.UTF-8 TERM=xterm-256color TZ=${KIOSK_TZ:-UTC} KIOSK_HOME=$KIOSK_HOME ${ENV:-} $KIOSK $*; rc=\$?; printf '\\r\\nKIOSK-EXITED %s\\n' \$rc; sleep 30"
}
screen() { tm capture-pane -p -t $S; }
wait_for() {
  local i
  for i in $(seq 1 100); do screen | grep -qF -- "$1" && return 0; sleep 0.1; done
  return 1
}
expect() { # NAME TEXT
  if wait_for "$2"; then t_ok "$1"; else t_fail "$1" "'$2' not on screen:"; screen | sed 's/^/#   /'; fi
}
absent() { # NAME TEXT
  sleep 0.5
  if screen | grep -qF -- "$2"; then t_fail "$1" "'$2' still on screen"; screen | sed 's/^/#   /'; else t_ok "$1"; fi
}

login() {
  local i
  for i in $(seq 1 100); do screen | grep -qE -- "柜员登录|Clerk sign-in" && break; sleep 0.1; done
  tm send-keys -t $S Up C-u
  tm send-keys -t $S -l "$1"; tm send-keys -t $S Enter
  tm send-keys -t $S -l "$2"; tm send-keys -t $S Enter
  for i in $(seq 1 100); do screen | grep -qE -- "请选择业务|Choose a service" && return 0; sleep 0.1; done
  t_fail "login $1" "home menu not reached:"; screen | sed 's/^/#   /'
}
# 证书新办's 证书应用项目 step: region, category, project (after the operator
# form), each offered by the profile and typed again here
fill_project() {
  local v
  wait_for "项目名称"
  for v in 天津 政府采购 天津市政府采购电子招投标系统; do tm send-keys -t $S C-u; tm send-keys -t $S -l "$v"; tm send-keys -t $S Enter; done
}
# Sign in at window 66 if asked and take 证书新办 to its fee step:
# new_cert_to_fee COMPANY USCC OPERATOR_ID MOBILE (单位证书带签章, the default term).
new_cert_to_fee() {
  local t
  wait_for "柜员登录" || wait_for "请选择业务"
  if screen | grep -qF "柜员登录"; then login w66 "${CLERK66_PASS:-}"; fi
  menu 证书新办
  wait_for "统一社会信用代码"
  for t in "$1" "$2" 张三 120102197803154415 022-23456789 "" "" 天津市南开区故障路9号; do
    [ -n "$t" ] && tm send-keys -t $S -l "$t"; tm send-keys -t $S Enter
  done
  wait_for "经办人身份证号"
  for t in 赵六 "$3" "$4" zhao6@example.com ""; do
    [ -n "$t" ] && tm send-keys -t $S -l "$t"; tm send-keys -t $S Enter
  done
  fill_project
  wait_for "单位证书带签章"; tm send-keys -t $S Enter
  wait_for "经办人身份证原件及复印件"; tm send-keys -t $S a; tm send-keys -t $S Enter
  wait_for "应收合计"
}
menu() { menu_in "$S" "$1"; }
# menu_in TARGET LABEL: the same in tmux target TARGET (a window of a hall of several)
menu_in() {
  local n
  wait_for "$2"
  # the number just before the label (menus may stand in two columns), else the line's first
  n=$(screen | grep -oE "[0-9]+\. +$2" | head -1 | grep -oE '^[0-9]+')
  [ -n "$n" ] || n=$(screen | grep -F -- "$2" | grep -oE '[0-9]+\. ' | head -1 | tr -dc 0-9)
  if [ "${n:-0}" = 10 ]; then
    tm send-keys -t "$1" 0          # 0 opens the 10th item
  elif [ "${n:-0}" -gt 10 ]; then
    # beyond: the arrows, one at a time (a burst of escape sequences can split)
    for _ in $(seq 1 20); do tm send-keys -t "$1" Up; sleep 0.05; done
    for _ in $(seq 2 "$n"); do tm send-keys -t "$1" Down; sleep 0.05; done
    tm send-keys -t "$1" Enter
  else
    tm send-keys -t "$1" "${n:-0}"
  fi
}
