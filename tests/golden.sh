#!/bin/sh
# golden.sh: run one golden fixture: tests/golden/TOOL/NAME.{txt,eml,mbox} against NAME.out.
# Optional NAME.args (extra arguments, one shell word list), NAME.status (exit status, default 0
# or 1 as the .status file says; without it the status is not checked), NAME.err (stderr).
# REGEN=1 rewrites NAME.out (and NAME.status) from the current behaviour, for review as a diff.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later

fixture=$1
case $fixture in
  /*) ;;
  *) fixture=$(pwd)/$fixture ;;
esac
fixture_dir=$(dirname "$fixture")
name=$(basename "$fixture")
base=${name%.*}
tool=$(basename "$fixture_dir")

. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"

args=
test -f "$fixture_dir/$base.args" && args=$(cat "$fixture_dir/$base.args")

# Run from the fixture's directory so that the file name in the output is just NAME.txt.
(cd "$fixture_dir" && eval "exec $tool $args \"\$name\"") > out 2> err
status=$?

if test -n "$REGEN"; then
  cp out "$fixture_dir/$base.out"
  test -f "$fixture_dir/$base.status" && echo $status > "$fixture_dir/$base.status"
  Exit 0
fi

compare "$fixture_dir/$base.out" out || fail=1
if test -f "$fixture_dir/$base.status"; then
  echo $status > status
  compare "$fixture_dir/$base.status" status || fail=1
fi
if test -f "$fixture_dir/$base.err"; then
  compare "$fixture_dir/$base.err" err || fail=1
elif test $status -le 1 && test -s err; then
  cat err >&2
  echo "unexpected diagnostics on stderr" >&2
  fail=1
fi
Exit $fail
