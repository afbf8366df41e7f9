## tools/local.mk: the five filters, each a thin main() over lib/.
## Copyright (C) 2026 The rittberger authors.
## SPDX-License-Identifier: GPL-3.0-or-later

bin_PROGRAMS += tools/detect-duzen
tools_detect_duzen_SOURCES = tools/detect-duzen.c
tools_detect_duzen_LDADD = $(RITTBERGER_LIBS)

bin_PROGRAMS += tools/detect-bait-question
tools_detect_bait_question_SOURCES = tools/detect-bait-question.c
tools_detect_bait_question_LDADD = $(RITTBERGER_LIBS)

bin_PROGRAMS += tools/score-outreach
tools_score_outreach_SOURCES = tools/score-outreach.c
tools_score_outreach_LDADD = $(RITTBERGER_LIBS)

bin_PROGRAMS += tools/explain
tools_explain_SOURCES = tools/explain.c
tools_explain_LDADD = $(RITTBERGER_LIBS)

bin_PROGRAMS += tools/detect-template
tools_detect_template_SOURCES = tools/detect-template.c
tools_detect_template_LDADD = $(RITTBERGER_LIBS)
