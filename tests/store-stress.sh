#!/bin/sh
# store-stress.sh: 8 writer processes x 200 deliveries into one fingerprint store at once.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks that concurrent procmail-style deliveries never fail (WAL, BEGIN IMMEDIATE, 30 s busy
# timeout), that all 1,600 are stored, and that each is found again.  Needs tests/store-driver
# (built as a check program); set STORE_DRIVER to use another path.

driver=${STORE_DRIVER:-${abs_top_builddir:-.}/tests/store-driver}
writers=${WRITERS:-8}
per_writer=${PER_WRITER:-200}
test -x "$driver" || { echo "store-stress: $driver not built" >&2; exit 77; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/store-stress.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT
store=$dir/templates.sqlite

start=$(date +%s.%N)
pids=
w=1
while [ "$w" -le "$writers" ]; do
  "$driver" "$store" learn "$w" "$per_writer" 2>"$dir/err.$w" &
  pids="$pids $!"
  w=$((w + 1))
done
fail=0
for pid in $pids; do
  wait "$pid" || fail=1
done
end=$(date +%s.%N)
cat "$dir"/err.* >&2
if [ "$fail" -ne 0 ]; then
  echo "store-stress: a writer failed" >&2
  exit 1
fi

want=$((writers * per_writer))
got=$("$driver" "$store" count) || exit 1
if [ "$got" -ne "$want" ]; then
  echo "store-stress: $got messages stored, want $want" >&2
  exit 1
fi
w=1
while [ "$w" -le "$writers" ]; do
  "$driver" "$store" query "$w" "$per_writer" || { echo "store-stress: queries of writer $w failed" >&2; exit 1; }
  w=$((w + 1))
done
echo "store-stress: $want deliveries by $writers processes stored and found in" \
  "$(echo "$end - $start" | bc 2>/dev/null || echo '?') s"
exit 0
