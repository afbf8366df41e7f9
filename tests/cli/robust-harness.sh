#!/bin/sh
# robust-harness.sh: helpers that run a tool on hostile input and check it; run alone, a self-test.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# They check that a tool neither crashes, hangs, loses a message nor answers out of form.
# A robust-*.sh test sets robust_library_only=1 and sources this file after gnulib's init.sh.
# The helpers set fail=1 and say why on stderr; they never exit, so one test reports every
# problem it finds, not just the first.

robust_tools='detect-duzen detect-bait-question detect-template score-outreach explain'
# Seconds before a run counts as a hang; the self-test lowers it.
robust_timeout=${robust_timeout-30}
robust_runs=0

# The exit status that means trouble for TOOL; no input may make it exit above that.
robust_trouble ()
{
  case $1 in
    score-outreach) echo 3 ;;
    *) echo 2 ;;
  esac
}

robust_fail_ ()
{
  echo "$robust_name: $robust_tool: $*" >&2
  fail=1
}

# robust_run NAME TOOL [ARG]...: run TOOL with the caller's stdin, stdout to ./out and stderr to
# ./err, and flag a timeout, a death by signal, an exit status above TOOL's trouble status, and
# any stderr line that is not a diagnostic "TOOL: FILE: reason" (a sanitizer report is not).
# The exit status is left in $status.
robust_run ()
{
  robust_name=$1; shift
  robust_tool=$1
  robust_runs=$((robust_runs + 1))
  timeout -k 5 "$robust_timeout" "$@" > out 2> err
  status=$?
  if test $status = 124; then
    robust_fail_ "timeout $robust_timeout fired: $*"
  elif test $status -ge 128; then
    robust_fail_ "killed by signal $((status - 128)) (9 also after a timeout): $*"
  elif test $status -gt "$(robust_trouble "$robust_tool")"; then
    robust_fail_ "exit status $status is above the trouble status: $*"
  fi
  if LC_ALL=C grep -av "^$robust_tool: [^ ].*: [^ ]" err > err.bad; then
    robust_fail_ "diagnostics not of the form '$robust_tool: FILE: reason':"
    head -n 20 err.bad | cut -c 1-300 >&2
  fi
  return 0
}

# robust_expect_status NAME WANTED: flag the last run unless it exited with status WANTED.
robust_expect_status ()
{
  test "$status" = "$2" || robust_fail_ "$1: exit status $status, not $2"
}

# robust_count NAME WANTED FILE REGEX: flag unless FILE has WANTED lines matching REGEX, the way
# to tell that no message was lost (every tool has one verdict line or heading per message).
robust_count ()
{
  robust_got=$(LC_ALL=C grep -ac -- "$4" "$3")
  test "$robust_got" = "$2" || robust_fail_ "$1: $robust_got lines match '$4', not $2"
}

# robust_strip FILE [RS]: print FILE without the X-Outreach-* fields (with their continuation
# lines) of each header block (each message's, in an mbox), records separated by RS (default
# newline; a lone CR for old Mac line ends).  Writes "REMOVED-BYTES STATUS-FIELDS MESSAGES" to
# ./strip.stats, where a message is an mbox message or, outside an mbox, the whole file.
robust_strip ()
{
  LC_ALL=C awk -v RS="${2-
}" -v ORS="${2-
}" -v stats=strip.stats '
    BEGIN { head = 1; skip = 0; removed = 0; statuses = 0; messages = 1; mbox = 0; blank = 1
            from_line = 0 }
    {
      line = $0
      sub (/\r$/, "", line)
      # As in lib/msg.c, a "From " line after an empty line starts a message only if a header
      # field follows it; else it is body text.
      if (from_line && line ~ /^[!-9;-~]+:/)
        {
          head = 1
          messages++
        }
      from_line = 0
      if (NR == 1 && line ~ /^From /)
        mbox = 1
      else if (mbox && !head && blank && line ~ /^From /)
        from_line = 1
      blank = line == ""
      if (head)
        {
          if (skip && line ~ /^[ \t]/)
            {
              removed += length ($0) + 1
              next
            }
          skip = 0
          if (line == "")
            head = 0
          else if (tolower (line) ~ /^x-outreach-/)
            {
              if (tolower (line) ~ /^x-outreach-status:/)
                statuses++
              removed += length ($0) + 1
              skip = 1
              next
            }
        }
      print
    }
    END { printf "%d %d %d\n", removed, statuses, messages > stats }' "$1"
}

robust_size () { wc -c < "$1" | tr -d ' '; }

# robust_passthrough NAME IN OUT [RS [EXTRA]]: flag unless OUT is IN plus X-Outreach-* header
# fields and nothing else, with exactly one X-Outreach-Status field per message.  EXTRA bytes
# more are allowed only for the line end the annotator must add to end an unterminated header.
robust_passthrough ()
{
  robust_strip "$2" "${4-
}" > pt.in || framework_failure_
  read pt_in_removed pt_in_statuses pt_messages < strip.stats
  robust_strip "$3" "${4-
}" > pt.out || framework_failure_
  read pt_removed pt_statuses pt_out_messages < strip.stats
  test "$pt_in_removed" = 0 \
    || { robust_fail_ "$1: the input already has X-Outreach fields (use robust_forged)"; return 0; }
  cmp pt.in pt.out > /dev/null \
    || robust_fail_ "$1: -p changed more than X-Outreach fields: $(cmp pt.in pt.out 2>&1)"
  pt_want=$(($(robust_size "$2") + pt_removed + ${5-0}))
  test "$(robust_size "$3")" = "$pt_want" \
    || robust_fail_ "$1: -p wrote $(robust_size "$3") bytes, not input + fields = $pt_want"
  test "$pt_statuses" = "$pt_messages" \
    || robust_fail_ "$1: $pt_statuses X-Outreach-Status fields for $pt_messages messages"
}

# robust_forged NAME IN OUT: IN has forged X-Outreach fields: flag unless OUT, without its
# X-Outreach fields, is IN without them, and OUT has one X-Outreach-Status per message and none
# of the forged values (marked FORGED_MARK).
robust_forged ()
{
  robust_strip "$2" > pt.in || framework_failure_
  robust_strip "$3" > pt.out || framework_failure_
  read pt_removed pt_statuses pt_messages < strip.stats
  cmp pt.in pt.out > /dev/null \
    || robust_fail_ "$1: -p changed more than X-Outreach fields: $(cmp pt.in pt.out 2>&1)"
  test "$pt_statuses" = "$pt_messages" \
    || robust_fail_ "$1: $pt_statuses X-Outreach-Status fields for $pt_messages messages"
  if grep -a FORGED_MARK "$3" > /dev/null; then
    robust_fail_ "$1: a forged field survived:"
    grep -a FORGED_MARK "$3" | head -n 5 >&2
  fi
}

# robust_make_inputs: write the small hostile inputs into the current directory.
robust_make_inputs ()
{
  : > empty.txt
  head -c 65536 /dev/zero > nul.bin
  # Random bytes from awk's generator with a fixed seed: the same file on every run of one awk.
  LC_ALL=C awk 'BEGIN { srand (20260101); for (i = 0; i < 65536; i++) printf "%c", int (rand () * 256) }' \
    > random.bin
  printf 'From: Max <max@example.com>\r\nSubject: Kurze Frage\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo, hast du kurz Zeit?\r\nBist du selbstst\303\244ndig?\r\n' \
    > crlf.eml
  printf 'Hallo,\rhast du kurz Zeit?\rBist du selbstst\303\244ndig?\r' > cr.txt
  printf 'From: Max <max@example.com>\rSubject: Frage\r\rHast du Zeit?\r' > cr.eml
  # base64 that stops in the middle of a quantum, after a line with no padding
  printf 'From: a@example.com\nSubject: b64\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nSGFsbG8sIGhhc3QgZHUga3VyeiBaZWl0Pw\nSGFsbG8sIGh' \
    > b64.eml
  printf 'From: a@example.com\nSubject: mp\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="XYZ"\n\npreamble\n--XYZ\nContent-Type: text/plain; charset=utf-8\n\nHast du kurz Zeit?\n--XYZ\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n<p>Hast du <b>kurz=' \
    > open-multipart.eml
  awk 'BEGIN {
    print "From: a@example.com"; print "Subject: nested"; print "MIME-Version: 1.0"
    for (i = 0; i < 10000; i++)
      printf "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i
    print "Content-Type: text/plain; charset=utf-8"; print ""; print "Hast du kurz Zeit?"
    for (i = 9999; i >= 0; i--)
      printf "--b%d--\n", i
  }' > nested.eml
  printf 'From: a@example.com\nSubject: nur Kopf\nTo: b@example.org' > header-only.eml
  printf 'From: \377\376 <a@example.com>\nSubject: caf\351 \300\257 =?utf-8?B?/w==?= =?unknown?Q?=FF?= =?utf-8?Q?=E2=82?=\nContent-Type: text/plain; charset=utf-8\n\nHast du \355\240\200 Zeit \370\210\200\200\200 \303\n' \
    > bad-utf8.eml
  printf 'Hast du \355\240\200 Zeit? \370\210\200\200\200 Bist du \300\257 selbstst\344ndig? \303' > bad-utf8.txt
  awk 'BEGIN {
    for (i = 1; i <= 1000; i++)
      printf "From a@example.com Thu Jan  1 00:00:00 2026\nFrom: a%d@example.com\nSubject: n%d\n\nHast du Zeit? %d\n\n", i, i, i
  }' > tiny.mbox
}
# The inputs above as NAME:MESSAGES:KIND, KIND being text (pass-through copies it byte for
# byte), mail, cr-mail (lone CR line ends) or open-mail (a header without a line end at the end).
robust_inputs='empty.txt:1:text nul.bin:1:text random.bin:1:text crlf.eml:1:mail cr.txt:1:text
cr.eml:1:cr-mail b64.eml:1:mail open-multipart.eml:1:mail nested.eml:1:mail
header-only.eml:1:open-mail bad-utf8.eml:1:mail bad-utf8.txt:1:text tiny.mbox:1000:mail'

# The file names of robust_inputs.
robust_input_files ()
{
  for robust_spec in $robust_inputs; do
    echo "${robust_spec%%:*}"
  done
}

# The folders of the SpamAssassin corpus that the corpus-*.sh tests read.
robust_corpus_folders='easy-ham-1 easy-ham-2 hard-ham-1 spam-1 spam-2'

# robust_corpus_sample PER_FOLDER: skip the test unless $RITTBERGER_CORPUS is the corpus's data
# directory; else write to ./sample the paths of PER_FOLDER messages of each folder, spread
# evenly over its sorted list: the same messages on every run, the hard ones not outnumbered.
robust_corpus_sample ()
{
  test -n "${RITTBERGER_CORPUS-}" \
    || skip_ "RITTBERGER_CORPUS is not set (the SpamAssassin corpus's data directory)"
  test -d "$RITTBERGER_CORPUS" || skip_ "RITTBERGER_CORPUS=$RITTBERGER_CORPUS is no directory"
  : > sample
  for robust_folder in $robust_corpus_folders; do
    test -d "$RITTBERGER_CORPUS/$robust_folder" \
      || framework_failure_ "no $robust_folder in RITTBERGER_CORPUS=$RITTBERGER_CORPUS"
    find "$RITTBERGER_CORPUS/$robust_folder/" -type f -name '*.txt' | LC_ALL=C sort > sample.all
    LC_ALL=C awk -v k="$1" '{ path[NR] = $0 }
      END { if (NR < k) k = NR; for (i = 0; i < k; i++) print path[int (i * NR / k) + 1] }' \
      sample.all >> sample || framework_failure_
  done
  test -s sample || framework_failure_ "no messages in RITTBERGER_CORPUS=$RITTBERGER_CORPUS"
}

test "${robust_library_only-}" = 1 && return 0

# ---- run alone: check that the helpers catch what they are there to catch ----
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ .
robust_library_only=1

# Stand-ins for a tool that crashes, hangs, exits too high, lets a sanitizer speak, or behaves.
mkdir bin || framework_failure_
printf '#!/bin/sh\nkill -SEGV $$\n' > bin/crash
printf '#!/bin/sh\nexec sleep 20\n' > bin/hang
printf '#!/bin/sh\nexit 5\n' > bin/too-high
printf '#!/bin/sh\necho "==42==ERROR: AddressSanitizer: heap-buffer-overflow" >&2\nexit 1\n' > bin/asan
printf '#!/bin/sh\necho "oops" >&2\nexit 2\n' > bin/bare
printf '#!/bin/sh\necho "good: x.txt: No such file or directory" >&2\nexit 2\n' > bin/good
chmod +x bin/* || framework_failure_
PATH=$PWD/bin:$PATH

fail=0
robust_timeout=1
for bad in crash hang too-high asan bare; do
  fail=0
  robust_run self-test $bad < /dev/null 2> self.err
  test $fail = 1 || { echo "robust_run did not catch '$bad'" >&2; self_fail=1; }
done
fail=0
robust_run self-test good < /dev/null 2> self.err
test $fail = 0 || { cat self.err; echo "robust_run flagged a good run" >&2; self_fail=1; }
robust_expect_status self-test 2 2> self.err
test $fail = 0 || { echo "robust_expect_status flagged the right status" >&2; self_fail=1; }
robust_expect_status self-test 1 2> self.err
test $fail = 1 || { echo "robust_expect_status missed a wrong status" >&2; self_fail=1; }

# robust_count
fail=0
printf 'a\tCLEAN\nb\tCLEAN\n' > two
robust_count self-test 2 two CLEAN 2> self.err
test $fail = 0 || { echo "robust_count miscounted" >&2; self_fail=1; }
robust_count self-test 3 two CLEAN 2> self.err
test $fail = 1 || { echo "robust_count missed a lost message" >&2; self_fail=1; }

# robust_passthrough: a right annotation of a two-message mbox passes; each wrong one is caught.
printf 'From a Thu Jan  1 00:00:00 2026\nFrom: a\nSubject: s\n\nbody\n\nFrom b Thu Jan  1 00:00:00 2026\nFrom: b\n\nbody 2\n' > in.mbox
printf 'From a Thu Jan  1 00:00:00 2026\nFrom: a\nSubject: s\nX-Outreach-Status: No, score=0.0\n\tcontinued\nX-Outreach-Score: 0.0\n\nbody\n\nFrom b Thu Jan  1 00:00:00 2026\nFrom: b\nx-outreach-status: No\n\nbody 2\n' > right
sed 's/body 2/body 3/' right > changed
sed '/^x-outreach-status/d' right > lost
sed 's/^X-Outreach-Score: 0.0$/X-Spam: 0.0/' right > other-field
head -c -1 right > no-newline
fail=0
robust_passthrough self-test in.mbox right 2> self.err
test $fail = 0 || { cat self.err; echo "robust_passthrough flagged a right annotation" >&2; self_fail=1; }
for wrong in changed lost other-field no-newline; do
  fail=0
  robust_passthrough self-test in.mbox $wrong 2> self.err
  test $fail = 1 || { echo "robust_passthrough missed '$wrong'" >&2; self_fail=1; }
done
# a "From " line in a body, followed by text, starts no message
printf 'From a Thu Jan  1 00:00:00 2026\nFrom: a\n\nbody\n\nFrom here on, text\nno header\n' > body-from.mbox
printf 'From a Thu Jan  1 00:00:00 2026\nFrom: a\nX-Outreach-Status: No\n\nbody\n\nFrom here on, text\nno header\n' > right.body-from
fail=0
robust_passthrough self-test body-from.mbox right.body-from 2> self.err
test $fail = 0 || { cat self.err; echo "robust_passthrough split at a From line in a body" >&2; self_fail=1; }
# lone CR line ends, and the one line end allowed after an unterminated header
printf 'From: a\rSubject: s\r\rbody\r' > in.cr
printf 'From: a\rSubject: s\rX-Outreach-Status: No\r\rbody\r' > right.cr
fail=0
robust_passthrough self-test in.cr right.cr "$(printf '\r')" 2> self.err
test $fail = 0 || { cat self.err; echo "robust_passthrough failed on CR line ends" >&2; self_fail=1; }
printf 'From: a\nSubject: s' > in.open
printf 'From: a\nSubject: s\nX-Outreach-Status: No\n' > right.open
fail=0
robust_passthrough self-test in.open right.open '
' 1 2> self.err
test $fail = 0 || { cat self.err; echo "robust_passthrough failed on an open header" >&2; self_fail=1; }
printf 'From: a\nSubject: s\nX: y\nX-Outreach-Status: No\n' > wrong.open
robust_passthrough self-test in.open wrong.open '
' 1 2> self.err
test $fail = 1 || { echo "robust_passthrough missed a field added after an open header" >&2; self_fail=1; }

# robust_forged
printf 'From: a\nX-Outreach-Status: No, tests=FORGED_MARK\nSubject: s\n\nbody\n' > forged
printf 'From: a\nSubject: s\nX-Outreach-Status: Yes\n\nbody\n' > cleaned
fail=0
robust_forged self-test forged cleaned 2> self.err
test $fail = 0 || { cat self.err; echo "robust_forged flagged a cleaned message" >&2; self_fail=1; }
robust_forged self-test forged forged 2> self.err
test $fail = 1 || { echo "robust_forged missed a surviving forged field" >&2; self_fail=1; }

# every input is made, and tiny.mbox has its 1000 messages
robust_make_inputs
for f in $(robust_input_files); do
  test -f "$f" || { echo "robust_make_inputs did not make $f" >&2; self_fail=1; }
done
test "$(grep -c '^From a@example.com ' tiny.mbox)" = 1000 || self_fail=1
test "$(robust_size random.bin)" = 65536 || self_fail=1

Exit ${self_fail-0}
