#!/bin/sh
# A batch run (store_set_batch) creates no temporary file (its deliveries were once savepoints
# whose journals spilled to one per delivery once the store held a few hundred messages; now
# they wait in memory and are written at the commit), and it still learns every message and
# finds each again.
. "$abs_top_srcdir/gl/tests/init.sh"
driver=$abs_top_builddir/tests/store-driver
test -x "$driver" || skip_ "$driver not built"
mkdir tmp || framework_failure_
# SQLite puts its temporary files here; creating and removing one changes the directory's time.
SQLITE_TMPDIR=$(pwd)/tmp; export SQLITE_TMPDIR
before=$(stat -c %y tmp) || framework_failure_
"$driver" store.sqlite batch 1 800 || fail=1
after=$(stat -c %y tmp) || framework_failure_
test "$before" = "$after" || fail_ "the batch created temporary files in $SQLITE_TMPDIR"
test "$("$driver" store.sqlite count)" = 800 || fail_ "not all 800 messages were learned"
"$driver" store.sqlite query 1 800 || fail=1
# The batch committed everything and the last connection removed the write-ahead log.
test -s store.sqlite-wal && fail_ "a write-ahead log was left behind"
Exit $fail
