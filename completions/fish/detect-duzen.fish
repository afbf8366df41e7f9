# fish completion for detect-duzen (rittberger).
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later

set -l c detect-duzen
complete -c $c -l verdict -d 'Print one verdict line per message'
complete -c $c -l known -r -F -d 'Addresses of known correspondents'
