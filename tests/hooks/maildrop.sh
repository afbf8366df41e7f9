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
. "$abs_top_srcdir/tests/hooks/delivery-checks.inc"

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
  want=$(want_folder "$name" "$msg") || { fail=1; continue; }
  case $delivered in
    $want/new/*) ;;
    *) echo "$name: delivered to $delivered, want $want"; fail=1 ;;
  esac

  # Maildrop adds nothing to a maildir message.
  check_delivered "$name" "$msg" "$delivered"
done
test $count -ge 10 || { echo "only $count messages were delivered"; fail=1; }

# A filter that fails: maildrop defers (75) and delivers nothing.
write_failing_filter
rm -rf inbox outreach log
mkdir -p inbox/cur inbox/new inbox/tmp outreach/cur outreach/new outreach/tmp
write_filter filter.fail "$PWD/failing"
maildrop ./filter.fail < "$messages/outreach-de-du.eml" 2> err
status=$?
test $status = 75 || { echo "failing filter: maildrop exited $status, want 75"; cat err; fail=1; }
test -z "$(find inbox outreach -type f)" \
  || { echo "failing filter: something was delivered"; fail=1; }

Exit $fail
