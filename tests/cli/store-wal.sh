#!/bin/sh
# Short-lived processes leave no write-ahead log behind: the last connection to the template
# store checkpoints it, so the log cannot grow from one delivery to the next.
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"
XDG_DATA_HOME=$(pwd)/data; export XDG_DATA_HOME
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
  printf 'From: sender%s@example.org\nSubject: Angebot %s\n\nGuten Tag, wir bieten Ihnen heute zum %s. Mal unsere Leistungen rund um Suchmaschinen, Anzeigen und Texte an, mit %s Referenzen.\n' \
    $i $i $i $i > msg
  score-outreach -p msg > out || fail=1
done
store=data/rittberger/templates.sqlite
test -f "$store" || fail_ "no store was written"
test -s "$store-wal" && { ls -l data/rittberger >&2; fail_ "a write-ahead log was left behind"; }
Exit $fail
