## bench/local.mk: make eval, the detection-quality table; benchmarks are run by hand (bench/bench-run).
## Copyright (C) 2026 The rittberger authors.
## SPDX-License-Identifier: GPL-3.0-or-later

# Drivers that feed many sentences through one process, for the evaluation scripts.
noinst_PROGRAMS += tests/bait-eval tests/template-eval bench/bench-store bench/rule-cost
tests_bait_eval_LDADD = $(RITTBERGER_LIBS)
tests_template_eval_LDADD = $(RITTBERGER_LIBS)
bench_bench_store_LDADD = $(RITTBERGER_LIBS)
bench_rule_cost_LDADD = $(RITTBERGER_LIBS)

eval: all tests/duzen-eval tests/bait-eval tests/template-eval
	DUZEN_EVAL=$(abs_builddir)/tests/duzen-eval BAIT_EVAL=$(abs_builddir)/tests/bait-eval \
	  TEMPLATE_EVAL=$(abs_builddir)/tests/template-eval \
	  python3 $(srcdir)/bench/eval --tools=$(abs_builddir)/tools --rules=$(abs_srcdir)/rules
.PHONY: eval

EXTRA_DIST += bench/bench-run bench/compare-email.py bench/decode-corpus.sh bench/eval \
  bench/eval-bait bench/eval-duzen bench/eval-template bench/fit-weights bench/rbeval.py bench/passthrough-check \
  bench/rule-cost-instr \
  doc/EVALUATION.md tests/dev
