/* bait-eval.c: run detect-bait-question's library over many labelled texts in one process, for bench/eval-bait. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* Usage: bait-eval [--rules FILE|DIR] [--context none|reply|known] [--check]
   Reads lines "ID<TAB>TEXT[<TAB>CONTEXT[<TAB>SUBJECT]]" from stdin, TEXT with \n, \t and \\
   escaped; CONTEXT is none, reply, known or reply,known.  Prints "ID<TAB>FLAG<TAB>RULES" per
   line: FLAG 1 for a BAIT verdict, RULES the counted rule ids joined by ',' (or '-').
   --check compiles every pattern and runs every rule's examples instead; exit 1 on a problem. */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bait.h"
#include "findings.h"
#include "rules.h"
#include "text.h"

static void
unescape (char *s)
{
  char *w = s;
  for (const char *r = s; *r; r++)
    if (r[0] == '\\' && (r[1] == 'n' || r[1] == 't' || r[1] == '\\'))
      {
        r++;
        *w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : '\\';
      }
    else
      *w++ = *r;
  *w = '\0';
}

static void
parse_context (const char *s, struct bait_context *ctx)
{
  ctx->reply_thread = strstr (s, "reply") != NULL;
  ctx->known_correspondent = strstr (s, "known") != NULL;
}

static int
detect_example (const char *text, size_t len, struct findings *out, void *arg)
{
  struct ruleset *rs = arg;
  struct text t;
  if (text_analyze (&t, text, len) < 0)
    return -1;
  struct bait_result res;
  struct bait_context ctx = { 0 };
  int st = bait_analyze (rs, &t, &ctx, out, &res);
  text_free (&t);
  return st;
}

int
main (int argc, char **argv)
{
  const char *rules_path = NULL, *default_context = "none";
  bool check = false;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--rules") == 0 && i + 1 < argc)
        rules_path = argv[++i];
      else if (strcmp (argv[i], "--context") == 0 && i + 1 < argc)
        default_context = argv[++i];
      else if (strcmp (argv[i], "--check") == 0)
        check = true;
      else
        {
          fprintf (stderr, "usage: %s [--rules FILE|DIR] [--context CONTEXT] [--check]\n", argv[0]);
          return 2;
        }
    }
  if (!rules_path)
    rules_path = rules_default_dir (NULL);

  struct ruleset rs = { 0 };
  char err[512];
  struct stat st;
  int loaded = stat (rules_path, &st) == 0 && S_ISDIR (st.st_mode)
    ? rules_load_dir (&rs, rules_path, err, sizeof err)
    : rules_load_file (&rs, rules_path, err, sizeof err);
  if (loaded < 0)
    {
      fprintf (stderr, "bait-eval: %s\n", err);
      return 2;
    }

  if (check)
    {
      int problems = rules_compile_all (&rs, stderr);
      problems += rules_check_examples (&rs, BAIT_TOOL, detect_example, &rs, stderr);
      rules_free (&rs);
      return problems ? 1 : 0;
    }

  char *line = NULL;
  size_t size = 0;
  ssize_t len;
  int status = 0;
  while ((len = getline (&line, &size, stdin)) >= 0)
    {
      if (len > 0 && line[len - 1] == '\n')
        line[--len] = '\0';
      char *field[4] = { line, NULL, NULL, NULL };
      for (int k = 1; k < 4; k++)
        {
          char *tab = field[k - 1] ? strchr (field[k - 1], '\t') : NULL;
          if (!tab)
            break;
          *tab = '\0';
          field[k] = tab + 1;
        }
      if (!field[1])
        continue;
      unescape (field[1]);
      struct bait_context ctx = { 0 };
      parse_context (field[2] && *field[2] ? field[2] : default_context, &ctx);
      if (field[3] && *field[3])
        {
          unescape (field[3]);
          ctx.subject = field[3];
        }
      struct text t;
      struct findings f = { 0 };
      struct bait_result res;
      if (text_analyze (&t, field[1], strlen (field[1])) < 0
          || bait_analyze (&rs, &t, &ctx, &f, &res) < 0)
        {
          perror ("bait-eval");
          status = 2;
          break;
        }
      printf ("%s\t%d\t", field[0], res.verdict == BAIT_VERDICT_BAIT);
      bool any = false;
      for (size_t i = 0; i < f.n; i++)
        if (!(f.v[i].flags & (FIND_QUOTED | FIND_ALLOWED)))
          {
            printf ("%s%s", any ? "," : "", f.v[i].rule);
            any = true;
          }
      printf ("%s\n", any ? "" : "-");
      findings_clear (&f);
      free (f.v);
      text_free (&t);
    }
  free (line);
  rules_free (&rs);
  if (fflush (stdout) != 0)
    return 2;
  return status;
}
