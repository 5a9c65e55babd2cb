#!/usr/bin/env bash
# tests/layers.sh - the arrows run one way (../shared/design.md):
#
#   entry (kiosk/main.c app.c loop.c cli.c cmd_*.c) -> screens/ -> engine
#   (kiosk/engine*.c) -> token/ printing/ data/ -> base
#
# base = kiosk/{config,msg,rules,textw,clock,payurl}: includes nothing of ours
#        but base;
# token/, data/     include only base and themselves;
# printing/         includes only base, data/ and itself;
# nothing below the entry includes kiosk/app.h, kiosk/session.h or screens/;
# screens/          never call the store (store_*), the token layer (tok_*)
#                   or printing (prn_*) - they ask the engine.
#
# Rules that hold today are enforced without exception. The screens that
# still call below the engine are listed in tests/layers.allow (file and
# function, one per line): the list may only shrink - a call that is not on
# it fails, and so does an entry that no longer occurs (remove it).
# TAP output; run by tests/run.sh and by the before-stop hook.
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT"
BASE='kiosk/(config|msg|rules|textw|clock|payurl)\.h|kiosk/msg_[a-z]+\.def'
fail=0

report() { # name offending-lines
  if [ -z "$2" ]; then echo "ok - $1"; else echo "not ok - $1"; printf '%s\n' "$2" | sed 's/^/#   /'; fail=1; fi
}
includes() { grep -HnoE '#include "[^"]+"' "$@" 2>/dev/null | sed 's/#include "//; s/"$//'; }

report "base includes only base" \
  "$(includes kiosk/config.[ch] kiosk/msg.[ch] kiosk/rules.[ch] kiosk/textw.[ch] kiosk/clock.[ch] kiosk/payurl.[ch] | grep -vE ":($BASE)\$")"
report "token/ includes only base and token/" \
  "$(includes token/*.[ch] | grep -vE ":($BASE|token/[a-z_]+\.h)\$")"
report "data/ includes only base and data/" \
  "$(includes data/*.[ch] | grep -vE ":($BASE|data/[a-z_]+\.h)\$")"
report "printing/ includes only base, data/ and printing/" \
  "$(includes printing/*.[ch] | grep -vE ":($BASE|data/[a-z_]+\.h|printing/[a-z_]+\.h)\$")"
report "the engine includes no screen, app or session header" \
  "$(includes kiosk/engine*.[ch] | grep -E ':(screens/|kiosk/(app|session|ui|loop|term)\.h)')"
report "token/, data/ and printing/ include nothing of the entry or screens" \
  "$(includes token/* data/* printing/* | grep -E ':(screens/|kiosk/(app|session|ui|loop|engine|cli)\.h)')"

# screens calling below the engine, against the shrinking allowlist
calls=$(grep -HoE '\b(store|tok|prn)_[a-z0-9_]+\(' screens/*.c | sed 's/($//' | sort -u)
allow=$(grep -vE '^(#|$)' tests/layers.allow 2>/dev/null | sort -u)
report "screens only ask: no call to the store, the token layer or printing beyond tests/layers.allow" \
  "$(comm -23 <(printf '%s\n' "$calls") <(printf '%s\n' "$allow") | grep -v '^$')"
report "tests/layers.allow lists nothing that no longer occurs (it only shrinks)" \
  "$(comm -13 <(printf '%s\n' "$calls") <(printf '%s\n' "$allow") | grep -v '^$')"
echo "# screens' calls below the engine still allowed: $(printf '%s\n' "$allow" | grep -c .)"
exit $fail
