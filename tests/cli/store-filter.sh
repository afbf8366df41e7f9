#!/bin/sh
# A batch run's lookups ask an in-memory filter of the stored band keys before SQL, and the
# filter grows: 8,000 distinct messages (168,000 band keys, more than the smallest filter's
# 131,072) are learnt in batches into a new store, and after each one the message before it
# (waiting for its batch's commit, or the first of a batch, written at once) and the one half-way
# back (committed in an earlier batch) are looked up and must be found, before and after the
# filter is rebuilt larger.  A second process then finds all of them through a filter built
# from the whole store.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$abs_top_srcdir/gl/tests/init.sh"
driver=$abs_top_builddir/tests/store-driver
test -x "$driver" || skip_ "$driver not built"
"$driver" store.sqlite recall 1 8000 || fail=1
test "$("$driver" store.sqlite count)" = 8000 || fail_ "not all 8000 messages were learned"
"$driver" store.sqlite recall 1 3000 || fail=1
test "$("$driver" store.sqlite count)" = 11000 || fail_ "not all 11000 messages were learned"

# Three batch runs at once into one store: each commits between the others' batches (so each
# sees the others' commits and drops its filter), none loses a message or fails a lookup.
pids=
for w in 2 3 4; do
  "$driver" shared.sqlite recall $w 1000 &
  pids="$pids $!"
done
for pid in $pids; do
  wait $pid || fail=1
done
test "$("$driver" shared.sqlite count)" = 3000 || fail_ "not all 3000 messages were learned"
for w in 2 3 4; do
  "$driver" shared.sqlite query $w 1000 || fail=1
done
Exit $fail
