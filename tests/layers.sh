#!/usr/bin/env bash
# tests/layers.sh - the arrows run one way (../shared/design.md):
#
#   entry (kiosk/main.c app.c loop.c cli.c cmd_*.c) -> screens/ -> engine
#   (kiosk/engine*.c) -> token/ printing/ data/ -> base
#
# base = kiosk/{config,msg,rules,kinds,textw,clock,payurl}: includes nothing of ours
#        but base;
# token/, data/     include only base and themselves;
# printing/         includes only base, data/ and itself;
# nothing below the entry includes kiosk/app.h, kiosk/session.h or screens/;
# no two files call each other, directly or round a circle (nm on build/obj);
# token/, data/     never call the catalogue (msg*, M_*): status codes up;
# screens/          never call the store (store_*), the token layer (tok_*)
#                   or printing (prn_*) - they ask the engine.
#
# Every rule is enforced without exception.
# TAP output; run by tests/run.sh and by the before-stop hook.
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT"
BASE='kiosk/(config|msg|rules|kinds|textw|clock|payurl)\.h|kiosk/msg_[a-z]+\.def'
fail=0

report() { # name offending-lines
  if [ -z "$2" ]; then echo "ok - $1"; else echo "not ok - $1"; printf '%s\n' "$2" | sed 's/^/#   /'; fail=1; fi
}
includes() { grep -HnoE '#include "[^"]+"' "$@" 2>/dev/null | sed 's/#include "//; s/"$//'; }

report "base includes only base" \
  "$(includes kiosk/config.[ch] kiosk/msg.[ch] kiosk/rules.[ch] kiosk/kinds.[ch] kiosk/textw.[ch] kiosk/clock.[ch] kiosk/payurl.[ch] | grep -vE ":($BASE)\$")"
report "token/ includes only base and token/" \
  "$(includes token/*.[ch] | grep -vE ":($BASE|token/[a-z_]+\.h)\$")"
report "data/ includes only base and data/ (its backends' directories too)" \
  "$(includes data/*.[ch] data/*/*.[ch] | grep -vE ":($BASE|data/([a-z]+/)?[a-z_]+\.h)\$")"
report "printing/ includes only base, data/ and printing/" \
  "$(includes printing/*.[ch] | grep -vE ":($BASE|data/[a-z_]+\.h|printing/[a-z_]+\.h)\$")"
report "the engine includes no screen, app or session header" \
  "$(includes kiosk/engine*.[ch] | grep -E ':(screens/|kiosk/(app|session|ui|loop|term)\.h)')"
report "token/, data/ and printing/ include nothing of the entry or screens" \
  "$(includes token/* data/* printing/* | grep -E ':(screens/|kiosk/(app|session|ui|loop|engine|cli)\.h)')"

# no circles of calls between files: for every object file of the program,
# the files whose functions it calls (nm); any strongly connected group of
# two or more files is a circle
OBJ=${LAYERS_OBJ:-build/obj}
if ls "$OBJ"/kiosk/*.o >/dev/null 2>&1; then
  circles=$(python3 - "$OBJ" <<'PY'
import collections, glob, subprocess, sys
obj = sys.argv[1]
import os
files = [o for d in ("kiosk", "screens", "token", "printing", "data") for o in glob.glob(f"{obj}/{d}/*.o")
         if os.path.exists(o[len(obj) + 1:-2] + ".c")]   # objects of removed sources do not count
defs, uses = {}, collections.defaultdict(set)
for o in files:
    f = o[len(obj) + 1:-2] + ".c"
    for line in subprocess.check_output(["nm", o], text=True).splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "TDBR":
            defs[p[2]] = f
        elif len(p) == 2 and p[0] == "U":
            uses[f].add(p[1])
g = {f: {defs[u] for u in us if u in defs and defs[u] != f} for f, us in uses.items()}
index, low, stack, on, out = {}, {}, [], set(), []
def visit(v):
    index[v] = low[v] = len(index); stack.append(v); on.add(v)
    for w in g.get(v, ()):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            out.append(" <-> ".join(sorted(comp)))
sys.setrecursionlimit(10000)
for v in list(g):
    if v not in index:
        visit(v)
print("\n".join(out))
PY
)
  report "no circles of calls between files" "$circles"
else
  echo "ok - no circles of calls between files # SKIP no objects in $OBJ (run make first)"
fi

# screens ask the engine (kiosk/engine*.c), the session (kiosk/session.c)
# or the services (kiosk/svc.c); they never call below them
report "screens only ask: no call to the store, the token layer or printing" \
  "$(grep -HnoE '\b(store|tok|prn)_[a-z0-9_]+\(' screens/*.c | sed 's/($//')"

# token/ and data/ report status codes and technical details; the words a
# person reads are chosen above them (the catalogue is not theirs to call)
report "token/ and data/ choose no words: no call to the catalogue" \
  "$(grep -HnoE '\b(msg|msg_fmt|msg_get)\(|\bM_[A-Z0-9_]+\b' token/*.[ch] data/*.[ch] data/sqlite/*.[ch] | grep -vE ':M_(PI|E)\b')"
exit $fail
