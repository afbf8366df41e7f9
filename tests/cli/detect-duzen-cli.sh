#!/bin/sh
# detect-duzen's command line: stdin, labels, exit statuses, -q/-l/-c, --files-from with -0,
# missing files, bad options, a full disk, and the findings stream.
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"

printf 'Hast du kurz Zeit?\n' > du.txt
printf 'Haben Sie kurz Zeit?\n' > sie.txt

# stdin, with and without a label
detect-duzen < du.txt > out; test $? = 0 || fail=1
grep -q '^(standard input):1:1: DU_' out || { cat out; fail=1; }
detect-duzen --label=dm.txt - < du.txt > out || fail=1
grep -q '^dm.txt:1:1: DU_' out || { cat out; fail=1; }

# exit status: 0 found, 1 not found
detect-duzen -q sie.txt; test $? = 1 || fail=1
detect-duzen -q du.txt; test $? = 0 || fail=1

# -l prints only names with an unasked T-form; -c counts per input
detect-duzen -l du.txt sie.txt > out || fail=1
printf 'du.txt\n' > exp; compare exp out || fail=1
printf 'Guten Tag, kurze Info zum Termin.\n' > none.txt
detect-duzen -c none.txt du.txt > out
printf 'none.txt:0\ndu.txt:1\n' > exp; compare exp out || fail=1

# --files-from with NUL separators
printf 'du.txt\0sie.txt\0' > list
detect-duzen -0 --files-from=list --verdict > out || fail=1
grep -q '^du.txt	DU	' out && grep -q '^sie.txt	SIE_FORMAL	' out || { cat out; fail=1; }

# trouble: a missing file is "TOOL: FILE: reason", status 2, and wins over a finding ...
detect-duzen du.txt missing.txt > out 2> err; test $? = 2 || fail=1
printf 'detect-duzen: missing.txt: No such file or directory\n' > exp; compare exp err || fail=1
# ... except with -q
detect-duzen -q du.txt missing.txt 2> err; test $? = 0 || fail=1

# misuse
detect-duzen --no-such-option 2> err; test $? = 2 || fail=1
grep -q "Try 'detect-duzen --help'" err || fail=1
detect-duzen --format=xml du.txt 2> err; test $? = 2 || fail=1

# writing to a full disk fails loudly
if test -w /dev/full; then
  detect-duzen du.txt > /dev/full 2> err; test $? = 2 || fail=1
  grep -q 'write error' err || fail=1
fi

# the findings stream starts with its magic line and ends each message with a verdict record
detect-duzen --format=tsv du.txt > out || fail=1
head -n 1 out | grep -qx '#rittberger-findings 1' || fail=1
tail -n 1 out | grep -q '^V	du.txt	detect-duzen	DU	' || { cat out; fail=1; }

# a known correspondent's du is allowed: exit 1, marked in the output
printf 'From: Anna <anna@example.org>\nSubject: Re: Treffen\n\nHast du morgen Zeit?\n' > friend.eml
printf 'anna@example.org\n' > known
detect-duzen --known=known friend.eml > out; test $? = 1 || fail=1
grep -q '(allowed)' out || { cat out; fail=1; }
detect-duzen --verdict --known=known friend.eml > out
grep -q 'allowed=known-correspondent' out || { cat out; fail=1; }

# empty input is no trouble
detect-duzen < /dev/null > out; test $? = 1 || fail=1
compare /dev/null out || fail=1
Exit $fail
