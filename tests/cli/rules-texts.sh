#!/bin/sh
# Every shipped rule carries what explain needs: a four-sides assignment and German and English
# descriptions, and for the detectors' rules German and English advice.  The rule files are read
# here with awk, independently of the rule parser, so a parser that stopped checking would not
# hide a rule without texts.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$abs_top_srcdir/gl/tests/init.sh"

set -- "$abs_top_srcdir"/rules/*.rules
test -f "$1" || fail_ "no rule files in $abs_top_srcdir/rules"

check_program='
  function finish() {
    if (id == "")
      return
    where = FILENAME_OF_RULE ":" line_of_rule ": " id ": "
    if (!(side in sides)) {
      print where (side == "" ? "no side" : "side \"" side "\" is not one of sach, selbst, beziehung, appell")
      bad++
    }
    if (text["describe-de"] == "") { print where "no describe-de"; bad++ }
    if (text["describe-en"] == "") { print where "no describe-en"; bad++ }
    if (tool in detectors) {
      if (text["advice-de"] == "") { print where "no advice-de"; bad++ }
      if (text["advice-en"] == "") { print where "no advice-en"; bad++ }
    }
    rules++
    id = ""
  }
  BEGIN {
    sides["sach"]; sides["selbst"]; sides["beziehung"]; sides["appell"]
    detectors["detect-duzen"]; detectors["detect-bait-question"]; detectors["detect-template"]
  }
  FNR == 1 { finish() }
  /^[ \t]*(#|$)/ { next }
  {
    sub(/^[ \t]+/, "")
    sub(/[ \t\r]+$/, "")
    key = $1
    value = $0
    sub(/^[^ \t]+[ \t]*/, "", value)
  }
  key == "rule" {
    finish()
    id = value; FILENAME_OF_RULE = FILENAME; line_of_rule = FNR
    side = ""; tool = ""
    split("", text)
    next
  }
  key == "side" { side = value }
  key == "tool" { tool = value }
  key ~ /^(describe|advice)-(de|en)$/ { text[key] = value }
  END {
    finish()
    if (rules == 0) { print "no rules found"; bad++ }
    printf "%d rules checked, %d problems\n", rules, bad > "/dev/stderr"
    exit bad > 0
  }
'
awk "$check_program" "$@" > problems || fail=1
if test -s problems; then
  cat problems >&2
  fail=1
fi

# The test must be able to fail: a rule without texts is caught.
cat > broken.rules <<'EOF'
rule BROKEN_EXAMPLE
tool detect-duzen
side gefuehl
describe-de Nur Deutsch.
EOF
awk_fails=no
awk "$check_program" broken.rules > problems 2> /dev/null && awk_fails=yes
grep -q 'BROKEN_EXAMPLE: side "gefuehl"' problems || awk_fails=yes
grep -q 'BROKEN_EXAMPLE: no describe-en' problems || awk_fails=yes
grep -q 'BROKEN_EXAMPLE: no advice-de' problems || awk_fails=yes
test $awk_fails = no || { echo "the check does not catch a broken rule" >&2; cat problems >&2; fail=1; }

Exit $fail
