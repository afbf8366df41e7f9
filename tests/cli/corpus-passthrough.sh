#!/bin/sh
# corpus-passthrough.sh: bench/passthrough-check on a fixed sample of 200 corpus messages.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# score-outreach -p changes nothing but its own X-Outreach-* fields, forged ones included.
# The corpus is the SpamAssassin one, RITTBERGER_CORPUS its data directory; without it, skip.
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"
fail=0
test -n "${RITTBERGER_CORPUS-}" \
  || skip_ "RITTBERGER_CORPUS is not set (the SpamAssassin corpus's data directory)"
test -d "$RITTBERGER_CORPUS" || skip_ "RITTBERGER_CORPUS=$RITTBERGER_CORPUS is no directory"
command -v perl > /dev/null || skip_ "no perl for bench/passthrough-check"
XDG_DATA_HOME=$PWD/data; export XDG_DATA_HOME

# passthrough-check finds the corpus as $CORPUS/spam-assassin/data, wherever the data lives.
mkdir -p corpus/spam-assassin && ln -s "$RITTBERGER_CORPUS" corpus/spam-assassin/data \
  || framework_failure_
CORPUS=$PWD/corpus SCORE_OUTREACH=$abs_top_builddir/tools/score-outreach \
  perl "$abs_top_srcdir/bench/passthrough-check" --sample 200 > out 2> err
status=$?
cat out err
test $status = 0 || fail=1
grep -qx '200 identical, 0 differ' out || fail=1
Exit $fail
