/* detect-bait-question: find the rhetorical bait questions cold outreach is built around. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <stdio.h>

#include "gettext.h"

#include "analyze.h"
#include "detector.h"

#define _(msgid) gettext (msgid)

static const struct option long_options[] = {
  DETECTOR_LONG_OPTIONS,
  {NULL, 0, NULL, 0}
};

static void
usage (void)
{
  printf (_("Usage: %s [OPTION]... [FILE]...\n"), BAIT_TOOL);
  fputs (_("\
Find the rhetorical questions cold outreach is built around: the qualifier\n\
(\"Bist du selbstständig?\"), fake demand, the alternative-choice close, the\n\
discovery call about the reader's own business, and empty openers and closers.\n\
FILE is a text file, a mail or an mbox; with no FILE, or when FILE is -, read\n\
standard input.\n\
\n\
      --verdict           one line per message: FILE, BAIT or NONE, details\n\
      --known=FILE        addresses of known correspondents, one per line;\n\
                          their questions about a concrete matter are not bait\n"), stdout);
  cli_print_common_help ();
  fputs (_("\
\n\
Exit status is 0 if a message holds a bait question, 1 if none does, 2 on\n\
trouble (with -q, a finding wins over trouble).\n"), stdout);
}

static int
analyze (struct detector_run *run, const struct msg *m, const struct text *t,
         struct detector_verdict *v)
{
  struct analyzer a = { .rules = &run->rules, .profile = &run->profile };
  struct bait_result res;
  if (analyze_bait (&a, m, t, &run->findings, &res) < 0)
    return -1;
  v->name = bait_verdict_name (res.verdict);
  v->score = res.score;
  v->found = res.verdict == BAIT_VERDICT_BAIT;
  snprintf (v->details, sizeof v->details, "%s", res.details);
  return 0;
}

static const struct detector detect_bait_question = {
  .tool = BAIT_TOOL,
  .long_options = long_options,
  .usage = usage,
  .analyze = analyze,
};

int
main (int argc, char **argv)
{
  return detector_main (&detect_bait_question, NULL, argc, argv);
}
