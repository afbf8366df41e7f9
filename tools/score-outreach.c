/* score-outreach: weigh every signal into one verdict per message, for pipelines and mail hooks. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "closeout.h"
#include "error.h"
#include "exitfail.h"
#include "gettext.h"
#include "progname.h"
#include "xstrtod.h"

#include "analyze.h"
#include "annotate.h"
#include "cli.h"
#include "findings.h"
#include "msg.h"
#include "profile.h"
#include "rules.h"
#include "score.h"
#include "store.h"
#include "text.h"

#define _(msgid) gettext (msgid)
#define TOOL SCORE_TOOL

enum
{
  OPT_REPORT = CLI_OPT_TOOL_BASE,
  OPT_THRESHOLD,
  OPT_UNSURE,
  OPT_WEIGHT,
  OPT_FINDINGS,
  OPT_KNOWN,
  OPT_PROGRESS,
  OPT_STORE,
  OPT_NO_STORE,
  OPT_NO_LEARN,
};

static const struct option long_options[] = {
  CLI_COMMON_LONG_OPTIONS,
  {"annotate", no_argument, NULL, 'p'},
  {"passthrough", no_argument, NULL, 'p'},
  {"report", no_argument, NULL, OPT_REPORT},
  {"exit-zero", no_argument, NULL, 'e'},
  {"threshold", required_argument, NULL, OPT_THRESHOLD},
  {"unsure", required_argument, NULL, OPT_UNSURE},
  {"weight", required_argument, NULL, OPT_WEIGHT},
  {"findings", no_argument, NULL, OPT_FINDINGS},
  {"known", required_argument, NULL, OPT_KNOWN},
  {"progress", no_argument, NULL, OPT_PROGRESS},
  {"store", required_argument, NULL, OPT_STORE},
  {"no-store", no_argument, NULL, OPT_NO_STORE},
  {"no-learn", no_argument, NULL, OPT_NO_LEARN},
  {NULL, 0, NULL, 0}
};

struct run
{
  struct cli cli;
  bool annotate, report, exit_zero, from_findings, progress;
  const char *known_file;
  double threshold, unsure;     /* from options; negative = not given */
  struct profile profile;
  struct ruleset rules;
  struct score_config config;
  struct analyzer analyzer;     /* the detectors, with the template store */
  const char *store_path;       /* --store, NULL: the default */
  bool no_store;
  struct findings findings;
  size_t passed;                /* pass-through: bytes of the current input already written */
  size_t messages, outreach, unsure_count;
  time_t last_progress;
};

static void
usage (void)
{
  printf (_("Usage: %s [OPTION]... [FILE]...\n"), TOOL);
  fputs (_("\
Weigh every rittberger signal (unasked du, bait questions, templates) into one\n\
verdict per message: OUTREACH, UNSURE or CLEAN.  FILE is a text file, a mail,\n\
an mbox or a maildir; with no FILE, or when FILE is -, read standard input.\n\
Prints FILE, VERDICT, SCORE and the rules that fired, tab-separated.\n\
\n\
  -p, --annotate          pass-through for mail hooks: write each message back\n\
                          unchanged but for the header fields X-Outreach-Status\n\
                          and X-Outreach-Score (forged ones removed); exits 0\n\
                          unless something is really wrong\n\
      --passthrough       the same as --annotate\n\
      --report            with -p, add X-Outreach-Report, a line per rule\n\
  -e, --exit-zero         exit 0 whatever the verdict, unless there is trouble\n\
      --threshold=SCORE   call a message outreach from SCORE on (default 5.0)\n\
      --unsure=SCORE      call it unsure from SCORE on (default 3.0)\n\
      --weight=RULE=N     give RULE the weight N (repeatable)\n\
      --findings          read a findings stream on stdin instead of messages\n\
      --known=FILE        addresses of known correspondents, one per line\n\
      --progress          show progress on stderr when it is a terminal\n\
      --store=PATH        the template fingerprint store (default\n\
                          $XDG_DATA_HOME/rittberger/templates.sqlite)\n\
      --no-store          no store: judge each message in itself\n\
      --no-learn          look messages up without remembering them\n"), stdout);
  cli_print_common_help ();
  fputs (_("\
\n\
Exit status, as bogofilter's: 0 if a message is outreach, 2 if none is but one\n\
is unsure, 1 if all are clean, 3 on trouble.\n"), stdout);
}

static void
show_progress (struct run *run, bool last)
{
  if (!run->progress)
    return;
  time_t now = time (NULL);
  if (!last && now == run->last_progress)
    return;
  run->last_progress = now;
  putc ('\r', stderr);
  fprintf (stderr, _("%zu messages, %zu outreach, %zu unsure"), run->messages, run->outreach,
           run->unsure_count);
  if (last)
    putc ('\n', stderr);
}

/* Score the findings gathered for one message and print its line (unless in pass-through). */
static void
count_verdict (struct run *run, enum score_verdict v)
{
  run->messages++;
  run->outreach += v == SCORE_OUTREACH;
  run->unsure_count += v == SCORE_UNSURE;
  show_progress (run, false);
}

static void
print_verdict (struct run *run, const char *label, const struct score_result *res)
{
  /* Quiet (the procmail path): the verdict is counted already, and nothing here is printed. */
  if (run->cli.quiet)
    return;
  char tests[4096], score[32];
  score_tests_list (res, tests, sizeof tests);
  score_format (res->score, score);
  switch (run->cli.format)
    {
    case CLI_FORMAT_TSV:
      cli_begin_output (&run->cli);
      findings_write_tsv (stdout, label, TOOL, &run->findings);
      findings_write_verdict_tsv (stdout, label, TOOL, score_verdict_name (res->verdict),
                                  res->score, tests);
      break;
    case CLI_FORMAT_JSON:
      findings_write_json (stdout, label, TOOL, &run->findings);
      findings_write_verdict_json (stdout, label, TOOL, score_verdict_name (res->verdict),
                                   res->score, tests);
      break;
    case CLI_FORMAT_TEXT:
      if (run->cli.files_with_matches)
        {
          if (res->verdict == SCORE_OUTREACH)
            printf ("%s%c", label, run->cli.null_separated ? '\0' : '\n');
        }
      else if (run->cli.count)
        printf ("%s:%zu\n", label, findings_counted (&run->findings));
      else
        {
          /* "%s\t%s\t%s\t%s\n" without printf's parsing of it, a tenth of this function. */
          fputs (label, stdout);
          putc ('\t', stdout);
          fputs (score_verdict_name (res->verdict), stdout);
          putc ('\t', stdout);
          fputs (score, stdout);
          putc ('\t', stdout);
          fputs (tests, stdout);
          putc ('\n', stdout);
        }
      break;
    }
}

/* Warn once that the store failed; the analysis goes on without the bulk evidence. */
static void
store_warning (struct run *run)
{
  static bool warned;
  if (!warned)
    error (0, 0, _("warning: template store: %s"), store_error (run->analyzer.store));
  warned = true;
}

/* Commit what the store has batched: before waiting for input, and at the end. */
static void
flush_store (void *arg)
{
  struct run *run = arg;
  if (run->analyzer.store && store_flush (run->analyzer.store) != STORE_OK)
    store_warning (run);
}

/* Whether anything reads a message's findings once its verdict is known: the findings
   streams (tsv, json) print them, --count counts them and --check-rules compares them with a
   rule's examples.  The verdict line, -l, a quiet run and pass-through show only the verdict. */
static bool
findings_wanted (const struct run *run)
{
  if (run->cli.check_rules)
    return true;
  if (run->cli.quiet || run->annotate)
    return false;
  return run->cli.format != CLI_FORMAT_TEXT || run->cli.count;
}

/* Run every detector over M and score it into *RES; return 0, or -1 on ENOMEM. */
static int
score_message (struct run *run, const struct msg *m, struct score_result *res)
{
  struct text t;
  if (text_analyze (&t, m->body, m->body_len) < 0)
    return -1;
  findings_clear (&run->findings);
  struct analysis res_all;
  int r = analyze_message (&run->analyzer, m, &t, &run->findings, &res_all);
  text_free (&t);
  if (r < 0)
    return -1;
  if (res_all.store_status != STORE_OK)
    store_warning (run);
  struct score_context ctx;
  score_context_from_msg (&ctx, m, &run->profile);
  if (score_compute (&run->rules, &run->findings, &ctx, &run->config, res) < 0)
    return -1;
  /* The verdict is decided: what follows only shapes the findings for printing. */
  if (!findings_wanted (run))
    return 0;
  if (score_append_findings (res, &run->findings) < 0)
    {
      score_result_free (res);
      return -1;
    }
  findings_sort (&run->findings);
  /* Only the findings streams print positions; working them out is a tenth of the time on a
     large message full of findings. */
  if (!run->cli.quiet && run->cli.format != CLI_FORMAT_TEXT)
    cli_locate (m, &run->rules, &run->findings);
  return 0;
}

/* Write M annotated with its verdict RES, or unchanged if annotating fails (then warn). */
static int
write_annotated (struct run *run, const struct msg *m, const struct score_result *res)
{
  struct annotate_fields a;
  annotate_fields_from_result (&a, res);
  a.report = run->report;
  a.rules = &run->rules;
  a.lang = 1;
  if (annotate_write (stdout, m, &a) >= 0)
    return 0;
  if (ferror (stdout))
    return -1;
  error (0, errno, _("writing the message unannotated"));
  return fwrite (m->raw, 1, m->raw_len, stdout) == m->raw_len ? 0 : -1;
}

/* Pass-through of one input: every byte is copied, each message with its verdict fields added.
   A message that cannot be analysed is still written, unchanged. */
static int
pass_input (struct run *run, const char *path, const char *label)
{
  if (strcmp (path, "-") == 0)
    flush_store (run);          /* standard input may keep us waiting */
  struct msg_input *in = msg_input_open (path);
  if (!in)
    {
      error (0, errno, "%s", quotef (label));
      return -1;
    }
  size_t len, passed = 0;
  const char *data = msg_input_data (in, &len);
  int status = 0, r;
  struct msg m;
  while ((r = msg_input_next (in, &m)) > 0)
    {
      size_t start = m.raw - data;
      fwrite (data + passed, 1, start - passed, stdout);
      passed = start + m.raw_len;
      struct score_result res;
      if (score_message (run, &m, &res) == 0)
        {
          count_verdict (run, res.verdict);
          if (write_annotated (run, &m, &res) < 0)
            status = -1;
          score_result_free (&res);
        }
      else
        {
          error (0, errno, "%s", quotef (label));
          fwrite (m.raw, 1, m.raw_len, stdout);
        }
      msg_free (&m);
    }
  fwrite (data + passed, 1, len - passed, stdout);
  flush_store (run);
  if (r < 0)
    {
      error (0, errno, "%s", quotef (label));
      status = -1;
    }
  msg_input_close (in);
  return status;
}

static int
check_message (struct msg *m, const char *label, struct msg_input *in, void *arg)
{
  (void) in;
  struct run *run = arg;
  struct score_result res;
  if (score_message (run, m, &res) < 0)
    {
      error (0, errno, "%s", quotef (label));
      return -1;
    }
  count_verdict (run, res.verdict);
  print_verdict (run, label, &res);
  score_result_free (&res);
  return 0;
}

/* --findings: read a findings stream on stdin; score each message's findings. */
static int
score_stream (struct run *run)
{
  char *line = NULL, *label = NULL;
  size_t size = 0;
  ssize_t n;
  unsigned long lineno = 0;
  int status = 0;
  bool magic = false;
  findings_clear (&run->findings);
  while ((n = getline (&line, &size, stdin)) >= 0 || label)
    {
      struct findings_record rec = { 0 };
      int r = 0;
      if (n >= 0)
        {
          lineno++;
          line[strcspn (line, "\n")] = '\0';
          if (lineno == 1 && strncmp (line, "#rittberger-findings", 20) == 0)
            {
              magic = strcmp (line, FINDINGS_MAGIC) == 0;
              if (!magic)
                {
                  error (0, 0, _("%s:%lu: unsupported findings stream version"),
                         run->cli.label, lineno);
                  status = -1;
                  break;
                }
              continue;
            }
          r = findings_parse_line (line, &rec);
          if (r < 0)
            {
              error (0, 0, _("%s:%lu: malformed findings line"), run->cli.label, lineno);
              status = -1;
              continue;
            }
          if (r == 0)
            continue;
        }
      /* A message ends at its verdict record, at another label, or at the end. */
      bool ends = n < 0 || (label && strcmp (rec.label, label) != 0);
      if (ends && label)
        {
          struct score_result res;
          struct score_context ctx = { 0 };
          if (score_compute (&run->rules, &run->findings, &ctx, &run->config, &res) < 0
              || score_append_findings (&res, &run->findings) < 0)
            {
              error (0, errno, "%s", quotef (label));
              status = -1;
              break;
            }
          count_verdict (run, res.verdict);
          print_verdict (run, label, &res);
          score_result_free (&res);
          findings_clear (&run->findings);
          free (label);
          label = NULL;
        }
      if (n < 0)
        break;
      if (!label && !(label = strdup (rec.label)))
        {
          status = -1;
          break;
        }
      if (rec.kind == 'F')
        {
          const char *match = rec.f.match;
          if (findings_add (&run->findings, match, rec.f.rule, rec.f.cls, rec.f.severity,
                            rec.f.flags, 0, strlen (match)) < 0)
            {
              status = -1;
              break;
            }
          struct finding *x = &run->findings.v[run->findings.n - 1];
          x->line = rec.f.line;
          x->col = rec.f.col;
          x->weight = rec.f.weight;
        }
    }
  free (line);
  free (label);
  if (ferror (stdin))
    {
      error (0, errno, "%s", quotef (run->cli.label));
      status = -1;
    }
  return status;
}

static int
parse_score (const char *arg, double *out)
{
  if (!xstrtod (arg, NULL, out, strtod))
    {
      error (0, 0, _("invalid score %s"), quote (arg));
      return -1;
    }
  return 0;
}

/* One run of every detector over an example text, for --check-rules of score-outreach's rules. */
static int
detect_text (const char *s, size_t len, struct findings *out, void *arg)
{
  struct run *run = arg;
  struct msg m;
  if (msg_parse (&m, s, len) < 0)
    return -1;
  struct findings saved = run->findings;
  run->findings = *out;
  struct score_result res;
  int r = score_message (run, &m, &res);
  if (r == 0)
    score_result_free (&res);
  *out = run->findings;
  run->findings = saved;
  msg_free (&m);
  return r;
}

int
main (int argc, char **argv)
{
  set_program_name (argv[0]);
  cli_set_locale ();
  exit_failure = SCORE_EXIT_TROUBLE;
  atexit (close_stdout);

  static struct run run;
  cli_init (&run.cli, TOOL);
  run.threshold = run.unsure = -1;
  score_config_init (&run.config);
  int c;
  while ((c = getopt_long (argc, argv, CLI_COMMON_SHORT_OPTIONS "pe", long_options, NULL))
         != -1)
    {
      int r = cli_handle_option (&run.cli, c, optarg);
      if (r > 0)
        continue;
      if (r < 0)
        {
          cli_usage_error (&run.cli);
          return SCORE_EXIT_TROUBLE;
        }
      switch (c)
        {
        case 'p': run.annotate = true; break;
        case 'e': run.exit_zero = true; break;
        case OPT_REPORT: run.report = true; break;
        case OPT_FINDINGS: run.from_findings = true; break;
        case OPT_KNOWN: run.known_file = optarg; break;
        case OPT_PROGRESS: run.progress = isatty (STDERR_FILENO); break;
        case OPT_STORE: run.store_path = optarg; break;
        case OPT_NO_STORE: run.no_store = true; break;
        case OPT_NO_LEARN: run.analyzer.bulk.mode = TEMPLATE_NO_LEARN; break;
        case OPT_THRESHOLD:
          if (parse_score (optarg, &run.threshold) < 0)
            return SCORE_EXIT_TROUBLE;
          break;
        case OPT_UNSURE:
          if (parse_score (optarg, &run.unsure) < 0)
            return SCORE_EXIT_TROUBLE;
          break;
        case OPT_WEIGHT:
          if (score_config_parse_weight (&run.config, optarg) < 0)
            {
              error (0, 0, _("invalid weight %s (use RULE=NUMBER)"), quote (optarg));
              return SCORE_EXIT_TROUBLE;
            }
          break;
        case CLI_OPT_HELP: usage (); return 0;
        case CLI_OPT_VERSION: return cli_print_version (&run.cli);
        default:
          cli_usage_error (&run.cli);
          return SCORE_EXIT_TROUBLE;
        }
    }

  if (cli_load_rules (&run.cli, &run.rules) < 0)
    return SCORE_EXIT_TROUBLE;
  if (run.cli.check_rules)
    {
      /* Examples are judged in themselves: no store, no profile. */
      run.analyzer.rules = &run.rules;
      run.analyzer.profile = &run.profile;
      int problems = rules_compile_all (&run.rules, stderr)
                     + rules_check_examples (&run.rules, TOOL, detect_text, &run, stderr);
      return problems ? SCORE_EXIT_TROUBLE : 0;
    }

  char err[1024];
  if (profile_load (&run.profile, run.cli.config, err, sizeof err) < 0
      || (run.known_file
          && profile_add_known_file (&run.profile, run.known_file, err, sizeof err) < 0))
    {
      error (0, 0, "%s", err);
      return SCORE_EXIT_TROUBLE;
    }
  score_config_from_profile (&run.config, &run.profile);
  run.analyzer.rules = &run.rules;
  run.analyzer.profile = &run.profile;
  if (!run.no_store && !run.from_findings
      && store_open (run.store_path, NULL, &run.analyzer.store, err, sizeof err) != STORE_OK)
    {
      /* A store that cannot be opened costs the bulk evidence, never a message. */
      error (0, 0, _("warning: template store: %s"), err);
      run.analyzer.store = NULL;
    }
  if (run.analyzer.store)
    {
      /* A batch run commits once per batch, not per message; see flush_store. */
      store_set_batch (run.analyzer.store, STORE_BATCH_DELIVERIES, STORE_BATCH_MS);
      run.cli.idle = flush_store;
    }
  if (run.threshold >= 0)
    run.config.threshold = run.threshold;
  if (run.unsure >= 0)
    run.config.unsure = run.unsure;

  if (run.from_findings)
    {
      if (score_stream (&run) < 0)
        run.cli.trouble = true;
    }
  else if (run.annotate)
    {
      if (optind == argc && pass_input (&run, "-", run.cli.label) < 0)
        run.cli.trouble = true;
      for (int i = optind; i < argc; i++)
        if (pass_input (&run, argv[i], strcmp (argv[i], "-") ? argv[i] : run.cli.label) < 0)
          run.cli.trouble = true;
    }
  else
    cli_for_each_message (&run.cli, argc - optind, argv + optind, NULL, check_message, &run);
  show_progress (&run, true);

  flush_store (&run);
  store_close (run.analyzer.store);
  findings_clear (&run.findings);
  free (run.findings.v);
  score_config_free (&run.config);
  profile_free (&run.profile);
  rules_free (&run.rules);
  if (run.cli.trouble)
    return SCORE_EXIT_TROUBLE;
  if (run.annotate || run.exit_zero)
    return 0;
  return run.outreach ? SCORE_EXIT_OUTREACH
         : run.unsure_count ? SCORE_EXIT_UNSURE : SCORE_EXIT_CLEAN;
}
