# fish completion for explain (rittberger).
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later

set -l c explain
complete -c $c -l files-from -r -F -d 'Read input file names from FILE'
complete -c $c -s 0 -l null -d 'Names in --files-from are NUL-separated'
complete -c $c -l label -x -d 'Name standard input in the output'
complete -c $c -s q -l quiet -l silent -d 'Print nothing; only the exit status tells'
complete -c $c -l format -x -a 'text markdown json' -d 'Output format'
complete -c $c -l rules -x -a '(__fish_complete_directories)' -d 'Rules directory'
complete -c $c -l config -r -F -d 'Recipient profile'
complete -c $c -l help -d 'Display help and exit'
complete -c $c -l version -d 'Output version information and exit'
complete -c $c -l lang -x -a 'de en' -d 'Language of the report'
complete -c $c -l reply -d 'Add a reply draft (never sent)'
complete -c $c -l color -l colour -f -a 'auto always never' -d 'Colour and emphasis'
complete -c $c -l width -x -d 'Wrap at this many columns (0: do not wrap)'
complete -c $c -l known -r -F -d 'Addresses of known correspondents'
