#!/bin/sh
# The committed fixture list (tests/golden.mk) names exactly the fixtures on disk.
. "$abs_top_srcdir/gl/tests/init.sh"
cp -R "$abs_top_srcdir/tests" . && chmod -R u+w tests || framework_failure_
tests/update-golden-list || fail=1
compare "$abs_top_srcdir/tests/golden.mk" tests/golden.mk || fail=1
Exit $fail
