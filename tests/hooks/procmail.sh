#!/bin/sh
# procmail.sh: the procmail recipe around score-outreach -p delivers each message once, intact.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# For every fixture in tests/hooks/messages: run procmail -m with the recipe from the manual
#   :0fw | score-outreach -p;  :0e { EXITCODE=75 HOST };  :0: * ^X-Outreach-Status: Yes -> outreach
# into a fresh maildir inbox (DEFAULT) and a fresh mbox "outreach", then check that the message
# was delivered exactly once, to the folder score-outreach's own verdict names (never the
# outreach folder for a legit-* fixture, whatever it forged), with exactly one X-Outreach-Status
# field, and that the delivered bytes minus the X-Outreach-* fields equal the input minus its
# X-Outreach-* fields.  procmail itself appends a line end to a message that does not end in an
# empty line and, in an mbox, may start it with a "From " line; both are allowed for.
# Finally a filter that fails must leave the message undelivered with exit status 75.
# SCORE_OUTREACH names another program to test the plumbing with (it must accept -p and -q).
. "$abs_top_srcdir/gl/tests/init.sh"

command -v procmail > /dev/null 2>&1 || skip_ "procmail is not installed"
. "$abs_top_srcdir/tests/hooks/delivery-checks.inc"

# The recipe of the manual, with FILTER as the filter command, into the rc file FILE.
write_rc ()
{
  cat > "$1" <<EOF
SHELL=/bin/sh
MAILDIR=$PWD
DEFAULT=$PWD/inbox/
LOGFILE=$PWD/log
VERBOSE=yes

:0fw
| $2

:0e
{ EXITCODE=75 HOST }

:0:
* ^X-Outreach-Status: Yes
outreach
EOF
}

count=0
for msg in "$messages"/*.eml; do
  name=$(basename "$msg" .eml)
  rm -rf inbox outreach outreach.lock log
  mkdir -p inbox/cur inbox/new inbox/tmp || framework_failure_
  write_rc rc "\"$prog\" -p"
  procmail -m rc < "$msg"
  status=$?
  test $status = 0 || { echo "$name: procmail exited $status"; cat log; fail=1; continue; }
  count=$((count + 1))

  # Delivered exactly once, to the folder the verdict names.
  set -- inbox/new/* inbox/cur/*
  found=
  for f; do test -f "$f" && found="$found $f"; done
  test -s outreach && found="$found outreach"
  set -- $found
  test $# = 1 || { echo "$name: delivered $# times:$found"; fail=1; continue; }
  delivered=$1
  want=$(want_folder "$name" "$msg") || { fail=1; continue; }
  case $delivered in
    $want*) ;;
    *) echo "$name: delivered to $delivered, want $want"; fail=1 ;;
  esac
  if test "$delivered" = outreach; then
    test $(grep -c '^From ' outreach) -le 1 \
      || { echo "$name: more than one message in the mbox"; fail=1; }
  fi

  check_delivered "$name" "$msg" "$delivered" 1 "$msg"
done
test $count -ge 10 || { echo "only $count messages were delivered"; fail=1; }

# A filter that fails: procmail defers (75) and delivers nothing.
write_failing_filter
rm -rf inbox outreach log
mkdir -p inbox/cur inbox/new inbox/tmp
write_rc rc.fail "$PWD/failing"
procmail -m rc.fail < "$messages/outreach-de-du.eml"
status=$?
test $status = 75 || { echo "failing filter: procmail exited $status, want 75"; cat log; fail=1; }
test -z "$(find inbox -type f)" && test ! -e outreach \
  || { echo "failing filter: something was delivered"; fail=1; }

Exit $fail
