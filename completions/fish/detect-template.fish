# fish completion for detect-template (rittberger).
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later

set -l c detect-template
complete -c $c -l verdict -d 'Print one verdict line per message'
complete -c $c -l known -r -F -d 'Addresses of known correspondents'
complete -c $c -l store -r -F -d 'The fingerprint store'
complete -c $c -l no-store -d 'Judge each message in itself'
complete -c $c -l no-learn -d 'Look up without remembering'
complete -c $c -l learn-only -d 'Remember without looking up'
complete -c $c -l forget -d 'Remove the messages from the store'
complete -c $c -l days -x -d 'Look-back window in days'
complete -c $c -l min-senders -x -d 'Senders that make a text bulk'
complete -c $c -l expire -d 'Remove old fingerprints and exit'
complete -c $c -l export -d 'Write the fingerprints to stdout and exit'
complete -c $c -l import -r -F -d 'Learn the fingerprints of FILE and exit'
