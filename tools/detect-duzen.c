/* detect-duzen: find unasked informal address (du, ihr) in German messages. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <stdio.h>

#include "gettext.h"

#include "analyze.h"
#include "detector.h"

#define _(msgid) gettext (msgid)
#define TOOL "detect-duzen"

static const struct option long_options[] = {
  DETECTOR_LONG_OPTIONS,
  {NULL, 0, NULL, 0}
};

static void
usage (void)
{
  printf (_("Usage: %s [OPTION]... [FILE]...\n"), TOOL);
  fputs (_("\
Find where a German message addresses its reader with informal \"du\" or plural\n\
\"ihr\" where a stranger owes \"Sie\".  FILE is a text file, a mail or an mbox;\n\
with no FILE, or when FILE is -, read standard input.\n\
\n\
      --verdict           print one line per message: FILE, VERDICT, details\n\
                          (DU, IHR_PLURAL, MIXED, SIE_FORMAL or NONE)\n\
      --known=FILE        addresses of known correspondents, one per line;\n\
                          their du is wanted and marked allowed\n"), stdout);
  cli_print_common_help ();
  fputs (_("\
\n\
Exit status is 0 if a message addresses its reader with an unasked T-form,\n\
1 if none does, 2 on trouble (with -q, a finding wins over trouble).\n"), stdout);
}

static int
analyze (struct detector_run *run, const struct msg *m, const struct text *t,
         struct detector_verdict *v)
{
  struct analyzer a = { .rules = &run->rules, .profile = &run->profile };
  struct duzen_result res;
  const char *why;
  if (analyze_duzen (&a, m, t, &run->findings, &res, &why) < 0)
    return -1;
  v->name = duzen_verdict_name (res.verdict);
  v->score = res.du + res.ihr;
  v->found = duzen_is_t (res.verdict) && !why;
  snprintf (v->details, sizeof v->details, "%s%s%s", res.details, why ? " allowed=" : "",
            why ? why : "");
  return 0;
}

static const struct detector detect_duzen = {
  .tool = TOOL,
  .long_options = long_options,
  .usage = usage,
  .analyze = analyze,
};

int
main (int argc, char **argv)
{
  return detector_main (&detect_duzen, NULL, argc, argv);
}
