#!/bin/sh
# maildrop.sh: the maildrop recipe around score-outreach -p delivers each message once, intact.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# For every fixture in tests/hooks/messages: run maildrop as the delivery agent with a filter
# file (mode 0600) holding the recipe from the manual
#   xfilter "score-outreach -p";  if (/^X-Outreach-Status: Yes/) to "outreach"
# into fresh maildirs inbox (DEFAULT) and outreach, then check that the message was delivered
# exactly once, to the folder score-outreach's own verdict names (never the outreach folder for
# a legit-* fixture, whatever it forged), with exactly one X-Outreach-Status field, and that the
# delivered bytes minus the X-Outreach-* fields equal the input minus its X-Outreach-* fields.
# Finally a filter that fails must make maildrop defer (exit 75) and deliver nothing.
# SCORE_OUTREACH names another program to test the plumbing with (it must accept -p and -q).
. "$abs_top_srcdir/gl/tests/init.sh"

command -v maildrop > /dev/null 2>&1 || skip_ "maildrop is not installed"
command -v perl > /dev/null 2>&1 || skip_ "perl is not installed"
prog=${SCORE_OUTREACH-$abs_top_builddir/tools/score-outreach}
test -x "$prog" || skip_ "no $prog"
messages=$abs_top_srcdir/tests/hooks/messages

# Write the message on stdin without the X-Outreach-* fields (any case, with their continuation
# lines) of its header block.
cat > strip.pl <<'EOF'
binmode STDIN; binmode STDOUT;
local $/; my $s = <STDIN>;
my $end = length $s;
$end = $-[0] + length ($1) / 2 if $s =~ /(\r\n\r\n|\n\n|\r\r)/;
my ($head, $rest) = (substr ($s, 0, $end), substr ($s, $end));
my ($out, $skip) = ('', 0);
for my $line ($head =~ /([^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\z)/g) {
  $skip = $line =~ /\Ax-outreach-/i unless $line =~ /\A[ \t]/;
  $out .= $line unless $skip;
}
print $out, $rest;
EOF

# The recipe of the manual, with FILTER as the xfilter command, into the filter file FILE.
write_filter ()
{
  cat > "$1" <<EOF
DEFAULT="$PWD/inbox"
logfile "$PWD/log"

xfilter "$2"
if (/^X-Outreach-Status: Yes/)
{
  to "$PWD/outreach"
}
EOF
  chmod 600 "$1"
}

count=0
write_filter filter "$prog -p"
for msg in "$messages"/*.eml; do
  name=$(basename "$msg" .eml)
  rm -rf inbox outreach log
  mkdir -p inbox/cur inbox/new inbox/tmp outreach/cur outreach/new outreach/tmp \
    || framework_failure_
  maildrop ./filter < "$msg"
  status=$?
  test $status = 0 || { echo "$name: maildrop exited $status"; cat log; fail=1; continue; }
  count=$((count + 1))

  # Delivered exactly once, to the folder the verdict names.
  set -- $(find inbox outreach -type f | sort)
  test $# = 1 || { echo "$name: delivered $# times: $*"; fail=1; continue; }
  delivered=$1
  "$prog" -q < "$msg"
  case $? in
    0) want=outreach ;;
    1|2) want=inbox ;;
    *) echo "$name: $prog -q failed"; fail=1; continue ;;
  esac
  case $name in legit-*) want=inbox ;; esac
  case $delivered in
    $want/new/*) ;;
    *) echo "$name: delivered to $delivered, want $want"; fail=1 ;;
  esac

  # One verdict field, ours, on the first line of the field.
  n=$(grep -ci '^x-outreach-status:' "$delivered")
  test "$n" = 1 || { echo "$name: $n X-Outreach-Status fields"; fail=1; }
  grep -q '^X-Outreach-Status: \(Yes\|No\|Unsure\), score=' "$delivered" \
    || { echo "$name: no well-formed X-Outreach-Status"; fail=1; }
  grep -q "tests=FORGED\|WHITELISTED\|nothing to see" "$delivered" \
    && { echo "$name: a forged field survived"; fail=1; }

  # Every other byte is the input's: maildrop adds nothing to a maildir message.
  perl strip.pl < "$msg" > exp || framework_failure_
  perl strip.pl < "$delivered" > out || framework_failure_
  compare exp out || { echo "$name: delivered bytes differ"; fail=1; }
done
test $count -ge 10 || { echo "only $count messages were delivered"; fail=1; }

# A filter that fails: maildrop defers (75) and delivers nothing.
cat > failing <<'EOF'
#!/bin/sh
cat > /dev/null
exit 3
EOF
chmod +x failing
rm -rf inbox outreach log
mkdir -p inbox/cur inbox/new inbox/tmp outreach/cur outreach/new outreach/tmp
write_filter filter.fail "$PWD/failing"
maildrop ./filter.fail < "$messages/outreach-de-du.eml" 2> err
status=$?
test $status = 75 || { echo "failing filter: maildrop exited $status, want 75"; cat err; fail=1; }
test -z "$(find inbox outreach -type f)" \
  || { echo "failing filter: something was delivered"; fail=1; }

Exit $fail
