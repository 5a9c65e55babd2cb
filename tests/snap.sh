# tests/snap.sh - golden screens (sourced after tests/tmux.sh): `snap NAME`
# captures the screen at 100x30 and again at 80x24, normalises it and
# compares it, whole, with tests/e2e/golden/$L/NAME.SIZE.txt ($L: zh or en,
# set by the caller). tests/e2e/golden.sh takes most page kinds; a test
# that reaches a page only it sets up (证书更新's confirm page, under
# faketime) snaps it there.
#
# What changes from run to run is normalised before the compare, keeping
# every width: each digit becomes 9, a key's serial (16 hex) x's, a
# certificate serial (32 hex) X's; inside a QR code (its block glyphs) the
# cells become '#', so its place and size are compared, not its content;
# a status bar showing a message (a flash) is waited out (no_flash) and,
# if it stays, replaced by [flash].
#
# On purpose, after a change to what a screen shows:
#   GOLDEN_UPDATE=1 bash tests/run.sh tests/e2e/golden.sh   (or the test that snaps it)
# writes the golden files anew; review them with git diff before committing.
GOLD=$ROOT/tests/e2e/golden

normalise() {
  python3 -c '
import re, sys
lines = sys.stdin.read().split("\n")
out = []
QR = set("█▀▄")
for i, l in enumerate(lines):
    l = re.sub(r"\b[0-9a-f]{16}\b", "x" * 16, l)
    l = re.sub(r"\b[0-9A-F]{32}\b", "X" * 32, l)
    l = re.sub(r"[0-9]", "9", l)
    idx = [j for j, ch in enumerate(l) if ch in QR]
    if len(idx) >= 6:                      # a QR row: its span, not its cells
        a, b = idx[0], idx[-1]
        l = l[:a] + "#" * (b - a + 1) + l[b + 1:]
    out.append(l.rstrip())
while out and out[-1] == "":
    out.pop()
# the status bar: its services, or a passing message
if out and not re.search(r"(HSM|UKey)", out[-1]):
    out[-1] = "[flash]"
print("\n".join(out))
'
}

# no_flash: wait (7 s at most) for a passing message (5 s) to leave the
# status bar, so that what is compared does not hang on timing
no_flash() {
  local i
  for i in $(seq 1 70); do screen | tail -n 1 | grep -qE "HSM" && return 0; sleep 0.1; done
}

# snap NAME: the screen now at 100x30, then at 80x24, each against its golden file
snap() {
  local name=$1 size f got
  for size in 100x30 80x24; do
    tm resize-window -t $S -x "${size%x*}" -y "${size#*x}"
    sleep 0.6
    no_flash
    got=$TEST_TMP/$L-$name.$size.txt
    screen | normalise > "$got"
    f=$GOLD/$L/$name.$size.txt
    if [ -n "${GOLDEN_UPDATE:-}" ]; then
      mkdir -p "$GOLD/$L"; cp "$got" "$f"; t_ok "$L $name $size: golden written"
    elif [ ! -f "$f" ]; then
      t_fail "$L $name $size: golden file $f missing (GOLDEN_UPDATE=1 writes it)"
    elif cmp -s "$got" "$f"; then
      t_ok "$L $name $size: as golden"
    else
      t_fail "$L $name $size: differs from golden" "$(diff "$f" "$got" | head -20 | sed 's/^/#   /')"
    fi
  done
  tm resize-window -t $S -x 100 -y 30
  sleep 0.4
}
