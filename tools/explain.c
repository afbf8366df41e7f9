/* explain: the four-sides reading of a message or a findings stream, and a reply draft, for people. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "closeout.h"
#include "error.h"
#include "exitfail.h"
#include "gettext.h"
#include "progname.h"

#include "analyze.h"
#include "cli.h"
#include "explain.h"
#include "profile.h"
#include "rules.h"
#include "score.h"

#define _(msgid) gettext (msgid)
#define TOOL "explain"

enum
{
  OPT_LANG = CLI_OPT_TOOL_BASE,
  OPT_REPLY,
  OPT_COLOR,
  OPT_WIDTH,
  OPT_KNOWN,
};

/* The shared options that make sense for a report (not -l, -c or --check-rules), and ours. */
static const struct option long_options[] = {
  {"files-from", required_argument, NULL, CLI_OPT_FILES_FROM},
  {"null", no_argument, NULL, '0'},
  {"label", required_argument, NULL, CLI_OPT_LABEL},
  {"quiet", no_argument, NULL, 'q'},
  {"silent", no_argument, NULL, 'q'},
  {"format", required_argument, NULL, CLI_OPT_FORMAT},
  {"rules", required_argument, NULL, CLI_OPT_RULES},
  {"config", required_argument, NULL, CLI_OPT_CONFIG},
  {"help", no_argument, NULL, CLI_OPT_HELP},
  {"version", no_argument, NULL, CLI_OPT_VERSION},
  {"lang", required_argument, NULL, OPT_LANG},
  {"reply", no_argument, NULL, OPT_REPLY},
  {"color", optional_argument, NULL, OPT_COLOR},
  {"colour", optional_argument, NULL, OPT_COLOR},
  {"width", required_argument, NULL, OPT_WIDTH},
  {"known", required_argument, NULL, OPT_KNOWN},
  {NULL, 0, NULL, 0}
};

struct run
{
  struct cli cli;
  struct explain_options options;
  const char *known_file;
  struct profile profile;
  struct ruleset rules;
  struct score_config config;
  bool stream_input;            /* the current input is a findings stream, already explained */
  bool objects;                 /* some message has something to object to */
  size_t reports;
};

static void
usage (void)
{
  printf (_("Usage: %s [OPTION]... [FILE]...\n"), TOOL);
  fputs (_("\
Explain what a message says on its four sides (Schulz von Thun: factual\n\
content, self-disclosure, relationship, appeal): the verdict and score, every\n\
finding in context, what each side tells the reader, what a sender doing it\n\
right would have done, and, if asked, a polite reply that declines.  FILE is a\n\
text file, a mail, an mbox, a maildir, or a findings stream from the detectors\n\
or score-outreach (its first line is \"#rittberger-findings 1\"); with no FILE,\n\
or when FILE is -, read standard input.\n\
\n\
      --lang=LANG         write the report in LANG: de or en (default: from the\n\
                          locale)\n\
      --format=FORMAT     text (default), markdown or json\n\
      --reply             add a reply draft in the message's language (nothing\n\
                          is ever sent)\n\
      --color[=WHEN]      colour and emphasis: auto (default), always or never\n\
      --width=COLUMNS     wrap text at COLUMNS (0: do not wrap; default:\n\
                          $COLUMNS, else the terminal's width, else 80)\n\
      --known=FILE        addresses of known correspondents, one per line\n\
\n\
Input:\n\
      --files-from=FILE   read the names of the input files from FILE ('-' =\n\
                          stdin)\n\
  -0, --null              names in --files-from are separated by NUL, not\n\
                          newline\n\
      --label=LABEL       name standard input LABEL in the output\n\
Output:\n\
  -q, --quiet, --silent   print nothing; only the exit status tells\n\
Rules and profile:\n\
      --rules=DIR         read the rules from DIR (default: $RITTBERGER_RULES\n\
                          or the installed ones)\n\
      --config=FILE       read the recipient profile from FILE\n\
      --help              display this help and exit\n\
      --version           output version information and exit\n\
\n\
Exit status is 0 if a message has something to object to, 1 if none has,\n\
2 on trouble (with -q, something to object to wins over trouble).\n"), stdout);
}

/* Parse a column count of at most 9999; return it, or -1 if S is not one. */
static long
parse_columns (const char *s)
{
  if (!s || *s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  unsigned long n = strtoul (s, &end, 10);
  return *end || errno || n > 9999 ? -1 : (long) n;
}

/* The width to wrap at when --width is not given: $COLUMNS, else the terminal's, else 80. */
static size_t
default_width (void)
{
  long n = parse_columns (getenv ("COLUMNS"));
  if (n > 0)
    return n;
  struct winsize ws;
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

/* Colour on a terminal unless NO_COLOR is set (then emphasis only) or TERM is dumb. */
static enum explain_style
auto_style (void)
{
  const char *term = getenv ("TERM");
  if (!isatty (STDOUT_FILENO) || (term && strcmp (term, "dumb") == 0))
    return EXPLAIN_PLAIN;
  const char *no_color = getenv ("NO_COLOR");
  return no_color && *no_color ? EXPLAIN_EMPHASIS : EXPLAIN_COLOR;
}

static int
print_report (const struct explain_report *r, void *arg)
{
  struct run *run = arg;
  run->objects |= explain_objects (r);
  if (run->cli.quiet)
    return 0;
  if (run->reports++ > 0 && run->options.format == EXPLAIN_FORMAT_TEXT)
    putchar ('\n');
  else if (run->reports > 1 && run->options.format == EXPLAIN_FORMAT_MARKDOWN)
    puts ("\n---\n");
  if (explain_write (stdout, r, &run->options) < 0)
    {
      if (!ferror (stdout))
        error (0, errno, "%s", quotef (r->label));
      return -1;
    }
  return 0;
}

/* Explain a findings stream at once, and skip the input's messages. */
static int
check_input (struct msg_input *in, const char *label, void *arg)
{
  struct run *run = arg;
  size_t len;
  const char *data = msg_input_data (in, &len);
  run->stream_input = explain_is_stream (data, len);
  if (!run->stream_input)
    return 0;
  int r = explain_stream (data, len, label, &run->rules, &run->config, print_report, run,
                          program_name, stderr);
  if (r < 0 && errno == ENOMEM)
    error (0, errno, "%s", quotef (label));
  return r != 0 ? -1 : 0;
}

static int
explain_one (struct msg *m, const char *label, struct msg_input *in, void *arg)
{
  (void) in;
  struct run *run = arg;
  if (run->stream_input)
    return 0;
  struct analyzer a = { .rules = &run->rules, .profile = &run->profile };
  struct explain_report r;
  if (explain_message (&r, &a, &run->config, m, label) < 0)
    {
      error (0, errno, "%s", quotef (label));
      explain_report_free (&r);
      return -1;
    }
  int status = print_report (&r, run);
  explain_report_free (&r);
  return status;
}

int
main (int argc, char **argv)
{
  set_program_name (argv[0]);
  cli_set_locale ();
  exit_failure = CLI_EXIT_TROUBLE;
  atexit (close_stdout);

  static struct run run;
  cli_init (&run.cli, TOOL);
  score_config_init (&run.config);
  run.options.lang = explain_lang_from_env ();
  run.options.style = auto_style ();
  run.options.width = default_width ();
  int c;
  while ((c = getopt_long (argc, argv, "0q", long_options, NULL)) != -1)
    {
      switch (c)
        {
        case CLI_OPT_FORMAT:
          if (strcmp (optarg, "text") == 0)
            run.options.format = EXPLAIN_FORMAT_TEXT;
          else if (strcmp (optarg, "markdown") == 0)
            run.options.format = EXPLAIN_FORMAT_MARKDOWN;
          else if (strcmp (optarg, "json") == 0)
            run.options.format = EXPLAIN_FORMAT_JSON;
          else
            {
              error (0, 0, _("invalid format %s (use text, markdown or json)"), quote (optarg));
              return cli_usage_error (&run.cli);
            }
          continue;
        case OPT_LANG:
          if (explain_parse_lang (optarg, &run.options.lang) < 0)
            {
              error (0, 0, _("invalid language %s (use de or en)"), quote (optarg));
              return cli_usage_error (&run.cli);
            }
          continue;
        case OPT_REPLY: run.options.reply = true; continue;
        case OPT_KNOWN: run.known_file = optarg; continue;
        case OPT_COLOR:
          /* Asking for colour on the command line overrides NO_COLOR (no-color.org). */
          if (!optarg || strcmp (optarg, "always") == 0 || strcmp (optarg, "yes") == 0)
            run.options.style = EXPLAIN_COLOR;
          else if (strcmp (optarg, "never") == 0 || strcmp (optarg, "no") == 0)
            run.options.style = EXPLAIN_PLAIN;
          else if (strcmp (optarg, "auto") == 0)
            run.options.style = auto_style ();
          else
            {
              error (0, 0, _("invalid argument %s for %s (use auto, always or never)"),
                     quote (optarg), "--color");
              return cli_usage_error (&run.cli);
            }
          continue;
        case OPT_WIDTH:
          {
            long n = parse_columns (optarg);
            if (n < 0)
              {
                error (0, 0, _("invalid width %s"), quote (optarg));
                return cli_usage_error (&run.cli);
              }
            run.options.width = n;
          }
          continue;
        case CLI_OPT_HELP: usage (); return 0;
        case CLI_OPT_VERSION: return cli_print_version (&run.cli);
        }
      if (cli_handle_option (&run.cli, c, optarg) <= 0)
        return cli_usage_error (&run.cli);
    }

  if (cli_load_rules (&run.cli, &run.rules) < 0)
    return CLI_EXIT_TROUBLE;
  char err[1024];
  if (profile_load (&run.profile, run.cli.config, err, sizeof err) < 0
      || (run.known_file
          && profile_add_known_file (&run.profile, run.known_file, err, sizeof err) < 0))
    {
      error (0, 0, "%s", err);
      return CLI_EXIT_TROUBLE;
    }
  score_config_from_profile (&run.config, &run.profile);
  run.options.address_form = run.profile.address_form;

  cli_for_each_message (&run.cli, argc - optind, argv + optind, check_input, explain_one, &run);

  score_config_free (&run.config);
  profile_free (&run.profile);
  rules_free (&run.rules);
  if (run.cli.trouble && !(run.cli.quiet && run.objects))
    return CLI_EXIT_TROUBLE;
  return run.objects ? CLI_EXIT_FOUND : CLI_EXIT_NONE;
}
