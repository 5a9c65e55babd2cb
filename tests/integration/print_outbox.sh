#!/usr/bin/env bash
# tests/integration/print_outbox.sh - the print outbox against real printers:
# a real ippeveprinter started here (own port and spool), a port where nothing
# listens (refused), a listener that accepts and never answers (hung). Jobs
# survive both, are retried with back-off, print exactly once when the
# printer is back, and the kept job file equals the recorded document. A job
# of ours the printer holds without a document for a minute (its sender
# died) is cancelled, so the printer is not busy with it for ever.
# Ends with the CLI (`kiosk print ...`) against the hall's printer.
. "$(dirname "$0")/../lib.sh"
B=${ROOT:-.}/build/san/itests/print_outbox
PR=${ROOT:-.}/scripts/printer.sh
H=$TEST_TMP/hall; DB=$TEST_TMP/outbox.db; mkdir -p "$H"; chmod 711 "$H"

P_UP=$(free_port); P_HANG=$(free_port)
while [ "$P_HANG" = "$P_UP" ]; do P_HANG=$(free_port); done
U_UP=ipp://localhost:$P_UP/ipp/print; U_HANG=ipp://localhost:$P_HANG/ipp/print
HANG_PID=
cleanup() { bash "$PR" stop "$H" "$P_UP" >/dev/null 2>&1; [ -n "$HANG_PID" ] && kill "$HANG_PID" 2>/dev/null; }
trap cleanup EXIT
ob() { timeout 30 "$B" "$DB" "$@"; }            # a hang guard, not a timing check
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
spool_count() { ls "$H/printer/spool" 2>/dev/null | grep -c "kiosk-$1-.*\.pdf$"; }
spool_file() { ls "$H/printer/spool"/*"kiosk-$1-"*.pdf 2>/dev/null | head -1; }

# ---- printer refused (nothing listening) ---------------------------------------
id1=$(ob "$U_UP" 2000 add receipt)
t_check "job recorded before sending" test -n "$id1"
out=$(ob "$U_UP" 2000 pump)
t_grep "refused: pump reports the printer down" "Printer not reachable" <(echo "$out")
show=$(ob "$U_UP" 2000 show "$id1")
t_eq "refused: job stays queued" queued "$(echo "$show" | field state)"
t_eq "refused: one attempt counted" 1 "$(echo "$show" | field attempts)"
t_grep "refused: last_error names the printer" "$U_UP: cannot connect" <(echo "$show")
due=$(echo "$show" | field due_in)
t_check "refused: retry backed off ($due s)" test "$due" -gt 0
ob "$U_UP" 2000 pump >/dev/null
t_eq "back-off honoured: no attempt before next_try" 1 "$(ob "$U_UP" 2000 show "$id1" | field attempts)"
ob "$U_UP" 2000 pump 6 >/dev/null
show=$(ob "$U_UP" 2000 show "$id1")
t_eq "due again after back-off: second attempt" 2 "$(echo "$show" | field attempts)"
due2=$(( $(echo "$show" | field due_in) - 6 ))
t_check "second back-off longer than the first ($due2 > $due)" test "$due2" -gt "$due"
st=$(ob "$U_UP" 2000 printer)
t_grep "printer state says not reachable" "Printer not reachable" <(echo "$st")

# ---- printer that accepts and never answers -------------------------------------------
hung_listener "$P_HANG"
id2=$(ob "$U_HANG" 1000 add seal)
out=$(ob "$U_HANG" 1000 pump); rc=$?
t_eq "hung printer: pump returns (bounded by the 1000 ms timeout)" 0 "$rc"
show=$(ob "$U_HANG" 1000 show "$id2")
t_eq "hung printer: job stays queued" queued "$(echo "$show" | field state)"
t_eq "hung printer: the attempt was made" 1 "$(echo "$show" | field attempts)"
t_grep "hung printer: last_error says timeout" "within the timeout" <(echo "$show")
t_grep "hung printer: clerk told the printer is not reachable" "Printer not reachable" <(echo "$out")
kill "$HANG_PID" 2>/dev/null; HANG_PID=

# ---- cancel while down ----------------------------------------------------------------
id3=$(ob "$U_UP" 2000 add checklist)
t_check "cancel a queued job" ob "$U_UP" 2000 cancel "$id3"
t_eq "cancelled job shows cancelled" cancelled "$(ob "$U_UP" 2000 show "$id3" | field state)"

# ---- printer back up: everything prints exactly once -----------------------------------
t_check "printer starts (scripts/printer.sh)" bash "$PR" start "$H" "$P_UP"
t_check "printer.sh start is idempotent" bash "$PR" start "$H" "$P_UP"
t_check "printer.sh status" bash "$PR" status "$H" "$P_UP"
t_grep "printer state ready" "Printer ready" <(ob "$U_UP" 2000 printer)
out=$(ob "$U_UP" 2000 pump 1000)
t_eq "pump sends both waiting jobs" 2 "$(echo "$out" | field sent)"
for id in "$id1" "$id2"; do
  t_eq "job $id followed to done" done "$(ob "$U_UP" 2000 follow "$id" 5000 | field state)"
  t_eq "job $id printed exactly once" 1 "$(spool_count "$id")"
  ob "$U_UP" 2000 pdf "$id" "$TEST_TMP/job$id.pdf"
  t_check "job $id: kept job file equals the document" cmp "$TEST_TMP/job$id.pdf" "$(spool_file "$id")"
done
t_eq "cancelled job never printed" 0 "$(spool_count "$id3")"
out=$(ob "$U_UP" 2000 pump 5000)
t_eq "pump again: nothing sent" 0 "$(echo "$out" | field sent)"
t_eq "still exactly once" 1 "$(spool_count "$id1")"

# ---- accepted but unacknowledged: never printed twice ------------------------------------
ob "$U_UP" 2000 forget "$id1"
t_eq "forgotten job is queued again" queued "$(ob "$U_UP" 2000 show "$id1" | field state)"
ob "$U_UP" 2000 pump >/dev/null
t_eq "accepted job not resent after a lost answer" 1 "$(spool_count "$id1")"
t_eq "outbox says done" done "$(ob "$U_UP" 2000 follow "$id1" 5000 | field state)"

# ---- reprint --------------------------------------------------------------------------------
id4=$(ob "$U_UP" 2000 reprint "$id1")
t_check "reprint makes a new job" test -n "$id4" -a "$id4" != "$id1"
ob "$U_UP" 2000 pump >/dev/null
t_eq "reprint printed" done "$(ob "$U_UP" 2000 follow "$id4" 5000 | field state)"
t_check "reprint equals the original document" cmp "$TEST_TMP/job$id1.pdf" "$(spool_file "$id4")"
t_check "cannot cancel a printed job" sh -c "! timeout 30 '$B' '$DB' '$U_UP' 2000 cancel $id1"

# ---- a sender killed between Create-Job and recording the job's id ---------------------------------
# The printer holds a job of ours without a document; ippeveprinter (one job at
# a time) then answers every Create-Job "busy" for ever. Younger than 60 s it
# may be a live sender's: left alone. Older: cancelled, and the next job prints.
cat > "$TEST_TMP/orphan.test" <<'T'
{
  OPERATION Create-Job
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name kiosk
  ATTR name job-name "收据 66-20261202-0099 #kiosk-999-1"
  STATUS successful-ok
}
T
t_check "a job of ours created at the printer, its document never sent" ipptool -q "$U_UP" "$TEST_TMP/orphan.test"
id6=$(ob "$U_UP" 2000 add receipt)
ob "$U_UP" 2000 pump >/dev/null
show=$(ob "$U_UP" 2000 show "$id6")
t_eq "...at once: the printer busy with it, the new job waits (queued)" queued "$(echo "$show" | field state)"
t_grep "...said so, in the printer's words" "refused Create-Job: Currently printing another job" <(echo "$show")
sleep 61
ob "$U_UP" 2000 pump 20 >/dev/null
t_eq "...a minute on: the orphan cancelled, the new job printed" done "$(ob "$U_UP" 2000 follow "$id6" 5000 | field state)"
t_eq "...printed once" 1 "$(spool_count "$id6")"
t_grep "...the orphan cancelled at the printer" "Cancel-Job successful-ok" "$H/printer/ippeveprinter.log"

# two users of one hall's printer (two `make run`s): the first one's exit leaves it to the second
sleep 300 & U1=$!; sleep 300 & U2=$!
t_check "two users register (PRINTER_USER)" sh -c "PRINTER_USER=$U1 bash '$PR' start '$H' '$P_UP' && PRINTER_USER=$U2 bash '$PR' start '$H' '$P_UP'"
PRINTER_USER=$U1 bash "$PR" stop "$H" "$P_UP" > /dev/null 2>&1
t_check "the first user's stop leaves the printer answering for the second" bash "$PR" status "$H" "$P_UP"
t_check "...its D-Bus too" test -S "$H/printer/bus"
kill "$U2"; wait "$U2" 2>/dev/null
t_check "a user gone (killed without its stop): a plain stop stops the printer" timeout 20 bash "$PR" stop "$H" "$P_UP"
kill "$U1" 2>/dev/null; wait "$U1" 2>/dev/null
t_check "printer.sh stop (no user left)" bash "$PR" stop "$H" "$P_UP"
t_check "printer.sh status after stop fails" sh -c "! bash '$PR' status '$H' '$P_UP'"
t_check "the lock is not held by a daemon it started (start after stop does not wait)" timeout 20 bash "$PR" start "$H" "$P_UP"
t_check "...and stops again" timeout 20 bash "$PR" stop "$H" "$P_UP"

# ---- CLI against the hall's printer -----------------------------------------------------------
if [ -n "${PRINTER_URI:-}" ]; then
  out=$("$KIOSK" --lang en print sample --doc receipt 2>&1); rc=$?
  t_eq "kiosk print sample (to the hall's printer) succeeds" 0 "$rc"
  t_grep "kiosk print sample reports printed" "printed" <(echo "$out")
  out=$("$KIOSK" --lang en print outbox 2>&1); rc=$?
  t_eq "kiosk print outbox succeeds" 0 "$rc"
  t_grep "kiosk print outbox lists the sample" "receipt" <(echo "$out")
  out=$("$KIOSK" --lang en print cancel 999999 2>&1); rc=$?
  t_eq "kiosk print cancel of an unknown job fails" 1 "$rc"
  t_grep "kiosk print cancel names the id" "999999" <(echo "$out")
fi
