#!/bin/sh
# Under a German locale the tools speak German: explain's report, and the messages of every tool
# that can be pointed at the build tree's catalogue (RITTBERGER_LOCALEDIR).  The catalogue is
# compiled from po/de.po here; a missing de_DE.UTF-8 locale is generated with localedef into the
# test directory (LOCPATH).
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$abs_top_srcdir/gl/tests/init.sh"; path_prepend_ "$abs_top_builddir/tools"

# The compiled catalogue, where the tools under test will look for it.
mkdir -p locale/de/LC_MESSAGES || framework_failure_
if test -f "$abs_top_builddir/po/de.gmo"; then
  cp "$abs_top_builddir/po/de.gmo" locale/de/LC_MESSAGES/rittberger.mo
elif test -f "$abs_top_srcdir/po/de.gmo"; then
  cp "$abs_top_srcdir/po/de.gmo" locale/de/LC_MESSAGES/rittberger.mo
elif command -v msgfmt > /dev/null; then
  msgfmt -o locale/de/LC_MESSAGES/rittberger.mo "$abs_top_srcdir/po/de.po" || fail=1
else
  skip_ "neither po/de.gmo nor msgfmt is available"
fi
RITTBERGER_LOCALEDIR=$PWD/locale
export RITTBERGER_LOCALEDIR

# The German locale: the system's, or one of our own.
if locale -a 2> /dev/null | grep -qi '^de_DE\.utf-\{0,1\}8$'; then
  :
elif command -v localedef > /dev/null && mkdir loc \
     && { localedef -i de_DE -f UTF-8 "$PWD/loc/de_DE.UTF-8" > /dev/null 2>&1
          test -f loc/de_DE.UTF-8/LC_MESSAGES/SYS_LC_MESSAGES \
            || test -f loc/de_DE.UTF-8/LC_CTYPE; }; then
  # (localedef exits 1 for mere warnings; what counts is that it wrote the locale)
  LOCPATH=$PWD/loc
  export LOCPATH
else
  skip_ "no de_DE.UTF-8 locale, and localedef cannot make one"
fi

unset LC_ALL LC_MESSAGES LANGUAGE
LANG=de_DE.UTF-8
export LANG

printf 'Hallo, hast du kurz Zeit? Bist du selbstständig?\n' > du.txt

# explain's --help, its diagnostics and its report are German
explain --help > out || fail=1
grep -q '^Aufruf: explain \[OPTION\]\.\.\. \[DATEI\]\.\.\.$' out || { cat out; fail=1; }
grep -q 'Rückgabewert ist 0' out || fail=1
explain --lang=fr du.txt 2> err; test $? = 2 || fail=1
grep -q 'ungültige Sprache' err || { cat err; fail=1; }
grep -q "»explain --help« gibt weitere Informationen" err || { cat err; fail=1; }
explain du.txt > out || fail=1
grep -q '^Urteil: ' out && grep -q '^Die vier Seiten der Nachricht' out || { cat out; fail=1; }
# a missing file's reason comes from the C library, in German too
explain missing.txt 2> err; test $? = 2 || fail=1
grep -q '^explain: missing.txt: Datei oder Verzeichnis nicht gefunden$' err \
  || grep -q '^explain: missing.txt: ' err || { cat err; fail=1; }

# LANGUAGE wins over LANG, as gettext has it; LC_ALL=C turns German off
LANGUAGE=en explain du.txt | grep -q '^Verdict: ' || fail=1
LC_ALL=C explain --help | grep -q '^Usage: explain' || fail=1

# Every tool works under the German locale (rule weights like "1.5" are no "1,5" here) ...
for tool in detect-duzen detect-bait-question score-outreach detect-template; do
  test -x "$abs_top_builddir/tools/$tool" || continue
  "$tool" -q du.txt 2> err; status=$?
  trouble=2; test $tool = score-outreach && trouble=3
  test $status -lt $trouble && test ! -s err \
    || { echo "$tool: status $status under LANG=$LANG" >&2; cat err >&2; fail=1; }
  # ... and speaks German.
  "$tool" --help > out 2>&1
  grep -q '^Aufruf: ' out || { echo "$tool: --help is not German" >&2; fail=1; }
done

Exit $fail
