#!/bin/sh
# robust-inputs.sh: every tool on hostile input: no crash, no hang, no lost message.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The input: empty, NUL bytes, random bytes, odd line ends, broken MIME, deep nesting, invalid
# UTF-8, a big mbox, directories, unreadable files, findings streams with garbage in them.
# Diagnostics must read "TOOL: FILE: reason".
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"
robust_library_only=1; . "$abs_top_srcdir/tests/cli/robust-harness.sh"
fail=0

# A store of our own: detect-template and score-outreach remember what they see.
XDG_DATA_HOME=$PWD/data; export XDG_DATA_HOME
robust_make_inputs

# Each input through each tool on stdin, in the machine format: the detectors' verdict records,
# score-outreach's lines and explain's headings count the messages, and none may be lost.
for spec in $robust_inputs; do
  f=${spec%%:*}; rest=${spec#*:}; messages=${rest%%:*}
  for tool in detect-duzen detect-bait-question detect-template; do
    robust_run "$f" $tool --format=tsv < "$f"
    robust_count "$f" "$messages" out '^V	(standard input)'
  done
  robust_run "$f" score-outreach < "$f"
  robust_count "$f" "$messages" out '^(standard input)'
  robust_run "$f" explain --width=72 < "$f"
  robust_count "$f" "$messages" out '^(standard input)\(:[0-9][0-9]*\)\{0,1\}$'
done
# Many of them at once as operands, in the formats for people and in JSON (without the big
# mbox and the deep nesting, whose cost the runs above have paid).
few=$(robust_input_files | grep -v -e tiny.mbox -e nested.eml)
head -n 120 tiny.mbox > small.mbox
few="$few small.mbox"
for tool in detect-duzen detect-bait-question detect-template; do
  robust_run operands $tool $few < /dev/null
  robust_run operands $tool --format=json --verdict $few < /dev/null
  robust_count operands 31 out '"verdict":"'
done
robust_run operands score-outreach --format=json $few < /dev/null
robust_count operands 31 out '"verdict":"'
robust_run operands explain --width=72 $few < /dev/null
robust_run operands explain --format=json $few < /dev/null
robust_count operands 31 out '^{"file":'

# stdin from /dev/null: nothing found, one verdict for the empty message
for tool in $robust_tools; do
  robust_run /dev/null $tool < /dev/null
  robust_expect_status /dev/null 1
done
robust_run /dev/null score-outreach < /dev/null
robust_count /dev/null 1 out '^(standard input)	CLEAN	'

# A directory that is no maildir is trouble, said the usual way, and costs no other input.
mkdir not-a-maildir not-a-maildir/sub || framework_failure_
echo 'Hast du Zeit?' > not-a-maildir/message
for tool in $robust_tools; do
  robust_run directory $tool not-a-maildir < /dev/null
  robust_expect_status directory "$(robust_trouble $tool)"
  echo "$tool: not-a-maildir: Is a directory" > exp
  compare exp err || fail=1
done

# An unreadable file; root reads it anyway, so there the check cannot be made.
echo 'Hast du Zeit?' > unreadable.txt
chmod 000 unreadable.txt || framework_failure_
if test -r unreadable.txt; then
  echo "robust-inputs: running as root, the unreadable-file check is skipped"
else
  for tool in $robust_tools; do
    robust_run unreadable $tool unreadable.txt < /dev/null
    robust_expect_status unreadable "$(robust_trouble $tool)"
    echo "$tool: unreadable.txt: Permission denied" > exp
    compare exp err || fail=1
  done
fi
chmod 644 unreadable.txt

# --files-from: trouble in the middle of the list loses none of the other messages.
printf 'empty.txt\0missing.txt\0not-a-maildir\0small.mbox\0bad-utf8.eml\0' > list
for tool in detect-duzen detect-bait-question detect-template; do
  robust_run files-from $tool -0 --files-from=list --verdict < /dev/null
  robust_expect_status files-from 2
  robust_count files-from 22 out '^'
done
robust_run files-from score-outreach -0 --files-from=list < /dev/null
robust_expect_status files-from 3
robust_count files-from 22 out '^'
robust_run files-from explain -0 --files-from=- --width=72 < list
robust_expect_status files-from 2
robust_count files-from 22 out '^\(empty.txt\|small.mbox:[0-9]*\|bad-utf8.eml\)$'

# Findings streams with garbage among good records: the good ones still count.
printf 'Hallo, hast du kurz Zeit?\n' > du.txt
detect-duzen --format=tsv du.txt > good.stream || framework_failure_
{
  echo '#rittberger-findings 1'
  printf 'garbage\n\n\t\t\t\nF\nF\tx\nV\tx\ty\tz\tnot-a-number\td\n'
  printf 'F\tdu.txt\t99999999999999999999:-1\tdetect-duzen\tDU_X\tDU\tstrong\t-\tnan\tm\n'
  printf 'F\tdu.txt\t1:1\tdetect-duzen\tDU_X\tDU\tstrong\t-\t1e308\t\\\n'
  printf '\000\377\376 NUL and invalid UTF-8\n\r\n#comment\n'
  sed 1d good.stream
  printf 'F\tunterminated'
} > garbage.stream
{ echo '#rittberger-findings 1'; cat random.bin; } > random.stream
{ echo '#rittberger-findings 1'; awk 'BEGIN { s = "F\t"; while (length (s) < 1048576) s = s s; print s }'; sed 1d good.stream; } \
  > long-line.stream
{ echo '#rittberger-findings 1'; cat nul.bin; } > nul.stream
printf '#rittberger-findings 1\n' > magic-only.stream
for stream in garbage.stream random.stream long-line.stream nul.stream magic-only.stream empty.txt; do
  robust_run "$stream" score-outreach --findings < $stream
  robust_run "$stream" explain --width=72 $stream < /dev/null
  robust_run "$stream" explain --format=json < $stream
done
# the good records of the garbage stream still make a verdict and an explanation
for stream in garbage.stream long-line.stream; do
  robust_run "$stream" score-outreach --findings < $stream
  robust_count "$stream" 1 out '^du.txt	[A-Z]*	[0-9.]*	.*DU_VERB'
  robust_run "$stream" explain --width=0 $stream < /dev/null
  robust_count "$stream" 1 out '^du.txt$'
done

echo "robust-inputs: $robust_runs runs"
Exit $fail
