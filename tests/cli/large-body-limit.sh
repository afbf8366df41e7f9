#!/bin/sh
# Only the first 2 MiB of a body are analysed (MSG_ANALYSIS_MAX), so memory stays bounded;
# pass-through still writes every byte.
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"
{
  echo 'Hast du kurz Zeit?'
  awk 'BEGIN { for (i = 0; i < 40000; i++) print "Die Lieferung kommt am Montag mit der Spedition, wie besprochen." }'
  echo 'Kannst du mich morgen anrufen?'
} > big.txt || framework_failure_
test "$(wc -c < big.txt)" -gt 2200000 || framework_failure_
detect-duzen -c big.txt > out || fail=1
printf 'big.txt:1\n' > exp
compare exp out || fail=1
{ printf 'From: a@example.org\nSubject: x\n\n'; cat big.txt; } > big.eml
score-outreach --no-store -p big.eml > out || fail=1
grep -v '^X-Outreach-' out > stripped
cmp big.eml stripped || fail=1
Exit $fail
