#!/bin/sh
# decode-corpus.sh: run msg-dump -c over the SpamAssassin corpus and count decoded, trouble, invalid UTF-8.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/decode-corpus.sh [MSG_DUMP]
# MSG_DUMP defaults to tests/msg-dump; build it with -fsanitize=address,undefined to check memory.
# The corpus lives in ${CORPUS:-$HOME/.cache/rittberger-corpus}/spam-assassin/data.

msg_dump=${1:-${MSG_DUMP:-tests/msg-dump}}
data=${CORPUS:-$HOME/.cache/rittberger-corpus}/spam-assassin/data
test -d "$data" || { echo "decode-corpus.sh: no corpus at $data" >&2; exit 77; }
test -x "$msg_dump" || { echo "decode-corpus.sh: no $msg_dump (build it first)" >&2; exit 2; }

out=${TMPDIR:-/tmp}/decode-corpus.$$
trap 'rm -f "$out" "$out.err"' EXIT

start=$(date +%s.%N)
# One process per 500 files: trouble in one message must not hide the others.
find "$data" -type f -name '*.txt' | LC_ALL=C sort \
  | xargs -d '\n' -n 500 "$msg_dump" -c >"$out" 2>"$out.err"
end=$(date +%s.%N)

files=$(find "$data" -type f -name '*.txt' | wc -l)
decoded=$(grep -c '	utf8	' "$out")
invalid=$(grep -c '	invalid-utf8	' "$out")
reported=$(wc -l <"$out")
# A message with no status line (the process died, or reading failed) is trouble too.
trouble=$(( files - reported + $(grep -c . "$out.err") ))
test "$trouble" -lt 0 && trouble=0
if test -s "$out.err"; then
  echo "stderr of msg-dump (first lines):" >&2
  head -20 "$out.err" >&2
fi
warned=$(awk -F '\t' '$6 != "-"' "$out" | wc -l)
html=$(awk -F '\t' '$4 == "html"' "$out" | wc -l)
text=$(awk -F '\t' '$2 == "text"' "$out" | wc -l)
echo "$files files, $html bodies from HTML, $text read as plain text, $warned with warnings"
awk "BEGIN { printf \"%.2f s wall\\n\", $end - $start }"
echo "$decoded decoded, $trouble trouble, $invalid invalid-utf8"
test "$trouble" -eq 0 && test "$invalid" -eq 0
