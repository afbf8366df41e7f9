#!/bin/sh
# Every manual page passes mandoc -Tlint at warning level.
. "$abs_top_srcdir/gl/tests/init.sh"
test -n "$MANDOC" || skip_ "mandoc is not installed"
for page in "$abs_top_srcdir"/man/*.[157]; do
  "$MANDOC" -Tlint -Wwarning "$page" || { echo "lint: $page" >&2; fail=1; }
done
Exit $fail
