/* cli.c: the shared command-line layer: option handling, inputs, message iteration. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "cli.h"

#include <dirent.h>
#include <locale.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gettext.h"
#include "quotearg.h"
#include "version-etc.h"
#include "findings.h"
#include "rules.h"
#include <unistd.h>

#define _(msgid) gettext (msgid)

void
cli_set_locale (void)
{
  /* Only the categories the tools use: the character set (quoting, iconv) and the messages.
     Numbers are read and printed in the C locale whatever the user's, and nothing here
     collates, formats dates or money.  Setting LC_ALL made glibc open and map a file per
     category, 13 of them where the locale is not in an archive, for each delivery. */
  setlocale (LC_CTYPE, "");
  setlocale (LC_MESSAGES, "");
  const char *localedir = getenv ("RITTBERGER_LOCALEDIR");
  bindtextdomain (PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  textdomain (PACKAGE);
}

void
cli_init (struct cli *cli, const char *program)
{
  memset (cli, 0, sizeof *cli);
  cli->program = program;
  cli->label = _("(standard input)");
  cli->format = CLI_FORMAT_TEXT;
}

int
cli_handle_option (struct cli *cli, int c, const char *arg)
{
  switch (c)
    {
    case CLI_OPT_FILES_FROM: cli->files_from = arg; return 1;
    case '0': cli->null_separated = true; return 1;
    case CLI_OPT_LABEL: cli->label = arg; return 1;
    case 'q': cli->quiet = true; return 1;
    case 'l': cli->files_with_matches = true; return 1;
    case 'c': cli->count = true; return 1;
    case CLI_OPT_RULES: cli->rules_dir = arg; return 1;
    case CLI_OPT_CONFIG: cli->config = arg; return 1;
    case CLI_OPT_CHECK_RULES: cli->check_rules = true; return 1;
    case CLI_OPT_FORMAT:
      if (strcmp (arg, "text") == 0)
        cli->format = CLI_FORMAT_TEXT;
      else if (strcmp (arg, "tsv") == 0)
        cli->format = CLI_FORMAT_TSV;
      else if (strcmp (arg, "json") == 0)
        cli->format = CLI_FORMAT_JSON;
      else
        {
          error (0, 0, _("invalid format %s (use text, tsv or json)"), quote (arg));
          return -1;
        }
      return 1;
    default:
      return 0;
    }
}

int
cli_usage_error (const struct cli *cli)
{
  fprintf (stderr, _("Try '%s --help' for more information.\n"), cli->program);
  return CLI_EXIT_TROUBLE;
}

void
cli_print_common_help (void)
{
  fputs (_("\
Input:\n\
      --files-from=FILE   read the names of input files from FILE (- = stdin)\n\
  -0, --null              names in --files-from end in NUL, not newline\n\
      --label=LABEL       name standard input LABEL in the output\n\
Output:\n\
  -q, --quiet, --silent   print nothing; only the exit status tells\n\
  -l, --files-with-matches  print only the names of inputs with findings\n\
  -c, --count             print the number of findings per input\n\
      --format=FORMAT     text (default), tsv (the findings stream) or json\n\
Rules and profile:\n\
      --rules=DIR         read the rules from DIR (default: $RITTBERGER_RULES,\n\
                          else the installed ones)\n\
      --config=FILE       read the recipient profile from FILE\n\
      --check-rules       compile every rule, run its examples, report problems\n\
      --help              display this help and exit\n\
      --version           output version information and exit\n"), stdout);
}

/* gnulib's version_etc prints this; the authors, not the FSF, hold the copyright. */
const char version_etc_copyright[] = "Copyright %s %d The rittberger authors.";

int
cli_print_version (const struct cli *cli)
{
  version_etc (stdout, cli->program, PACKAGE_NAME, PACKAGE_VERSION, (char *) NULL);
  return 0;
}

void
cli_begin_output (struct cli *cli)
{
  if (cli->format == CLI_FORMAT_TSV && !cli->stream_begun && !cli->quiet)
    puts (FINDINGS_MAGIC);
  cli->stream_begun = true;
}

/* Read every message of one input; LABEL is its name as shown. */
static int
run_input (struct cli *cli, const char *path, const char *label, cli_input_fn input_fn,
           cli_message_fn fn, void *arg)
{
  if (cli->idle && strcmp (path, "-") == 0)
    cli->idle (arg);
  struct msg_input *in = msg_input_open (path);
  if (!in)
    {
      error (0, errno, "%s", quotef (label));
      cli->trouble = true;
      return -1;
    }
  int status = 0;
  if (input_fn && input_fn (in, label, arg) < 0)
    status = -1;
  bool mbox = msg_input_is_mbox (in);
  size_t labellen = strlen (label);
  /* An mbox's messages are named "LABEL:N": the label is copied once, the number per message
     (by hand: snprintf cost more than the rest of this loop). */
  char *numbered = mbox ? malloc (labellen + 24) : NULL;
  if (numbered)
    {
      memcpy (numbered, label, labellen);
      numbered[labellen] = ':';
    }
  struct msg m;
  int r;
  while (status == 0 && (r = msg_input_next (in, &m)) > 0)
    {
      const char *name = label;
      if (numbered)
        {
          findings_format_size (numbered + labellen + 1, m.index + 1);
          name = numbered;
        }
      if (fn (&m, name, in, arg) < 0)
        status = -1;
      msg_free (&m);
    }
  if (status == 0 && r < 0)
    {
      error (0, errno, "%s", quotef (label));
      status = -1;
    }
  free (numbered);
  msg_input_close (in);
  if (status < 0)
    cli->trouble = true;
  return status;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Read every message file in DIR's cur/ and new/ (a maildir), in name order per folder. */
static int
run_maildir (struct cli *cli, const char *dir, cli_input_fn input_fn, cli_message_fn fn,
             void *arg)
{
  static const char *const folders[] = { "cur", "new" };
  int status = 0;
  for (size_t k = 0; k < 2; k++)
    {
      char *path = malloc (strlen (dir) + 8);
      if (!path)
        return -1;
      sprintf (path, "%s/%s", dir, folders[k]);
      DIR *d = opendir (path);
      if (!d)
        {
          error (0, errno, "%s", quotef (path));
          cli->trouble = true;
          free (path);
          status = -1;
          continue;
        }
      char **names = NULL;
      size_t n = 0, cap = 0;
      struct dirent *e;
      while ((e = readdir (d)))
        {
          if (e->d_name[0] == '.')
            continue;
          if (n == cap)
            {
              cap = cap ? 2 * cap : 64;
              char **v = realloc (names, cap * sizeof *v);
              if (!v)
                break;
              names = v;
            }
          char *name = malloc (strlen (path) + strlen (e->d_name) + 2);
          if (!name)
            break;
          sprintf (name, "%s/%s", path, e->d_name);
          names[n++] = name;
        }
      closedir (d);
      qsort (names, n, sizeof *names, compare_names);
      for (size_t i = 0; i < n; i++)
        {
          if (run_input (cli, names[i], names[i], input_fn, fn, arg) < 0)
            status = -1;
          free (names[i]);
        }
      free (names);
      free (path);
    }
  return status;
}

/* Read one operand: a file, or a maildir directory. */
static int
run_operand (struct cli *cli, const char *path, const char *label, cli_input_fn input_fn,
             cli_message_fn fn, void *arg)
{
  struct stat st;
  if (strcmp (path, "-") != 0 && stat (path, &st) == 0 && S_ISDIR (st.st_mode))
    {
      char *cur = malloc (strlen (path) + 8);
      bool maildir = false;
      if (cur)
        {
          sprintf (cur, "%s/cur", path);
          maildir = access (cur, X_OK) == 0;
          free (cur);
        }
      if (maildir)
        return run_maildir (cli, path, input_fn, fn, arg);
      error (0, EISDIR, "%s", quotef (label));
      cli->trouble = true;
      return -1;
    }
  return run_input (cli, path, label, input_fn, fn, arg);
}

/* Read the list of names for --files-from, one per line or NUL-separated. */
static int
run_files_from (struct cli *cli, cli_input_fn input_fn, cli_message_fn fn, void *arg)
{
  bool is_stdin = strcmp (cli->files_from, "-") == 0;
  FILE *list = is_stdin ? stdin : fopen (cli->files_from, "r");
  if (!list)
    {
      error (0, errno, "%s", quotef (cli->files_from));
      cli->trouble = true;
      return -1;
    }
  int status = 0;
  char *name = NULL;
  size_t size = 0;
  ssize_t len;
  int delim = cli->null_separated ? '\0' : '\n';
  for (;;)
    {
      if (cli->idle)
        cli->idle (arg);        /* the next name may be slow to come */
      if ((len = getdelim (&name, &size, delim, list)) <= 0)
        break;
      if (name[len - 1] == delim)
        name[--len] = '\0';
      if (len == 0)
        continue;
      if (run_operand (cli, name, name, input_fn, fn, arg) < 0)
        status = -1;
    }
  if (ferror (list))
    {
      error (0, errno, "%s", quotef (cli->files_from));
      cli->trouble = true;
      status = -1;
    }
  free (name);
  if (!is_stdin)
    fclose (list);
  return status;
}

static int
for_each_message (struct cli *cli, int argc, char **argv, cli_input_fn input_fn,
                  cli_message_fn fn, void *arg)
{
  int status = 0;
  if (cli->files_from && run_files_from (cli, input_fn, fn, arg) < 0)
    status = -1;
  if (argc == 0 && !cli->files_from)
    return run_input (cli, "-", cli->label, input_fn, fn, arg);
  for (int i = 0; i < argc; i++)
    {
      bool is_stdin = strcmp (argv[i], "-") == 0;
      if (run_operand (cli, argv[i], is_stdin ? cli->label : argv[i], input_fn, fn, arg) < 0)
        status = -1;
    }
  return status;
}

int
cli_for_each_message (struct cli *cli, int argc, char **argv, cli_input_fn input_fn,
                      cli_message_fn fn, void *arg)
{
  int status = for_each_message (cli, argc, argv, input_fn, fn, arg);
  if (cli->idle)
    cli->idle (arg);
  return status;
}

const char *
cli_rules_dir (const struct cli *cli)
{
  if (cli->rules_dir)
    return cli->rules_dir;
  const char *env = getenv ("RITTBERGER_RULES");
  if (env && *env)
    return env;
  if (access (RULESDIR, R_OK | X_OK) == 0)
    return RULESDIR;
  return ABS_SRCDIR_RULES;
}

int
cli_load_rules (const struct cli *cli, struct ruleset *rs)
{
  char err[1024];
  if (rules_load_dir (rs, cli_rules_dir (cli), err, sizeof err) < 0)
    {
      error (0, 0, "%s", err);
      return -1;
    }
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  const char *home = getenv ("HOME");
  char user[4096];
  if (xdg && *xdg)
    snprintf (user, sizeof user, "%s/rittberger", xdg);
  else if (home)
    snprintf (user, sizeof user, "%s/.config/rittberger", home);
  else
    return 0;
  if (access (user, R_OK | X_OK) == 0 && rules_load_dir (rs, user, err, sizeof err) < 0)
    {
      error (0, 0, "%s", err);
      return -1;
    }
  return 0;
}

void
cli_locate (const struct msg *m, const struct ruleset *rs, struct findings *f)
{
  for (size_t i = 0; i < f->n; i++)
    {
      struct finding *x = &f->v[i];
      struct msg_pos pos = rules_in_subject (rs, x) ? msg_field_position (m, "Subject")
                                                    : msg_position (m, x->off);
      x->line = pos.line;
      x->col = pos.col;
      const struct rule *r = rs ? rules_find (rs, x->rule) : NULL;
      if (r)
        x->weight = r->weight;
    }
}

void
cli_report (struct cli *cli, const char *label, const char *tool, const struct findings *f,
            bool found, const char *verdict, double score, const char *details,
            bool verdict_line)
{
  if (cli->quiet)
    return;
  if (cli->files_with_matches)
    {
      if (found)
        printf ("%s%c", label, cli->null_separated ? '\0' : '\n');
      return;
    }
  if (cli->count)
    {
      printf ("%s:%zu\n", label, findings_counted (f));
      return;
    }
  switch (cli->format)
    {
    case CLI_FORMAT_TSV:
      cli_begin_output (cli);
      findings_write_tsv (stdout, label, tool, f);
      findings_write_verdict_tsv (stdout, label, tool, verdict, score, details);
      break;
    case CLI_FORMAT_JSON:
      findings_write_json (stdout, label, tool, f);
      findings_write_verdict_json (stdout, label, tool, verdict, score, details);
      break;
    case CLI_FORMAT_TEXT:
      if (verdict_line)
        printf ("%s\t%s\t%s\n", label, verdict, details ? details : "");
      else
        findings_write_text (stdout, label, f);
      break;
    }
}
