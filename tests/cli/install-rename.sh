#!/bin/sh
# ./configure --program-transform-name renames a tool everywhere it is installed: the program,
# its manual page and the bash, zsh and fish completions (so explain can live beside libexplain's).
. "$abs_top_srcdir/gl/tests/init.sh"
dest=$(pwd)/dest
${MAKE-make} -s -C "$abs_top_builddir" install DESTDIR="$dest" prefix=/usr/local \
  transform='s/^explain$$/rittberger-explain/' > log 2>&1 || { cat log; fail_ "make install failed"; }
share=$dest/usr/local/share
test -x "$dest/usr/local/bin/rittberger-explain" || fail=1
test -e "$dest/usr/local/bin/explain" && fail=1
test -f "$share/man/man1/rittberger-explain.1" || fail=1
test -f "$share/fish/vendor_completions.d/rittberger-explain.fish" || fail=1
grep -q '^set -l c rittberger-explain$' "$share/fish/vendor_completions.d/rittberger-explain.fish" || fail=1
test -L "$share/bash-completion/completions/rittberger-explain" || fail=1
grep -q 'complete -F _rittberger .* rittberger-explain' "$share/bash-completion/completions/rittberger" || fail=1
grep -q '^#compdef .* rittberger-explain' "$share/zsh/vendor-completions/_rittberger" || fail=1
# the other tools keep their names
test -x "$dest/usr/local/bin/detect-duzen" || fail=1
${MAKE-make} -s -C "$abs_top_builddir" uninstall DESTDIR="$dest" prefix=/usr/local \
  transform='s/^explain$$/rittberger-explain/' > log 2>&1 || fail=1
test -e "$share/fish/vendor_completions.d/rittberger-explain.fish" && fail=1
Exit $fail
