# fish completion: the options every rittberger tool shares; appended to each tool's file
# at install time, where $c names the tool.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later

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
