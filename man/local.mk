## man/local.mk: hand-written mdoc pages, linted by mandoc in make check.
## Copyright (C) 2026 The rittberger authors.
## SPDX-License-Identifier: GPL-3.0-or-later

dist_man_MANS += man/detect-duzen.1 man/detect-bait-question.1 man/detect-template.1 man/score-outreach.1 man/explain.1 man/rittberger-findings.5 man/rittberger-rules.5 \
  man/rittberger-config.5 man/rittberger.7
