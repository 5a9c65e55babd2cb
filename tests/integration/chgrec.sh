#!/usr/bin/env bash
# tests/integration/chgrec.sh - 信息变更登记 at window 68, then 证书变更 at
# window 66 reading it (issue_helper drives both tables as the counters do):
#  - before window 68 records anything, window 66's change says so above its
#    form and, with nothing typed, refuses "nothing changed";
#  - window 68 records the new name and legal representative with the key
#    inserted: the record (old and new details, what changed, clerk w68),
#    its audit row, a receipt; "nothing changed" is refused there too;
#    killed right after the record, the order cannot be cancelled and,
#    resumed, records once and prints its receipt once;
#  - window 66's change then finds the record: its new details filled in
#    (nothing typed), the note says when window 68 recorded it, and the new
#    certificate carries the new name.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
USCC=91120116MA05CR1T4C
COMPANY=天津市变更登记测试有限公司
NEWCO=天津市变更登记更名有限公司
OPID=120101198503038883    # the operator who applied: only the company's details change
trap key_unplug_all EXIT

K=$(key_plug blank32)
"$H" issue "$K" "$USCC" "$COMPANY" 120101198503038883 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank32" "issue=0 " "$TEST_TMP/issue.out"
OLD=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")

"$H" change "$OPID" > "$TEST_TMP/before.out" 2>&1
t_grep "window 66 before window 68: said above the form" "w68_note=68号窗口尚未登记本次变更" "$TEST_TMP/before.out"
t_grep "...and with nothing typed, nothing changed is refused" "form_refused=company 与原信息相同，没有需要变更的内容" "$TEST_TMP/before.out"
"$H" cancel "$OPID" > /dev/null 2>&1

HELPER_WINDOW=window68 "$H" chgrec "$OPID" > "$TEST_TMP/same.out" 2>&1
t_grep "window 68: nothing changed is refused" "form_refused=company 与原信息相同，没有需要变更的内容" "$TEST_TMP/same.out"
"$H" cancel "$OPID" > /dev/null 2>&1
HELPER_WINDOW=window68 HELPER_FORM_change="company=$NEWCO|legal_rep=王新法" KIOSK_FAULT_KILL=chgrec \
  "$H" chgrec "$OPID" > "$TEST_TMP/kill.out" 2>&1
t_grep "window 68 killed right after the record's unit of work" "at=record" "$TEST_TMP/kill.out"
t_grep "...it cannot be cancelled now" "cancel=-4" <(HELPER_WINDOW=window68 "$H" cancel "$OPID" 2>&1)
HELPER_WINDOW=window68 "$H" resume "$OPID" > "$TEST_TMP/rec.out" 2>&1
t_grep "...resumed, window 68's record finishes" "resume_finished=1" "$TEST_TMP/rec.out"
t_eq "...recorded once" "1" "$(db "SELECT count(*) FROM change_records WHERE uscc='$USCC'")"
t_eq "recorded: old and new details, under w68" "$USCC|$COMPANY|$NEWCO|$USCC|王新法|w68" \
  "$(db "SELECT uscc || '|' || company || '|' || new_company || '|' || new_uscc || '|' || new_legal_rep || '|' || clerk FROM change_records WHERE uscc='$USCC'")"
t_grep "...what changed described" "单位名称$COMPANY→$NEWCO" <(db "SELECT description FROM change_records WHERE uscc='$USCC'")
t_eq "audited once under w68" "1" "$(db "SELECT count(*) FROM audit WHERE action='change.record' AND actor='w68' AND detail LIKE '%$NEWCO%'")"
t_eq "a window-68 order with its receipt" "window68|receipt:1" \
  "$(db "SELECT o.window || '|' || (SELECT group_concat(doc || ':' || c) FROM (SELECT doc, count(*) c FROM jobs WHERE order_id = o.id GROUP BY doc)) FROM orders o WHERE txn='chgrec' AND state=1 AND operator_id='$OPID'")"
t_eq "the certificate is untouched by the record" "0" "$(db "SELECT state FROM certs WHERE serial='$OLD'")"

"$H" change "$OPID" > "$TEST_TMP/change.out" 2>&1
t_grep "window 66 then: the record found and said" "w68_note=68号窗口已于$(date +%F)登记本次变更" "$TEST_TMP/change.out"
t_grep "...its details filled in: changed to the end with nothing typed" "finished=1" "$TEST_TMP/change.out"
NEW=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
t_eq "the new certificate carries the recorded name" "$NEWCO" "$(db "SELECT holder FROM certs WHERE serial='$NEW'")"
t_eq "...and the company its recorded legal representative" "王新法" "$(db "SELECT legal_rep FROM companies WHERE uscc='$USCC'")"
