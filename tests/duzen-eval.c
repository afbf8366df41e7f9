/* duzen-eval.c: batch driver for bench/eval-duzen: one message per input line, one verdict per output line. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* Input lines are "ID<TAB>TEXT", TEXT escaped as in findings_escape (\n, \t, \r, \\).
   Output lines are "ID<TAB>VERDICT<TAB>DETAILS<TAB>RULES", RULES being the counted rule ids
   (comma-separated, "-" for none).  One process serves a whole corpus.  */

#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

#include "duzen.h"
#include "findings.h"
#include "text.h"

/* Undo the \n, \t, \r and \\ escapes of S in place. */
static void
unescape (char *s)
{
  char *w = s;
  for (char *r = s; *r; r++)
    {
      if (*r == '\\' && r[1])
        {
          r++;
          *w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r == 'r' ? '\r' : *r;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
}

/* Set from DUZEN_EVAL_MATCHES: print each counted rule as RULE=MATCH, for reading misses. */
static bool show_matches;

static int
analyze_line (char *line, struct findings *f)
{
  char *tab = strchr (line, '\t');
  if (!tab)
    return 0;
  *tab = '\0';
  char *body = tab + 1;
  unescape (body);
  size_t nlen = 0;
  uint8_t *nfc = u8_normalize (UNINORM_NFC, (const uint8_t *) body, strlen (body), NULL, &nlen);
  const char *text = nfc ? (const char *) nfc : body;
  size_t len = nfc ? nlen : strlen (body);
  struct text t;
  struct duzen_result res;
  findings_clear (f);
  if (text_analyze (&t, text, len) < 0 || duzen_analyze (&t, f, &res) < 0)
    {
      free (nfc);
      return -1;
    }
  printf ("%s\t%s\t%s\t", line, duzen_verdict_name (res.verdict), res.details);
  size_t printed = 0;
  for (size_t i = 0; i < f->n; i++)
    if (!(f->v[i].flags & (FIND_QUOTED | FIND_ALLOWED)))
      {
        printf ("%s%s%s", printed++ ? "," : "", f->v[i].rule, show_matches ? "=" : "");
        if (show_matches)
          for (const char *m = f->v[i].match; *m; m++)
            putchar (*m == '\n' || *m == '\t' || *m == ',' ? ' ' : *m);
      }
  printf ("%s%s\n", printed ? "" : "-", res.offered ? "\toffered" : "");
  text_free (&t);
  free (nfc);
  return 0;
}

int
main (void)
{
  struct findings f = { 0 };
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int status = 0;
  show_matches = getenv ("DUZEN_EVAL_MATCHES") != NULL;
  while ((n = getline (&line, &cap, stdin)) >= 0)
    {
      if (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
      if (n > 0 && line[n - 1] == '\r')
        line[--n] = '\0';
      if (analyze_line (line, &f) < 0)
        {
          fprintf (stderr, "duzen-eval: out of memory\n");
          status = 2;
          break;
        }
    }
  findings_clear (&f);
  free (f.v);
  free (line);
  if (fflush (stdout) != 0 || ferror (stdout))
    status = 2;
  return status;
}
