# fish completion for score-outreach (rittberger).
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later

set -l c score-outreach
complete -c $c -s p -l annotate -l passthrough -d 'Write the message back with X-Outreach fields'
complete -c $c -l report -d 'Add an X-Outreach-Report field'
complete -c $c -s e -l exit-zero -d 'Exit 0 whatever the verdict'
complete -c $c -l threshold -x -d 'Outreach from this score on'
complete -c $c -l unsure -x -d 'Unsure from this score on'
complete -c $c -l weight -x -d 'Give RULE=N another weight'
complete -c $c -l findings -d 'Read a findings stream on stdin'
complete -c $c -l known -r -F -d 'Addresses of known correspondents'
complete -c $c -l progress -d 'Show progress on stderr'
complete -c $c -l store -r -F -d 'The template fingerprint store'
complete -c $c -l no-store -d 'Judge each message in itself'
complete -c $c -l no-learn -d 'Look up without remembering'
