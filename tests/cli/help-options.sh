#!/bin/sh
# Every long option that a tool's --help lists is in its manual page and its fish and zsh
# completions (bash asks --help itself), and
# --help and --version write to stdout and exit 0.
. "$abs_top_srcdir/gl/tests/init.sh"
for prog in "$abs_top_builddir"/tools/*; do
  test -x "$prog" && test -f "$prog" || continue
  name=$(basename "$prog")
  page=$abs_top_srcdir/man/$name.1
  test -f "$page" || { echo "$name: no manual page" >&2; fail=1; continue; }
  "$prog" --help > help 2> err || { echo "$name --help failed" >&2; fail=1; }
  test -s err && { echo "$name --help wrote to stderr" >&2; fail=1; }
  "$prog" --version > version || { echo "$name --version failed" >&2; fail=1; }
  grep -q "$PACKAGE_VERSION" version || { echo "$name --version lacks the version" >&2; fail=1; }
  for opt in $(grep -o -- '--[a-z][a-z0-9-]*' help | sort -u); do
    # mdoc writes --name as Fl \-name, with every hyphen escaped
    sed 's/\\-/-/g' "$page" | grep -q -e "Fl ${opt#-}\( \|$\)" \
      || { echo "$name: $opt is in --help but not in $page" >&2; fail=1; }
    fish=$abs_top_srcdir/completions/fish
    case $name in explain) common=/dev/null ;; *) common=$fish/common.fish ;; esac
    cat "$fish/$name.fish" "$common" | grep -q -e "-l ${opt#--}\( \|$\)" \
      || { echo "$name: $opt is not in the fish completion" >&2; fail=1; }
    grep -q -e "$opt[^a-z-]" "$abs_top_srcdir/completions/zsh/_rittberger" \
      || { echo "$name: $opt is not in the zsh completion" >&2; fail=1; }
  done
done
Exit $fail
