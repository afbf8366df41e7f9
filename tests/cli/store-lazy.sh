#!/bin/sh
# A delivery whose message is too short to fingerprint never opens the template store: it
# creates no store, and with an existing one it creates, locks and removes no -wal or -shm
# file.  The first message that is fingerprinted opens (and creates) it as before, and a file
# that is not a store is still reported at once, short message or not.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"
XDG_DATA_HOME=$(pwd)/data; export XDG_DATA_HOME
printf 'From: anna@example.org\nSubject: Kurz\n\nDanke, passt!\n' > short
printf 'From: sender@example.org\nSubject: Angebot\n\nGuten Tag, wir bieten Ihnen heute zum ersten Mal unsere Leistungen rund um Suchmaschinen, Anzeigen und Texte an, mit vielen Referenzen.\n' > long
store=data/rittberger/templates.sqlite

# No store yet: a short message leaves none behind, in either tool.
score-outreach -p short > out 2> err || fail=1
detect-template short > out 2>> err
test -e "$store" && fail_ "a message too short to fingerprint created the store"
compare /dev/null err || fail=1

# The first fingerprinted message creates it, and leaves at most a small write-ahead log.
score-outreach -p long > out 2> err || fail=1
test -s "$store" || fail_ "a fingerprinted message did not create the store"
log_size=$(stat -c %s "$store-wal" 2>/dev/null || echo 0)
test "$log_size" -le 1048576 || fail_ "the write-ahead log outgrew its bound: $log_size bytes"
compare /dev/null err || fail=1

# With the store there, a short message changes nothing in its directory (creating and
# removing the -wal and -shm files would change the directory's time) nor the store.
sleep 0.01 2>/dev/null || sleep 1
before=$(stat -c '%y %s' data/rittberger "$store") || framework_failure_
score-outreach -p short > out 2> err || fail=1
detect-template short > out 2>> err
after=$(stat -c '%y %s' data/rittberger "$store") || framework_failure_
test "$before" = "$after" || fail_ "a message too short to fingerprint touched the store"
compare /dev/null err || fail=1

# Not a store: still a warning for every run, fingerprinted message or not.
printf 'garbage, not a database\n' > junk.sqlite
for msg in short long; do
  score-outreach -p --store=junk.sqlite $msg > out 2> err || fail=1
  grep 'warning: template store: junk.sqlite: .*file is not a database' err > /dev/null \
    || fail_ "no warning about a broken store with the $msg message"
done
Exit $fail
