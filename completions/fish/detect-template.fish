# fish completion for detect-template (rittberger).
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later

set -l c detect-template
complete -c $c -l files-from -r -F -d 'Read input file names from FILE'
complete -c $c -s 0 -l null -d 'Names in --files-from are NUL-separated'
complete -c $c -l label -x -d 'Name standard input in the output'
complete -c $c -s q -l quiet -l silent -d 'Print nothing; only the exit status tells'
complete -c $c -s l -l files-with-matches -d 'Print only the names of inputs with findings'
complete -c $c -s c -l count -d 'Print the number of findings per input'
complete -c $c -l format -x -a 'text tsv json' -d 'Output format'
complete -c $c -l rules -x -a '(__fish_complete_directories)' -d 'Rules directory'
complete -c $c -l config -r -F -d 'Recipient profile'
complete -c $c -l check-rules -d 'Compile every rule and run its examples'
complete -c $c -l help -d 'Display help and exit'
complete -c $c -l version -d 'Output version information and exit'
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
