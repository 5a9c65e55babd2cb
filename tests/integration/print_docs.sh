#!/usr/bin/env bash
# tests/integration/print_docs.sh - every printed document, for every sample
# order (a very long CJK company name included), on both receipt papers and in
# both languages: pdftotext finds every field value (the receipt never shows
# the unmasked ID), pdffonts shows the fonts embedded, the page rendered to
# PNG decodes with zbarimg to the order number; and `kiosk print sample --out`.
. "$(dirname "$0")/../lib.sh"
R=${ROOT:-.}/build/san/itests/print_render

check_dir() { # DIR LABEL
  local dir=$1 label=$2 pdf base name txt missing v fonts qr
  for pdf in "$dir"/*.pdf; do
    base=${pdf%.pdf}; name="$label $(basename "$base")"
    # Text of the page with all white space removed: wrapped lines join up.
    txt=$(pdftotext -raw "$pdf" - | tr -d ' \n\t\f')
    missing=""
    while IFS= read -r v; do
      v=$(printf '%s' "$v" | tr -d ' \t')
      case $txt in *"$v"*) ;; *) missing="$missing [$v]";; esac
    done < "$base.values"
    if [ -z "$missing" ]; then t_ok "$name: every field value printed ($(wc -l < "$base.values") values)"
    else t_fail "$name: every field value printed" "missing:$missing"; fi
    while IFS= read -r v; do
      case $txt in *"$v"*) t_fail "$name: '$v' must not be printed";; *) t_ok "$name: unmasked ID not printed";; esac
    done < "$base.absent"
    fonts=$(pdffonts "$pdf" | tail -n +3)
    if [ -n "$fonts" ] && printf '%s\n' "$fonts" | grep -q WenQuanYi \
       && ! printf '%s\n' "$fonts" | awk '{ if ($(NF-4) != "yes") bad=1 } END { exit !bad }'; then
      t_ok "$name: fonts embedded (WenQuanYi Micro Hei)"
    else
      t_fail "$name: fonts embedded" "$fonts"
    fi
  done
  # QR codes: every kind of document, for the long-name sample (the most crowded page).
  for pdf in "$dir"/v1_*.pdf; do
    base=${pdf%.pdf}; name="$label $(basename "$base")"
    pdftoppm -r 150 -png -singlefile "$pdf" "$base"
    qr=$(zbarimg -q --raw "$base.png" 2>/dev/null | head -1)
    t_eq "$name: QR code decodes to the order number" "$(head -1 "$base.values")" "$qr"
  done
}

mkdir -p "$TEST_TMP/a5" "$TEST_TMP/roll" "$TEST_TMP/en"
if "$R" "$TEST_TMP/a5" a5; then t_ok "A5: all documents rendered, no text overflowed its box"
else t_fail "A5: all documents rendered, no text overflowed its box"; fi
check_dir "$TEST_TMP/a5" a5
if "$R" "$TEST_TMP/roll" 80mm; then t_ok "80mm: all documents rendered, no overflow"
else t_fail "80mm: all documents rendered, no overflow"; fi
check_dir "$TEST_TMP/roll" 80mm
if "$R" "$TEST_TMP/en" a5 en; then t_ok "English: all documents rendered, no overflow"
else t_fail "English: all documents rendered, no overflow"; fi
t_grep "English form has English labels" "Digital Certificate Application Form" <(pdftotext -raw "$TEST_TMP/en/v0_form.pdf" -)

# The roll receipt is 80 mm wide and as long as its content.
size=$(pdfinfo "$TEST_TMP/roll/v0_receipt.pdf" | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\).*/\1/p')
t_eq "80mm receipt is 80 mm wide (226.77 pt)" "226.77" "$(printf '%.2f' "$size")"

# The installer's test page through the real binary.
for doc in form seal receipt checklist; do
  t_check "kiosk print sample --doc $doc --out" "$KIOSK" print sample --doc "$doc" --out "$TEST_TMP/s_$doc.pdf"
  t_eq "sample $doc is a PDF" "%PDF" "$(head -c 4 "$TEST_TMP/s_$doc.pdf")"
done
out=$("$KIOSK" print sample --doc bogus --out "$TEST_TMP/x.pdf" 2>&1); rc=$?
t_eq "bad --doc is a usage error" 2 "$rc"
t_grep "bad --doc names the option" "--doc" <(printf '%s\n' "$out")

# papers as a counter speaking English prints them (issue 14): the official
# Chinese line, and under it the same line in English; a name or a number
# is not said twice
"$KIOSK" --lang en print sample --doc receipt --out "$TEST_TMP/bi.pdf" > /dev/null 2>&1
pdftotext -layout "$TEST_TMP/bi.pdf" - | tr -d ' ' > "$TEST_TMP/bi.txt"    # (pdftotext spaces some Latin letters apart)
for pair in "收据|Receipt" "订单号：|Orderno.:" "业务：证书新办|Newcertificate"; do
  t_grep "bilingual receipt: '${pair%%|*}'" "${pair%%|*}" "$TEST_TMP/bi.txt"
  t_grep "bilingual receipt: ...and '${pair#*|}'" "${pair#*|}" "$TEST_TMP/bi.txt"
done
t_eq "bilingual receipt: the hall's name once, not repeated" 1 "$(grep -c '天津市政府采购中心数字证书服务大厅' "$TEST_TMP/bi.txt")"
"$KIOSK" print sample --doc receipt --out "$TEST_TMP/zh.pdf" > /dev/null 2>&1
t_eq "the Chinese counter's receipt has no English line" 0 "$(pdftotext "$TEST_TMP/zh.pdf" - | grep -c 'Order no.')"
"$KIOSK" print sample --doc refund --out "$TEST_TMP/rf.pdf" > /dev/null 2>&1
pdftotext -layout "$TEST_TMP/rf.pdf" "$TEST_TMP/rf.txt"
for w in 退款凭证 "退款金额：200.00 元" "订单已取消：" 经办人签收; do t_grep "refund slip sample: '$w'" "$w" "$TEST_TMP/rf.txt"; done
