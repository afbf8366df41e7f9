## rules/local.mk: the rule files are data, installed under $(pkgdatadir).
## Copyright (C) 2026 The rittberger authors.
## SPDX-License-Identifier: GPL-3.0-or-later

dist_pkgdata_DATA += rules/duzen.rules rules/bait.rules rules/score.rules rules/template.rules rules/pitch.rules
# The verb forms are compiled into the programs (lib/verbforms.c); the table ships as the source.
EXTRA_DIST += rules/verbforms-2p.tsv
