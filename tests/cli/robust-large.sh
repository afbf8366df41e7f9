#!/bin/sh
# robust-large.sh: every tool on a 1 MB line and a 20 MB text, made here and never kept.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# No crash, no hang, one verdict each; score-outreach -p gives the text back unchanged.
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"
robust_library_only=1; . "$abs_top_srcdir/tests/cli/robust-harness.sh"
fail=0
XDG_DATA_HOME=$PWD/data; export XDG_DATA_HOME

# All five tools on FILE, in a directory of its own so that two files can run side by side
# (under AddressSanitizer the 20 MB file alone takes seconds a tool); exits with the verdict.
check_file ()
{
  mkdir "run-$1" && cd "run-$1" && ln -s "../$1" "$1" || framework_failure_
  for tool in detect-duzen detect-bait-question detect-template; do
    robust_run "$1" $tool --verdict "$1" < /dev/null
    robust_count "$1" 1 out "^$1	"
  done
  robust_run "$1" explain --width=72 "$1" < /dev/null
  robust_count "$1" 1 out "^$1\$"
  # -p does the whole analysis too, and must hand the text back byte for byte
  robust_run "$1" score-outreach -p < "$1"
  robust_expect_status "$1" 0
  cmp "$1" out > /dev/null || robust_fail_ "$1: -p changed the text: $(cmp "$1" out 2>&1)"
  echo "$1: $robust_runs runs"
  Exit $fail
}

# One line of 1 MiB, findings all along it, and no line end at the end.
awk 'BEGIN { s = "Guten Tag, hast du kurz Zeit? Wir haben ein Angebot zur Rechnung fuer Sie. "
             while (length (s) < 1048576) s = s s
             printf "%s", substr (s, 1, 1048576) }' > line.txt
(check_file line.txt; ) &
line_pid=$!

# 20 MiB in lines of 1000 bytes.  Long words keep it fast enough under AddressSanitizer: the
# test is about size (buffers, offsets, line counts), not about the cost of many short words.
awk 'BEGIN { s = "Zwanzigmegabytelangertextohnebefundeabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl "
             while (length (s) < 1000) s = s s
             s = substr (s, 1, 999)
             for (n = 0; n < 20972; n++) print s }' | head -c 20971520 > big.txt
test "$(robust_size line.txt)" = 1048576 && test "$(robust_size big.txt)" = 20971520 \
  || framework_failure_
(check_file big.txt; ) || fail=1
wait $line_pid || fail=1

# the findings along the line come out as lines of their own
robust_run line.txt detect-duzen line.txt < /dev/null
test "$(grep -c '^line.txt:1:[0-9]*: DU_[A-Z_]*: ' out)" -gt 10000 \
  || robust_fail_ "line.txt: too few findings along the line"

Exit $fail
