#!/bin/sh
# explain's command line: messages and findings streams on stdin, languages, formats, wrapping,
# colour, the reply draft, exit statuses, bad options and streams, a full disk.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"
unset COLUMNS NO_COLOR

printf 'Hallo, hast du kurz Zeit? Bist du selbstständig?\n' > du.txt
printf 'Guten Tag Frau Berg,\n\nanbei die Rechnung vom 3. März.\n\nMit freundlichen Grüßen\n' > sie.txt

# a message on stdin: German sides in German, English ones by default (LC_ALL=C.UTF-8)
explain < du.txt > out; test $? = 0 || fail=1
grep -q '^(standard input)$' out || { cat out; fail=1; }
grep -q '^Beziehung (relationship)' out || { cat out; fail=1; }
grep -q '^  1:8 DU_VERB: ' out || { cat out; fail=1; }
explain --lang=de --label=dm.txt - < du.txt > out || fail=1
grep -q '^dm.txt$' out && grep -q '^Beziehung: ' out && grep -q '^Urteil: ' out \
  || { cat out; fail=1; }
# a locale name is as good as a language code, and the locale picks the default
explain --lang=de_AT.UTF-8 du.txt | grep -q '^Urteil: ' || fail=1
LC_ALL= LC_MESSAGES= LANGUAGE= LANG=de_DE.UTF-8 explain du.txt | grep -q '^Urteil: ' || fail=1
LC_ALL= LC_MESSAGES= LANGUAGE=en LANG=de_DE.UTF-8 explain du.txt | grep -q '^Verdict: ' || fail=1
LC_ALL=C LANGUAGE=de explain du.txt | grep -q '^Verdict: ' || fail=1

# the source line with the match marked under it
explain --width=80 du.txt > out
grep -q '^      Hallo, hast du kurz Zeit? Bist du selbstständig?$' out || { cat out; fail=1; }
grep -q '^             \^~~~~~~$' out || { cat out; fail=1; }

# exit status: 0 something to object to, 1 nothing
explain -q du.txt; test $? = 0 || fail=1
explain -q sie.txt; test $? = 1 || fail=1
explain sie.txt > out; test $? = 1 || fail=1
grep -q '^Why there is nothing to object to$' out || { cat out; fail=1; }
explain -q sie.txt du.txt; test $? = 0 || fail=1

# a findings stream from a detector, on stdin and as a file
detect-duzen --format=tsv du.txt > stream || fail=1
explain --width=0 < stream > out; test $? = 0 || fail=1
grep -q '^du.txt$' out || { cat out; fail=1; }
grep -q 'from a findings stream' out || { cat out; fail=1; }
grep -q '“hast du”' out || { cat out; fail=1; }
explain --width=0 stream > out2 || fail=1
compare out out2 || fail=1
# score-outreach's verdict record is the verdict shown
score-outreach --format=tsv --threshold=1 du.txt | explain > out || fail=1
grep -q '^Verdict: outreach' out || { cat out; fail=1; }

# a malformed line is trouble, the rest is still explained; a newer stream version is refused
{ cat stream; printf 'F\tbroken\n'; } | explain > out 2> err; test $? = 2 || fail=1
grep -q "(standard input):$(($(wc -l < stream) + 1)): malformed findings line" err \
  || { cat err; fail=1; }
grep -q '^du.txt$' out || fail=1
printf '#rittberger-findings 2\n' | explain > out 2> err; test $? = 2 || fail=1
grep -q 'unsupported findings stream version' err || fail=1

# formats: markdown headings, one JSON object per message
explain --format=markdown du.txt > out || fail=1
grep -q '^## du\.txt$' out && grep -q '^#### Beziehung' out || { cat out; fail=1; }
explain --format=json du.txt sie.txt > out
test "$(wc -l < out)" = 2 || { cat out; fail=1; }
head -n 1 out | grep -q '^{"file":"du.txt",.*"side":"beziehung"' || { cat out; fail=1; }
if command -v python3 > /dev/null; then
  python3 -c 'import json,sys
for line in open(sys.argv[1]): json.loads(line)' out || fail=1
fi

# wrapping counts display columns, not bytes; 0 turns it off
explain --width=40 du.txt > out || fail=1
# (wc -L counts display columns in a UTF-8 locale; mawk's length counts bytes)
test "$(wc -L < out)" -le 40 || { cat out; fail=1; }
explain --width=0 du.txt > out || fail=1
grep -q 'they assume a familiarity you never offered, and decide without asking' out || fail=1
COLUMNS=50 explain du.txt > out || fail=1
test "$(wc -L < out)" -le 50 || { cat out; fail=1; }
test "$(wc -L < out)" -ge 45 || { cat out; fail=1; }

# colour only when asked for in a pipe (also under NO_COLOR: the option wins)
explain du.txt | grep -q "$(printf '\033')" && fail=1
explain --color=always du.txt | grep -q "$(printf '\033\\[1;31m')" || fail=1
NO_COLOR=1 explain --color=always du.txt | grep -q "$(printf '\033\\[1;31m')" || fail=1
explain --color=never du.txt | grep -q "$(printf '\033')" && fail=1
# on a terminal: colour, or under NO_COLOR emphasis only; TERM=dumb gets neither
if script -qec true /dev/null > /dev/null 2>&1; then
  TERM=xterm script -qec 'explain du.txt' /dev/null > out 2>&1
  grep -q "$(printf '\033\\[1;31m')" out || { cat -v out; fail=1; }
  NO_COLOR=1 TERM=xterm script -qec 'explain du.txt' /dev/null > out 2>&1
  grep -q "$(printf '\033\\[1;31m')" out && { cat -v out; fail=1; }
  grep -q "$(printf '\033\\[1m')" out || { cat -v out; fail=1; }
  TERM=dumb script -qec 'explain du.txt' /dev/null > out 2>&1
  grep -q "$(printf '\033')" out && { cat -v out; fail=1; }
fi

# the reply: the message's language, Sie by default, du if the profile says so; none if clean
explain --reply du.txt > out || fail=1
grep -q 'vielen Dank für Ihre Nachricht' out || { cat out; fail=1; }
printf 'address-form du\n' > du.conf
printf 'Hi, are you the business owner? Do you have capacity for new projects?\n' > en.txt
explain --reply en.txt > out || fail=1
grep -q 'Thank you for your message' out || { cat out; fail=1; }
explain --reply --config=du.conf du.txt > out
grep -q 'danke für deine Nachricht' out || { cat out; fail=1; }
explain --reply sie.txt > out
grep -q 'No reply drafted' out || fail=1

# a known correspondent's du is allowed and not held against them
printf 'From: Anna <anna@example.org>\n\nHast du morgen Zeit?\n' > friend.eml
printf 'anna@example.org\n' > known
explain --known=known friend.eml > out; test $? = 1 || { cat out; fail=1; }
grep -q 'allowed, not counted' out || { cat out; fail=1; }

# misuse and trouble
explain --lang=fr du.txt 2> err; test $? = 2 || fail=1
grep -q "Try 'explain --help'" err || fail=1
explain --format=tsv du.txt 2> err; test $? = 2 || fail=1
explain --width=wide du.txt 2> err; test $? = 2 || fail=1
explain --color=sometimes du.txt 2> err; test $? = 2 || fail=1
explain du.txt missing.txt > out 2> err; test $? = 2 || fail=1
printf 'explain: missing.txt: No such file or directory\n' > exp; compare exp err || fail=1
explain -q du.txt missing.txt 2> err; test $? = 0 || fail=1
if test -w /dev/full; then
  explain du.txt > /dev/full 2> err; test $? = 2 || fail=1
  grep -q 'write error' err || fail=1
fi

# odd input: empty, NUL bytes, invalid UTF-8, escape sequences never reach the terminal
explain < /dev/null > out; test $? = 1 || fail=1
printf 'Hast\0du \377\376 Zeit? \033[31m kannst du\n' > odd.txt
explain odd.txt > out; test $? -le 1 || fail=1
grep -q "$(printf '\033')" out && fail=1
Exit $fail
