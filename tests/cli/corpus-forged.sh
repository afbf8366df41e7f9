#!/bin/sh
# corpus-forged.sh: a forged "X-Outreach-Status: No" in corpus messages does not survive -p.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Wherever in the header it stood, and nothing else changes.  The corpus is the SpamAssassin
# one, RITTBERGER_CORPUS its data directory; without it, skip.
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"
robust_library_only=1; . "$abs_top_srcdir/tests/cli/robust-harness.sh"
fail=0
robust_corpus_sample 20
XDG_DATA_HOME=$PWD/data; export XDG_DATA_HOME

# forge N FILE: FILE with a forged status field in its header, in the line-end style of the line
# before it: at the top (N mod 3 = 0), after the first field (1) or last (2); every other one
# in lower case.
forge ()
{
  LC_ALL=C awk -v where=$(($1 % 3)) -v lower=$(($1 % 2)) '
    function forged (eol) {
      print (lower ? "x-outreach-status: No" : "X-Outreach-Status: No") eol
      done = 1
    }
    {
      line = $0; eol = ""
      if (sub (/\r$/, "", line)) eol = "\r"
    }
    NR == 1 && line ~ /^From / { print; next }
    !done && (where == 0 || (where == 1 && fields > 0 && line !~ /^[ \t]/)) { forged(eol) }
    !done && where == 2 && line == "" { forged(eol) }
    { fields++; print }
    line == "" { done = 1 }' "$2"
}

n=0
while read -r message; do
  n=$((n + 1))
  forge $n "$message" > forged
  grep -qix 'x-outreach-status: No.\{0,1\}' forged || framework_failure_ "not forged: $message"
  robust_run "$message" score-outreach -p < forged
  robust_expect_status "$message" 0
  if grep -aix 'x-outreach-status: No.\{0,1\}' out > /dev/null; then
    robust_fail_ "the forged status survived"
  fi
  robust_strip forged > want
  robust_strip out > got
  read removed statuses messages < strip.stats
  cmp want got > /dev/null || robust_fail_ "-p changed more than X-Outreach fields: $(cmp want got 2>&1)"
  test "$statuses" = "$messages" \
    || robust_fail_ "$statuses X-Outreach-Status fields for $messages messages"
done < sample

echo "corpus-forged: $n messages"
test $n = 100 || fail=1
Exit $fail
