## lib/local.mk: the shared library every tool links: input, text, rules, findings, detectors.
## Copyright (C) 2026 The rittberger authors.
## SPDX-License-Identifier: GPL-3.0-or-later

noinst_LIBRARIES += lib/librittberger.a
lib_librittberger_a_SOURCES = \
  lib/analyze.c lib/analyze.h lib/cli.c lib/cli.h lib/detector.c lib/detector.h \
  lib/findings.c lib/findings.h lib/severity-names.h \
  lib/profile.c lib/profile.h \
  lib/msg.c lib/msg.h lib/mime.c lib/mime.h lib/html.c lib/html.h lib/charset.c lib/charset.h \
  lib/text.c lib/text.h lib/strbuf.c lib/strbuf.h \
  lib/rules.c lib/rules.h lib/rules-priv.h \
  lib/rules-image.c lib/rules-cache.c lib/rules-match.c \
  lib/lang.c lib/lang.h \
  lib/duzen.c lib/duzen.h lib/duzen-lexicon.h \
  lib/bait.c lib/bait.h \
  lib/annotate.c lib/annotate.h lib/score.c lib/score.h \
  lib/explain.c lib/explain.h \
  lib/fingerprint.c lib/fingerprint.h lib/store.c lib/store.h lib/template.c lib/template.h
nodist_lib_librittberger_a_SOURCES = lib/verbforms.c

# The verb-form table is data (rules/verbforms-2p.tsv, CC-BY-SA-4.0) compiled into a sorted array,
# so no process parses 11,000 lines at start-up.
lib/verbforms.c: $(top_srcdir)/rules/verbforms-2p.tsv $(top_srcdir)/build-aux/gen-verbforms.sh
	$(AM_V_GEN)$(SHELL) $(top_srcdir)/build-aux/gen-verbforms.sh $(top_srcdir)/rules/verbforms-2p.tsv > $@-t && mv $@-t $@
BUILT_SOURCES += lib/verbforms.c
CLEANFILES += lib/verbforms.c
EXTRA_DIST += build-aux/gen-verbforms.sh

# What every program links, in order.
RITTBERGER_LIBS = lib/librittberger.a gl/libgnu.a $(PCRE2_LIBS) $(SQLITE3_LIBS) $(LIBUNISTRING) \
  $(LIBICONV) $(LIBINTL)
