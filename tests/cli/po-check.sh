#!/bin/sh
# The German catalogue passes msgfmt --check and is complete: every message that xgettext finds in
# the sources today has a translation that is neither missing nor fuzzy.
. "$abs_top_srcdir/gl/tests/init.sh"
for prog in xgettext msgmerge msgfmt; do
  command -v $prog > /dev/null || skip_ "$prog is not installed"
done
po=$abs_top_srcdir/po
msgfmt --check -o /dev/null "$po/de.po" || fail=1
(cd "$abs_top_srcdir" && xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 --language=C \
   --flag=error:3:c-format --add-comments=TRANSLATORS: -o - $(grep -v '^#' po/POTFILES.in)) \
  > current.pot || framework_failure_
msgmerge --quiet --no-fuzzy-matching "$po/de.po" current.pot -o merged.po || fail=1
msgfmt --check --statistics -o /dev/null merged.po 2> stats || fail=1
cat stats
grep -q 'untranslated\|fuzzy' stats && { echo "de.po is incomplete: run make -C po update-po" >&2; fail=1; }
Exit $fail
