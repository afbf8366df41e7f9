## tests/local.mk: make check: golden fixtures per tool, CLI tests, library unit tests.
## Copyright (C) 2026 The rittberger authors.
## SPDX-License-Identifier: GPL-3.0-or-later

TEST_EXTENSIONS = .txt .eml .mbox .sh
TESTS_ENVIRONMENT = \
  abs_top_srcdir='$(abs_top_srcdir)' abs_top_builddir='$(abs_top_builddir)' \
  srcdir='$(srcdir)' RITTBERGER_RULES='$(abs_top_srcdir)/rules' \
  XDG_CONFIG_HOME='$(abs_top_builddir)/tests/no-config' XDG_DATA_HOME='$(abs_top_builddir)/tests/no-data' \
  XDG_CACHE_HOME='$(abs_top_builddir)/tests/no-cache' \
  LC_ALL=C.UTF-8 LANGUAGE= PACKAGE_VERSION='$(PACKAGE_VERSION)' MANDOC='$(MANDOC)' REGEN='$(REGEN)'
TXT_LOG_COMPILER = $(SHELL) $(srcdir)/tests/golden.sh
EML_LOG_COMPILER = $(SHELL) $(srcdir)/tests/golden.sh
MBOX_LOG_COMPILER = $(SHELL) $(srcdir)/tests/golden.sh
SH_LOG_COMPILER = $(SHELL)

# Each golden fixture and CLI script is its own test (make check TESTS=tests/golden/…); the
# list is tests/golden.mk, written by tests/update-golden-list.
include tests/golden.mk
TESTS += $(golden_inputs) $(cli_tests) $(hook_tests)
EXTRA_DIST += tests/golden.sh tests/update-golden-list $(golden_inputs) $(golden_extra) \
  $(cli_tests) $(hook_tests) $(hook_messages) tests/hooks/delivery-checks.inc gl/tests/init.sh

unit_tests = tests/unit/test-findings tests/unit/test-profile tests/unit/test-msg \
  tests/unit/test-duzen tests/unit/test-explain tests/unit/test-rules tests/unit/test-bait \
  tests/unit/test-text tests/unit/test-annotate tests/unit/test-score \
  tests/unit/test-fingerprint tests/unit/test-store tests/unit/test-template \
  tests/unit/test-fastpaths tests/unit/test-lang tests/unit/test-strbuf \
  tests/unit/test-text-paths tests/unit/test-store-cap
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
EXTRA_DIST += tests/unit/unit.h tests/unit/store-compare.h tests/splitmix64.h tests/bait/labelled.tsv
tests_unit_test_findings_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_profile_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_msg_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_duzen_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_explain_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_rules_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_bait_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_text_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_annotate_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_score_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_fingerprint_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_lang_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_text_paths_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_strbuf_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_store_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_store_cap_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_template_LDADD = $(RITTBERGER_LIBS)
tests_unit_test_fastpaths_LDADD = $(RITTBERGER_LIBS)

# Eight processes write into one store at once.
check_PROGRAMS += tests/store-driver
tests_store_driver_LDADD = $(RITTBERGER_LIBS)
TESTS += tests/store-stress.sh
EXTRA_DIST += tests/store-stress.sh tests/template/gen-variants

# Debugging aids that print what the library sees; the bench scripts use them too.
noinst_PROGRAMS += tests/msg-dump tests/duzen-eval tests/text-dump
tests_text_dump_LDADD = $(RITTBERGER_LIBS)
tests_msg_dump_LDADD = $(RITTBERGER_LIBS)
tests_duzen_eval_LDADD = $(RITTBERGER_LIBS)

# The tests' own XDG directories: the template store and pattern cache some tests write.
clean-local: clean-test-homes
clean-test-homes:
	rm -rf tests/no-config tests/no-data tests/no-cache
.PHONY: clean-test-homes
