/* cli.h: the command-line layer every tool shares: options, input iteration, exit status, output format. */
#ifndef RITTBERGER_CLI_H
#define RITTBERGER_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "msg.h"
#include "quote.h"
#include "quotearg.h"

/* A file name quoted for a diagnostic only where it needs it, as coreutils does. */
#define quotef(arg) quotearg_n_style_colon (0, shell_escape_quoting_style, arg)

/* Exit statuses of the detectors (grep's convention). */
enum
{
  CLI_EXIT_FOUND = 0,
  CLI_EXIT_NONE = 1,
  CLI_EXIT_TROUBLE = 2,
};

enum cli_format
{
  CLI_FORMAT_TEXT,
  CLI_FORMAT_TSV,
  CLI_FORMAT_JSON,
};

/* Long-only option codes of the shared options, above any short option character. */
enum
{
  CLI_OPT_FILES_FROM = 0x100,
  CLI_OPT_LABEL,
  CLI_OPT_FORMAT,
  CLI_OPT_RULES,
  CLI_OPT_CONFIG,
  CLI_OPT_CHECK_RULES,
  CLI_OPT_HELP,
  CLI_OPT_VERSION,
  CLI_OPT_TOOL_BASE = 0x200       /* a tool numbers its own long-only options from here */
};

/* The shared options, for a tool's getopt_long table (end the table with {NULL, 0, NULL, 0}). */
#define CLI_COMMON_LONG_OPTIONS \
  {"files-from", required_argument, NULL, CLI_OPT_FILES_FROM}, \
  {"null", no_argument, NULL, '0'}, \
  {"label", required_argument, NULL, CLI_OPT_LABEL}, \
  {"quiet", no_argument, NULL, 'q'}, \
  {"silent", no_argument, NULL, 'q'}, \
  {"files-with-matches", no_argument, NULL, 'l'}, \
  {"count", no_argument, NULL, 'c'}, \
  {"format", required_argument, NULL, CLI_OPT_FORMAT}, \
  {"rules", required_argument, NULL, CLI_OPT_RULES}, \
  {"config", required_argument, NULL, CLI_OPT_CONFIG}, \
  {"check-rules", no_argument, NULL, CLI_OPT_CHECK_RULES}, \
  {"help", no_argument, NULL, CLI_OPT_HELP}, \
  {"version", no_argument, NULL, CLI_OPT_VERSION}

/* The short options of the shared layer, for a tool's getopt_long option string. */
#define CLI_COMMON_SHORT_OPTIONS "0qlc"

struct cli
{
  const char *program;          /* the tool's name, for messages */
  const char *files_from;       /* --files-from FILE, "-" = stdin */
  bool null_separated;          /* -0: the list is NUL-separated */
  const char *label;            /* name shown for stdin */
  bool quiet;                   /* -q */
  bool files_with_matches;      /* -l */
  bool count;                   /* -c */
  enum cli_format format;
  const char *rules_dir;        /* --rules DIR */
  const char *config;           /* --config FILE */
  bool check_rules;             /* --check-rules */
  bool trouble;                 /* an input or output failed */
  bool stream_begun;            /* the findings stream header is written */
  /* If set, cli_for_each_message calls it with its ARG before it may wait for input (reading
     standard input, the next --files-from name) and at the end, so a tool can commit work it
     batches (the template store) without holding a lock while nothing happens. */
  void (*idle) (void *arg);
};

/* Set up the locale for a tool: messages and character classes from the environment, numbers
   always with '.' (rule files, profiles and the findings stream must read the same everywhere),
   and the message catalogue from $RITTBERGER_LOCALEDIR (an uninstalled build) or LOCALEDIR. */
void cli_set_locale (void);

/* Start with the defaults for the tool PROGRAM. */
void cli_init (struct cli *cli, const char *program);

/* Handle option C with argument ARG if it is a shared one: return 1 if handled, 0 if not one of
   them, -1 if its argument was wrong (the message is printed). */
int cli_handle_option (struct cli *cli, int c, const char *arg);

/* Print "Try 'PROGRAM --help' for more information." to stderr and return CLI_EXIT_TROUBLE. */
int cli_usage_error (const struct cli *cli);

/* Print the shared options' help text (translated) to stdout. */
void cli_print_common_help (void);

/* Print the --version text and return 0. */
int cli_print_version (const struct cli *cli);

/* Called once per message; LABEL names the message (file name, or FILE:N inside an mbox).
   Return 0, or -1 to stop with trouble (the callback has printed why). */
typedef int (*cli_message_fn) (struct msg *m, const char *label, struct msg_input *in, void *arg);

/* Called once per input before its messages, to let pass-through tools see the raw input. */
typedef int (*cli_input_fn) (struct msg_input *in, const char *label, void *arg);

/* Run FN over every message of the operands ARGV[0..ARGC) (none means stdin, "-" is stdin; a
   maildir directory means every file in its cur/ and new/) and of --files-from; report unreadable files as "PROGRAM: FILE: reason" and set cli->trouble.
   INPUT_FN may be NULL.  Return 0 if every input was read, -1 otherwise. */
int cli_for_each_message (struct cli *cli, int argc, char **argv, cli_input_fn input_fn,
                          cli_message_fn fn, void *arg);

struct ruleset;

/* The rules directory: --rules, else $RITTBERGER_RULES, else the installed one, else (in a build
   tree that was never installed) the source tree's rules/. */
const char *cli_rules_dir (const struct cli *cli);

/* Load the rules directory and then the user's *.rules in $XDG_CONFIG_HOME/rittberger/; print
   "PROGRAM: FILE:LINE: message" on error and return -1. */
int cli_load_rules (const struct cli *cli, struct ruleset *rs);

struct findings;

/* Fill in LINE:COL of every finding from its body offset, and its weight from RS (may be NULL). */
void cli_locate (const struct msg *m, const struct ruleset *rs, struct findings *f);

/* Print one message's findings in the chosen format (nothing with -q; the name with -l if FOUND;
   "LABEL:N" with -c); with VERDICT_LINE, print "LABEL<TAB>VERDICT<TAB>DETAILS" instead of findings
   in text format.  The tsv format always ends with the verdict record. */
void cli_report (struct cli *cli, const char *label, const char *tool, const struct findings *f,
                 bool found, const char *verdict, double score, const char *details,
                 bool verdict_line);

/* Write the findings stream header once per run of CLI when the format is TSV. */
void cli_begin_output (struct cli *cli);

#endif
