#!/bin/sh
# robust-passthrough.sh: score-outreach -p adds X-Outreach-* fields to hostile input, no more.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Exactly the input plus X-Outreach-* header fields (one X-Outreach-Status per message), or
# exactly the input when it is no mail; forged X-Outreach fields are dropped.
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"
robust_library_only=1; . "$abs_top_srcdir/tests/cli/robust-harness.sh"
fail=0
XDG_DATA_HOME=$PWD/data; export XDG_DATA_HOME
robust_make_inputs
cr=$(printf '\r')

for spec in $robust_inputs; do
  f=${spec%%:*}; kind=${spec##*:}
  for mode in -p '-p --report'; do
    robust_run "$f $mode" score-outreach $mode < "$f"
    robust_expect_status "$f $mode" 0
    case $kind in
      text) cmp "$f" out > /dev/null || robust_fail_ "$f $mode: a text came out changed: $(cmp "$f" out 2>&1)" ;;
      mail) robust_passthrough "$f $mode" "$f" out ;;
      cr-mail) robust_passthrough "$f $mode" "$f" out "$cr" ;;
      # The fields go before an unterminated last header line: nothing but whole lines is added.
      open-mail) robust_passthrough "$f $mode" "$f" out '
' 0 ;;
    esac
  done
done
# every message of the mbox gets its verdict, in its own header
robust_run tiny.mbox score-outreach -p < tiny.mbox
test "$(grep -c '^X-Outreach-Status: ' out)" = 1000 || robust_fail_ "tiny.mbox: not 1000 verdicts"

# stdin from /dev/null, and operands: a file, a missing one, a directory
robust_run /dev/null score-outreach -p < /dev/null
robust_expect_status /dev/null 0
compare /dev/null out || fail=1
mkdir not-a-maildir || framework_failure_
for bad in missing.eml not-a-maildir; do
  robust_run "$bad" score-outreach -p $bad < /dev/null
  compare /dev/null out || fail=1
done

# Forged fields in every header, of every case, folded and not, in every line-end style: gone.
forge ()
{
  LC_ALL=C awk -v eol="$2" '
    BEGIN { head = 1 }
    { line = $0; sub (/\r$/, "", line) }
    head && line ~ /^From: / {
      print "X-Outreach-Status: No, score=-99.0 required=5.0 tests=FORGED_MARK" eol
      print $0
      print "x-outreach-report: FORGED_MARK" eol
      print "\t* -99.0 FORGED_MARK" eol
      print "    continued" eol
      print "X-OUTREACH-SCORE: -99.0 FORGED_MARK" eol
      next
    }
    head && line == "" { head = 0 }
    !head && line ~ /^From / { head = 1 }
    { print }' "$1"
}
forge crlf.eml "$cr" > forged-crlf.eml
forge bad-utf8.eml '' > forged-bad-utf8.eml
forge tiny.mbox '' > forged.mbox
forge b64.eml '' > forged-b64.eml
for f in forged-crlf.eml forged-bad-utf8.eml forged.mbox forged-b64.eml; do
  test "$(grep -c FORGED_MARK "$f")" -ge 4 && grep -q continued "$f" || framework_failure_
  robust_run "$f" score-outreach -p < "$f"
  robust_forged "$f" "$f" out
  robust_run "$f" score-outreach -p --report < "$f"
  robust_forged "$f --report" "$f" out
done

echo "robust-passthrough: $robust_runs runs"
Exit $fail
