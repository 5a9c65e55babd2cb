#!/usr/bin/env bash
# tests/e2e/screen_picture.sh - the kiosk as a person sees it (issue 18): the
# Linux console cannot draw Chinese, so a counter runs the kiosk in a
# terminal that draws with a CJK font. Here: the self-service home screen in
# xterm with WenQuanYi Micro Hei under Xvfb, captured with xwd and read back
# with tesseract's chi_sim model; the menu's words must be found in the
# picture, not in any text the kiosk wrote. The PNG is kept with the test
# logs (build/test-logs/screen-home.png).
. "$ROOT/tests/lib.sh"
LOGS=${TEST_LOGS:-$ROOT/build/test-logs}
XPID=; TPID=
cleanup() { [ -n "$TPID" ] && kill "$TPID" 2>/dev/null; [ -n "$XPID" ] && kill "$XPID" 2>/dev/null; return 0; }
trap cleanup EXIT

for tool in Xvfb xterm xwd xwdtopnm tesseract; do
  command -v $tool > /dev/null || { t_fail "$tool is installed (scripts/setup.sh)"; exit 0; }
done
t_check "tesseract has the Simplified Chinese model" sh -c "tesseract --list-langs 2>&1 | grep -qx chi_sim"
t_check "fontconfig knows a CJK monospace font" sh -c "fc-list :lang=zh family | grep -q 'WenQuanYi Micro Hei'"

exec 3> "$TEST_TMP/display"
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp > "$TEST_TMP/xvfb.log" 2>&1 &
XPID=$!
for i in $(seq 1 50); do [ -s "$TEST_TMP/display" ] && break; sleep 0.1; done
export DISPLAY=:$(head -1 "$TEST_TMP/display")
t_check "Xvfb runs (display $DISPLAY)" kill -0 "$XPID"

xterm -geometry 100x30+0+0 -fa "WenQuanYi Micro Hei Mono" -fs 14 -bg white -fg black \
  -e env LC_ALL=C.UTF-8 TERM=xterm-256color KIOSK_HOME="$KIOSK_HOME" "$KIOSK" --mode self \
  > "$TEST_TMP/xterm.log" 2>&1 &
TPID=$!

# poll: capture, read, until the menu is there (the kiosk takes a moment under the sanitizers)
found=0
for i in $(seq 1 20); do
  sleep 1
  xwd -root -silent | xwdtopnm 2>/dev/null | ppmtopgm | pnmscale 2 | pnmtopng > "$TEST_TMP/home.png" 2>/dev/null
  tesseract "$TEST_TMP/home.png" - -l chi_sim --psm 6 > "$TEST_TMP/ocr.txt" 2>/dev/null
  tr -d ' ' < "$TEST_TMP/ocr.txt" > "$TEST_TMP/ocr-nospace.txt"
  grep -q "有效期查询" "$TEST_TMP/ocr-nospace.txt" && { found=1; break; }
done
xwd -root -silent | xwdtopnm 2>/dev/null | pnmtopng > "$LOGS/screen-home.png" 2>/dev/null
cp "$TEST_TMP/ocr.txt" "$LOGS/screen-home.ocr.txt"
t_eq "the picture shows the menu (read back by OCR)" 1 "$found"
for w in 有效期查询 证书更新 修改PIN码 我的订单 请选择业务 主菜单; do
  t_grep "the picture reads '$w'" "$w" "$TEST_TMP/ocr-nospace.txt"
done
t_check "the picture is kept with the test logs" test -s "$LOGS/screen-home.png"
