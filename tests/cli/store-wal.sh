#!/bin/sh
# The template store keeps its write-ahead log between processes but bounds it: after hundreds
# of short-lived deliveries, one after another and several at once, the log stays below 1 MB
# (a connection that leaves more than 128 frames, 512 KB, checkpoints and empties it at close)
# and the store holds every message.  Left to SQLite's automatic checkpoint, such a log grew by
# about 40 KB a delivery without bound: 12 MB after 300.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"
driver=$abs_top_builddir/tests/store-driver
test -x "$driver" || skip_ "$driver not built"
XDG_DATA_HOME=$(pwd)/data; export XDG_DATA_HOME
store=data/rittberger/templates.sqlite
bound=1048576

# Deliver messages FIRST to LAST of writer WRITER, one process each.
deliver ()
{
  i=$2
  while test "$i" -le "$3"; do
    printf 'From: sender%s-%s@example.org\nSubject: Angebot %s\n\nGuten Tag, wir bieten Ihnen heute zum %s. Mal unsere Leistungen rund um Suchmaschinen, Anzeigen und Texte an, mit %s Referenzen aus %s Branchen und %s Jahren Erfahrung.\n' \
      $1 $i $i $i $i $1 $i > msg.$1
    score-outreach -p msg.$1 > out.$1 2>> err.$1 || return 1
    log_size=$(stat -c %s "$store-wal" 2>/dev/null || echo 0)
    test "$log_size" -le $bound \
      || { echo "after delivery $i of writer $1 the log is $log_size bytes" >> err.$1; return 1; }
    i=$((i + 1))
  done
}

# 320 deliveries one after another.
deliver 0 1 320 || { cat err.0 >&2; fail_ "a delivery failed or the log outgrew $bound bytes"; }
test -f "$store" || fail_ "no store was written"
test "$("$driver" "$store" count)" = 320 || fail_ "not all 320 messages were learned"

# Then 4 writers at once, 80 deliveries each.
pids=
for w in 1 2 3 4; do
  deliver $w 1 80 &
  pids="$pids $!"
done
for pid in $pids; do
  wait $pid || fail=1
done
cat err.1 err.2 err.3 err.4 >&2
test "$("$driver" "$store" count)" = 640 || fail_ "not all 640 messages were learned"
log_size=$(stat -c %s "$store-wal" 2>/dev/null || echo 0)
test "$log_size" -le $bound || fail_ "the write-ahead log grew to $log_size bytes"
Exit $fail
