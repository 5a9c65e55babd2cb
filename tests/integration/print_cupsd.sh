#!/usr/bin/env bash
# tests/integration/print_cupsd.sh - printing as a hall prints: through a real
# CUPS server. A private cupsd (Debian's cups-daemon + cups-filters, started by
# scripts/cupsd.sh) whose queue `hallq` forwards to a real ippeveprinter
# started here. The outbox (printing/outbox.c) sends to the queue:
#
#   - the kiosk's real documents, titled with spaces ("收据 66-..."), reach the
#     printer once each and cupsd stays alive (Debian 12's cupsd 2.4.2 dies on
#     Create-Job + Send-Document when job-name and document-name both contain
#     a space: the regression);
#   - CUPS_SERVER as a domain socket, as host:port, and unset (local default);
#     an unknown queue is named in the error;
#   - the queue paused with cupsdisable: the clerk is told why, in Chinese;
#     jobs wait in cupsd and print once when it is resumed;
#   - the printer down behind cupsd: cupsd takes the jobs and prints them once
#     when the printer is back (cupsd's to retry, not ours to resend);
#   - cupsd killed (kill -9) and started again: nothing lost, nothing twice;
#   - a printer that does not take PDF (as a queue without cups-filters):
#     said in the catalogue's words, the job kept.
# Each "once" is counted in the files ippeveprinter keeps.
. "$(dirname "$0")/../lib.sh"
B=${ROOT:-.}/build/san/itests/print_outbox
PR=${ROOT:-.}/scripts/printer.sh
CD=${ROOT:-.}/scripts/cupsd.sh
H=$TEST_TMP/hall; DB=$TEST_TMP/outbox.db; mkdir -p "$H"; chmod 711 "$H"
chmod o+x "$TEST_TMP" "$H"   # cupsd's filters run as lp and must reach the spool

P_PRN=$(free_port); P_CUPS=$(free_port)
while [ "$P_CUPS" = "$P_PRN" ]; do P_CUPS=$(free_port); done
U_PRN=ipp://localhost:$P_PRN/ipp/print
cleanup() { bash "$CD" stop "$H" "$P_CUPS" >/dev/null 2>&1; bash "$PR" stop "$H" "$P_PRN" >/dev/null 2>&1; }
trap cleanup EXIT

t_check "the embedded printer starts" bash "$PR" start "$H" "$P_PRN"
SOCK=$(bash "$CD" start "$H" "$P_CUPS" "$U_PRN" hallq 2>"$TEST_TMP/cupsd.err")
t_check "scripts/cupsd.sh starts a private cupsd with queue hallq" test -S "$SOCK"
[ -S "$SOCK" ] || { cat "$TEST_TMP/cupsd.err"; exit 1; }
t_check "cupsd.sh start is idempotent" bash "$CD" start "$H" "$P_CUPS" "$U_PRN" hallq
t_grep "the queue forwards to the embedded printer" "$U_PRN" <(CUPS_SERVER=$SOCK lpstat -v hallq)
export CUPS_SERVER=$SOCK
cat > "$TEST_TMP/jobs.test" <<'EOF'
{
  NAME "Get-Jobs with their names (the owner may see them)"
  OPERATION Get-Jobs
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name $user
  ATTR keyword which-jobs all
  ATTR keyword requested-attributes job-id,job-name
  STATUS successful-ok
}
EOF

ob() { timeout 60 "$B" "$DB" hallq "${TMO:-3000}" "$@"; }      # a hang guard, not a timing check
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
pdfs() { ls "$H/printer/spool" 2>/dev/null | grep -c "kiosk-$1-.*\.pdf$"; }
total_pdfs() { ls "$H/printer/spool" 2>/dev/null | grep -c '\.pdf$'; }
cupsd_alive() { bash "$CD" status "$H" "$P_CUPS"; }
# follow ID until done (cupsd and the printer both finish), up to 30 s
follow_done() { local i s; for i in $(seq 1 30); do s=$(ob follow "$1" 1000 | field state); [ "$s" = done ] && break; ob pump >/dev/null; sleep 0.5; done; echo "$s"; }
# wait until the printer holds N files for job ID (cupsd forwards asynchronously)
wait_pdfs() { local i; for i in $(seq 1 100); do [ "$(pdfs "$1")" -ge "$2" ] && break; sleep 0.1; done; pdfs "$1"; }

# ---- the regression: real documents with spaces in their titles ------------------
for doc in form seal receipt checklist; do
  id=$(ob add "$doc")
  ob pump >/dev/null
  t_check "$doc: cupsd still running after the job" cupsd_alive
  t_eq "$doc: job $id done through the queue" done "$(follow_done "$id")"
  t_eq "$doc: the printer received it once" 1 "$(wait_pdfs "$id" 1)"
  ob pdf "$id" "$TEST_TMP/j$id.pdf"
  title=$(sqlite3 "$DB" "SELECT title FROM jobs WHERE id=$id")
  t_grep "$doc: cupsd's job list shows the title as it is, space and all ($title)" "job-name (nameWithoutLanguage) = $title #kiosk-$id-" \
    <(ipptool -tv -d user="$(id -un)" "ipp://localhost:$P_CUPS/printers/hallq" "$TEST_TMP/jobs.test" 2>&1)
done
sp=$(ls "$H/printer/spool" | grep 'kiosk-1-.*\.pdf$' | head -1)
t_check "the document reached the printer unchanged (pdftotext finds the title)" \
  sh -c "pdftotext '$H/printer/spool/$sp' - | grep -q '数字证书'"

# ---- CUPS_SERVER as libcups takes it ------------------------------------------------
id=$(CUPS_SERVER=localhost:$P_CUPS ob add receipt)
CUPS_SERVER=localhost:$P_CUPS ob pump >/dev/null
t_eq "CUPS_SERVER=host:port: printed" done "$(CUPS_SERVER=localhost:$P_CUPS follow_done "$id")"
t_eq "CUPS_SERVER=host:port: once" 1 "$(wait_pdfs "$id" 1)"
id=$(ob add receipt)
out=$(env -u CUPS_SERVER timeout 60 "$B" "$DB" hallq 2000 pump)
show=$(ob show "$id")
if [ -S /run/cups/cups.sock ]; then
  t_ok "CUPS_SERVER unset: # SKIP a system cupsd runs here"
else
  t_eq "CUPS_SERVER unset: the local default is tried, the job kept" queued "$(echo "$show" | field state)"
  t_grep "CUPS_SERVER unset: the error names the local default server" "print server localhost:631 (queue hallq): cannot connect" <(echo "$show")
fi
ob pump 100 >/dev/null
t_eq "the kept job prints once the server is reachable" done "$(follow_done "$id")"
id=$(timeout 60 "$B" "$DB" nosuchq 2000 add receipt)
timeout 60 "$B" "$DB" nosuchq 2000 pump >/dev/null
t_grep "an unknown queue is named" "has no queue \"nosuchq\"" <(timeout 60 "$B" "$DB" nosuchq 2000 show "$id")
timeout 60 "$B" "$DB" nosuchq 2000 cancel "$id" >/dev/null

# ---- the queue paused (cupsdisable) -------------------------------------------------
CUPS_SERVER=$SOCK cupsdisable -r "paper out at the hall printer" hallq
st=$(ob printer)
t_eq "paused queue: printer state stopped" 2 "$(echo "$st" | field state)"
t_grep "paused queue: the clerk is told in Chinese why" "zh=打印队列已暂停" <(echo "$st")
t_grep "paused queue: the reason keyword is in the detail" "paused" <(echo "$st")
id=$(ob add receipt)
ob pump >/dev/null
t_eq "paused queue: cupsd took the job (sent, not printed)" sent "$(ob show "$id" | field state)"
sleep 1
t_eq "paused queue: nothing at the printer yet" 0 "$(pdfs "$id")"
ob pump 10 >/dev/null
t_eq "paused queue: pumping again does not resend" 1 "$(ob show "$id" | field attempts)"
CUPS_SERVER=$SOCK cupsenable hallq
t_eq "resumed: the job prints" done "$(follow_done "$id")"
t_eq "resumed: once" 1 "$(wait_pdfs "$id" 1)"

# ---- the printer down behind cupsd --------------------------------------------------
bash "$PR" stop "$H" "$P_PRN" >/dev/null
before=$(total_pdfs)
ids=()
for k in 1 2 3; do ids+=("$(ob add receipt $k)"); done
ob pump >/dev/null
for id in "${ids[@]}"; do t_eq "printer down: cupsd took job $id" sent "$(ob show "$id" | field state)"; done
sleep 2
ob pump 20 >/dev/null
t_eq "printer down: nothing resent while cupsd holds the jobs" "1 1 1" \
  "$(for id in "${ids[@]}"; do ob show "$id" | field attempts; done | xargs)"
t_check "the printer comes back" bash "$PR" start "$H" "$P_PRN"
for id in "${ids[@]}"; do
  t_eq "printer back: job $id done" done "$(follow_done "$id")"
  t_eq "printer back: job $id printed once" 1 "$(wait_pdfs "$id" 1)"
done

# ---- cupsd killed and started again ---------------------------------------------------
bash "$PR" stop "$H" "$P_PRN" >/dev/null
held=$(ob add receipt 1)
ob pump >/dev/null
t_eq "before the crash: cupsd holds job $held" sent "$(ob show "$held" | field state)"
bash "$CD" kill "$H" "$P_CUPS"
t_check "cupsd is gone" sh -c "! bash '$CD' status '$H' '$P_CUPS'"
down=$(TMO=1000 ob add receipt 2)
out=$(TMO=1000 ob pump)
t_eq "cupsd down: the new job is kept queued" queued "$(ob show "$down" | field state)"
t_grep "cupsd down: the pump names the print server" "print server $SOCK (queue hallq): cannot connect" <(echo "$out")
t_check "cupsd starts again (same spool)" bash "$CD" start "$H" "$P_CUPS" "$U_PRN" hallq
t_check "the printer comes back" bash "$PR" start "$H" "$P_PRN"
ob pump 100 >/dev/null
for id in "$held" "$down"; do
  s=$(follow_done "$id")
  if [ "$s" = failed ]; then
    # cupsd lost the job with the crash: said, never resent on its own
    t_grep "after the crash: job $id lost by cupsd is failed with a reason, not resent" "no longer knows job" <(ob show "$id")
  else
    t_eq "after the crash: job $id done" done "$s"
    t_eq "after the crash: job $id printed once" 1 "$(wait_pdfs "$id" 1)"
  fi
done
t_eq "every job at the printer at most once" 0 \
  "$(ls "$H/printer/spool" | sed -n 's/.*kiosk-\([0-9]*\)-.*\.pdf$/\1/p' | sort | uniq -d | wc -l)"
t_check "cupsd alive at the end" cupsd_alive

# ---- a printer (or a queue without cups-filters) that does not take PDF ---------------
P_RAS=$(free_port)
while [ "$P_RAS" = "$P_PRN" ] || [ "$P_RAS" = "$P_CUPS" ]; do P_RAS=$(free_port); done
mkdir -p "$TEST_TMP/ras"
if PRINTER_FORMATS=image/pwg-raster bash "$PR" start "$TEST_TMP/ras" "$P_RAS" >/dev/null; then
  U_RAS=ipp://localhost:$P_RAS/ipp/print
  id=$(timeout 60 "$B" "$DB" "$U_RAS" 2000 add receipt)
  out=$(timeout 60 "$B" "$DB" "$U_RAS" 2000 pump)
  t_grep "no PDF: the clerk is told the queue does not take PDF" "message=The print queue does not take PDF documents" <(echo "$out")
  t_grep "no PDF: the detail keeps the IPP status" "the queue does not take PDF" <(echo "$out")
  t_eq "no PDF: the job is kept queued" queued "$(timeout 60 "$B" "$DB" "$U_RAS" 2000 show "$id" | field state)"
  timeout 60 "$B" "$DB" "$U_RAS" 2000 cancel "$id" >/dev/null
  bash "$PR" stop "$TEST_TMP/ras" "$P_RAS" >/dev/null
else
  t_fail "a PWG-raster-only ippeveprinter starts"
fi
