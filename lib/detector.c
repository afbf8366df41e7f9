/* detector.c: the main() skeleton the detectors share. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "detector.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "closeout.h"
#include "error.h"
#include "exitfail.h"
#include "gettext.h"
#include "progname.h"

/* One detector run over an example text, for --check-rules. */
static int
detect_text (const char *s, size_t len, struct findings *out, void *arg)
{
  struct detector_run *run = arg;
  struct text t;
  if (text_analyze (&t, s, len) < 0)
    return -1;
  struct findings saved = run->findings;
  run->findings = *out;
  struct detector_verdict v = { 0 };
  int r = run->d->analyze (run, NULL, &t, &v);
  *out = run->findings;
  run->findings = saved;
  text_free (&t);
  return r;
}

static int
check_message (struct msg *m, const char *label, struct msg_input *in, void *arg)
{
  (void) in;
  struct detector_run *run = arg;
  struct text t;
  if (text_analyze (&t, m->body, m->body_len) < 0)
    {
      error (0, errno, "%s", quotef (label));
      return -1;
    }
  findings_clear (&run->findings);
  struct detector_verdict v = { .name = "NONE" };
  int r = run->d->analyze (run, m, &t, &v);
  text_free (&t);
  if (r < 0)
    {
      error (0, errno, "%s", quotef (label));
      return -1;
    }
  findings_sort (&run->findings);
  cli_locate (m, &run->rules, &run->findings);
  run->found |= v.found;
  cli_report (&run->cli, label, run->d->tool, &run->findings, v.found, v.name, v.score,
              v.details, run->verdict_only);
  return 0;
}

int
detector_main (const struct detector *d, void *state, int argc, char **argv)
{
  set_program_name (argv[0]);
  cli_set_locale ();
  exit_failure = CLI_EXIT_TROUBLE;
  atexit (close_stdout);

  struct detector_run run = { .d = d };
  run.state = state;
  cli_init (&run.cli, d->tool);
  int c;
  while ((c = getopt_long (argc, argv, CLI_COMMON_SHORT_OPTIONS, d->long_options, NULL)) != -1)
    {
      int r = cli_handle_option (&run.cli, c, optarg);
      if (r > 0)
        continue;
      if (r < 0)
        return cli_usage_error (&run.cli);
      switch (c)
        {
        case DETECTOR_OPT_VERDICT: run.verdict_only = true; break;
        case DETECTOR_OPT_KNOWN: run.known_file = optarg; break;
        case CLI_OPT_HELP: d->usage (); return 0;
        case CLI_OPT_VERSION: return cli_print_version (&run.cli);
        default:
          if (c < DETECTOR_OPT_TOOL_BASE || !d->option || d->option (&run, c, optarg) < 0)
            return cli_usage_error (&run.cli);
        }
    }

  if (cli_load_rules (&run.cli, &run.rules) < 0)
    return CLI_EXIT_TROUBLE;
  if (run.cli.check_rules)
    {
      int problems = rules_compile_all (&run.rules, stderr)
                     + rules_check_examples (&run.rules, d->tool,
                                               d->check_example ? d->check_example : detect_text,
                                               &run, stderr);
      rules_free (&run.rules);
      return problems ? CLI_EXIT_TROUBLE : 0;
    }

  char err[1024];
  if (profile_load (&run.profile, run.cli.config, err, sizeof err) < 0
      || (run.known_file
          && profile_add_known_file (&run.profile, run.known_file, err, sizeof err) < 0))
    {
      error (0, 0, "%s", err);
      return CLI_EXIT_TROUBLE;
    }
  int started = d->start ? d->start (&run) : 0;
  if (started != 0)
    {
      if (d->finish)
        d->finish (&run);
      profile_free (&run.profile);
      rules_free (&run.rules);
      return started > 0 ? 0 : CLI_EXIT_TROUBLE;
    }

  cli_for_each_message (&run.cli, argc - optind, argv + optind, NULL, check_message, &run);

  if (d->finish)
    d->finish (&run);
  findings_clear (&run.findings);
  free (run.findings.v);
  profile_free (&run.profile);
  rules_free (&run.rules);
  if (run.cli.trouble && !(run.cli.quiet && run.found))
    return CLI_EXIT_TROUBLE;
  return run.found ? CLI_EXIT_FOUND : CLI_EXIT_NONE;
}
