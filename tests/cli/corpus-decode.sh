#!/bin/sh
# corpus-decode.sh: a fixed sample of 300 corpus messages decodes without trouble to valid UTF-8.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The corpus is the SpamAssassin one, RITTBERGER_CORPUS its data directory; without it, skip.
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tests"
robust_library_only=1; . "$abs_top_srcdir/tests/cli/robust-harness.sh"
fail=0
robust_corpus_sample 60
test "$(wc -l < sample)" = 300 || framework_failure_ "the sample is not 300 messages"

# One status line per message: FILE:INDEX, kind, body bytes, html, the UTF-8 check, warnings.
# Fifty files a process, so that one that dies does not take all the others with it.
xargs -d '\n' -n 50 timeout 120 msg-dump -c < sample > status 2> err
test $? = 0 || { echo "msg-dump -c failed on the sample"; fail=1; }
if test -s err; then
  echo "msg-dump -c said:"; head -n 20 err; fail=1
fi
# every file decoded as at least its first message, and every message as valid UTF-8
sed 's/$/:0	/' sample > want
LC_ALL=C grep -F -f want status | cut -f 1 | sort > got
test "$(wc -l < got)" = 300 || {
  echo "messages without a status line:"; sed 's/:0	$//' want | sort | comm -23 - got | head; fail=1
}
awk -F '\t' '$5 != "utf8"' status > bad
if test -s bad; then
  echo "messages not decoded to valid UTF-8:"; head -n 20 bad; fail=1
fi

# The decoded text itself, checked by iconv rather than by the code that made it.
xargs -d '\n' -n 50 timeout 120 msg-dump -s < sample > bodies 2> err
test $? = 0 && test ! -s err || { echo "msg-dump -s failed on the sample"; head err; fail=1; }
test "$(grep -c '^==> .*:0 <==$' bodies)" -ge 300 || { echo "bodies missing"; fail=1; }
if ! iconv -f UTF-8 -t UTF-8 bodies > /dev/null 2> iconv.err; then
  cat iconv.err
  while read -r f; do
    msg-dump "$f" | iconv -f UTF-8 -t UTF-8 > /dev/null 2>&1 || echo "not UTF-8: $f"
  done < sample | head -n 20
  fail=1
fi

echo "corpus-decode: $(wc -l < status) messages of $(wc -l < sample) files, $(wc -c < bodies) bytes decoded"
Exit $fail
