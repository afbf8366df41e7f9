/* test-explain.c: explain's library: sides from the rules, streams, sanitising, language, reply, output. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "explain.h"
#include "unit.h"

/* Rules with made-up texts, so the test sees that explain takes sides and texts from the data. */
static const char rules_text[] =
  "rule DU_VERB\ntool detect-duzen\nclass DU\nside beziehung\nweight 1.5\n"
  "describe-de DE-DU\ndescribe-en EN-DU\nadvice-de RAT-DU\nadvice-en ADVICE-DU\n"
  "rule ASK\ntool detect-bait-question\nside appell\nlang de\nweight 2\n"
  "describe-de DE-ASK\ndescribe-en EN-ASK\nadvice-de RAT-ASK\nadvice-en ADVICE-ASK\n"
  "rule NEUTRAL\ntool detect-duzen\nside sach\nweight 0\n"
  "describe-de DE-N\ndescribe-en EN-N\n";

struct collected
{
  size_t reports;
  char labels[4][32];
  size_t items[4];
  enum rule_side side0[4];
  enum score_verdict verdict[4];
  double score[4];
  size_t omitted[4];
  bool objects[4];
  char *reply;
};

static int
collect (const struct explain_report *r, void *arg)
{
  struct collected *c = arg;
  if (c->reports < 4)
    {
      size_t k = c->reports;
      snprintf (c->labels[k], sizeof c->labels[k], "%s", r->label);
      c->items[k] = r->nitems;
      c->side0[k] = r->nitems ? r->items[0].side : SIDE_NONE;
      c->verdict[k] = r->verdict;
      c->score[k] = r->score_value;
      c->omitted[k] = r->omitted;
      c->objects[k] = explain_objects (r);
      if (k == 0)
        c->reply = explain_reply (r, EXPLAIN_EN, PROFILE_SIE);
    }
  c->reports++;
  return 0;
}

/* Write R with options O into a string (the caller frees it). */
static char *
render (const struct explain_report *r, const struct explain_options *o)
{
  char *s = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&s, &len);
  if (!f)
    return NULL;
  int status = explain_write (f, r, o);
  fclose (f);
  if (status < 0)
    {
      free (s);
      return NULL;
    }
  return s;
}

int
main (void)
{
  char dir[] = "/tmp/test-explain-XXXXXX";
  if (!mkdtemp (dir))
    return 77;
  char path[64];
  snprintf (path, sizeof path, "%s/t.rules", dir);
  FILE *f = fopen (path, "w");
  if (!f)
    return 77;
  fputs (rules_text, f);
  fclose (f);
  struct ruleset rs = { 0 };
  char err[256];
  CHECK (rules_load_file (&rs, path, err, sizeof err) == 0);
  unlink (path);
  rmdir (dir);

  /* Language: names, and the environment as gettext reads it. */
  enum explain_lang lang = EXPLAIN_EN;
  CHECK (explain_parse_lang ("de", &lang) == 0 && lang == EXPLAIN_DE);
  CHECK (explain_parse_lang ("en_GB.UTF-8", &lang) == 0 && lang == EXPLAIN_EN);
  CHECK (explain_parse_lang ("de_AT", &lang) == 0 && lang == EXPLAIN_DE);
  CHECK (explain_parse_lang ("dk", &lang) < 0);
  CHECK (explain_parse_lang ("fr", &lang) < 0);
  unsetenv ("LC_ALL");
  unsetenv ("LC_MESSAGES");
  unsetenv ("LANGUAGE");
  setenv ("LANG", "de_DE.UTF-8", 1);
  CHECK (explain_lang_from_env () == EXPLAIN_DE);
  setenv ("LANGUAGE", "fr:en", 1);
  CHECK (explain_lang_from_env () == EXPLAIN_EN);
  setenv ("LC_ALL", "C", 1);
  setenv ("LANGUAGE", "de", 1);
  CHECK (explain_lang_from_env () == EXPLAIN_EN);
  unsetenv ("LC_ALL");
  unsetenv ("LANGUAGE");
  setenv ("LANG", "C", 1);
  CHECK (explain_lang_from_env () == EXPLAIN_EN);

  /* Nothing that could drive a terminal survives sanitising; valid text does. */
  char *s = explain_sanitize ("a\033[31mb\tc\xff\xe2\x80\xae" "d\xc2\x9b", 15);
  CHECK_STR (s, "a\xef\xbf\xbd[31mb c\xef\xbf\xbd\xef\xbf\xbd" "d\xef\xbf\xbd");
  free (s);
  s = explain_sanitize ("Grüße „du“", strlen ("Grüße „du“"));
  CHECK_STR (s, "Grüße „du“");
  free (s);
  s = explain_sanitize ("x\0y", 3);
  CHECK_STR (s, "x\xef\xbf\xbdy");
  free (s);

  /* A stream: two messages, sides from the rules, score-outreach's verdict taken over, the
     combination findings skipped, repeated records dropped, malformed lines counted. */
  CHECK (explain_is_stream ("#rittberger-findings 1\n", 23));
  CHECK (!explain_is_stream ("Hallo", 5));
  static const char stream[] =
    "#rittberger-findings 1\n"
    "F\ta.txt\t1:5\tdetect-duzen\tDU_VERB\tDU\tstrong\t-\t1.5\tdu\n"
    "F\ta.txt\t1:1\tdetect-bait-question\tASK\tBAIT\tmedium\t-\t2\tHast du Zeit\n"
    "F\ta.txt\t1:5\tdetect-duzen\tDU_VERB\tDU\tstrong\t-\t1.5\tdu\n"
    "F\ta.txt\t1:1\tscore-outreach\tSCORE_DOUBLE\tSCORE\tinfo\t-\t1\t\n"
    "this line is broken\n"
    "V\ta.txt\tscore-outreach\tOUTREACH\t9.5\tASK,DU_VERB\n"
    "F\tb.txt\t3:2\tdetect-duzen\tNEUTRAL\tSIE\tweak\t-\t0\tSie\n"
    "F\tb.txt\t4:2\tdetect-duzen\tUNKNOWN_RULE\tX\tweak\tquoted\t3\tdu\n";
  struct collected c = { 0 };
  FILE *devnull = fopen ("/dev/null", "w");
  int problems = explain_stream (stream, sizeof stream - 1, "s", &rs, NULL, collect, &c,
                                 "test", devnull);
  CHECK (problems == 1);
  CHECK (c.reports == 2);
  CHECK_STR (c.labels[0], "a.txt");
  CHECK (c.items[0] == 2);
  CHECK (c.side0[0] == SIDE_APPELL);
  CHECK (c.verdict[0] == SCORE_OUTREACH && c.score[0] == 9.5);
  CHECK (c.objects[0]);
  CHECK_STR (c.labels[1], "b.txt");
  CHECK (c.items[1] == 2);
  CHECK (c.side0[1] == SIDE_SACH);
  CHECK (c.verdict[1] == SCORE_CLEAN && c.score[1] == 0);
  CHECK (!c.objects[1]);
  /* The reply: German (the findings are German), Sie, both sides named, nothing sent. */
  CHECK (c.reply && strstr (c.reply, "Guten Tag,\n\nvielen Dank für Ihre Nachricht."));
  CHECK (c.reply && strstr (c.reply, "etwas von mir erwarten"));
  CHECK (c.reply && strstr (c.reply, "Vertrautheit"));
  CHECK (c.reply && strstr (c.reply, "Mit freundlichen Grüßen\n"));
  free (c.reply);

  /* A newer stream version is refused. */
  c.reports = 0;
  CHECK (explain_stream ("#rittberger-findings 2\nF\tx\n", 25, "s", &rs, NULL, collect, &c,
                         "test", devnull) < 0);
  CHECK (c.reports == 0);
  /* Empty and magic-only streams call nothing. */
  CHECK (explain_stream ("", 0, "s", &rs, NULL, collect, &c, "test", devnull) == 0);
  CHECK (explain_stream ("#rittberger-findings 1", 22, "s", &rs, NULL, collect, &c, "test",
                         devnull) == 0);
  CHECK (c.reports == 0);

  /* A message full of one rule, each record twice: the repeats are dropped, ten are listed and
     the rest only counted; the items keep their rule and class after the findings are gone. */
  char many[4096] = "#rittberger-findings 1\n";
  for (int i = 1; i <= 13; i++)
    for (int twice = 0; twice < 2; twice++)
      snprintf (many + strlen (many), sizeof many - strlen (many),
                "F\tc.txt\t%d:1\tdetect-duzen\tDU_VERB\tDU\tstrong\t-\t1.5\tdu\n", i);
  c.reports = 0;
  CHECK (explain_stream (many, strlen (many), "s", &rs, NULL, collect, &c, "test", devnull) == 0);
  CHECK (c.reports == 1);
  CHECK (c.items[0] == EXPLAIN_MAX_PER_RULE);
  CHECK (c.omitted[0] == 3);
  free (c.reply);
  c.reply = NULL;
  fclose (devnull);

  /* A message: findings in context, marked, and the report in both languages and formats. */
  static const char text[] = "Hallo,\n\nhast du kurz Zeit? Wir liefern Kaffee.\n";
  struct msg m;
  CHECK (msg_parse (&m, text, sizeof text - 1) == 0);
  struct profile p = { 0 };
  struct analyzer a = { &rs, &p };
  struct explain_report r;
  CHECK (explain_message (&r, &a, NULL, &m, "m.txt") == 0);
  bool found_du = false;
  for (size_t i = 0; i < r.nitems; i++)
    if (strcmp (r.items[i].f.rule, "DU_VERB") == 0)
      {
        found_du = true;
        CHECK (r.items[i].f.line == 3 && r.items[i].f.col == 1);
        CHECK_STR (r.items[i].before, "");
        CHECK_STR (r.items[i].after, " kurz Zeit? Wir liefern Kaffee.");
        CHECK (r.items[i].side == SIDE_BEZIEHUNG);
      }
  CHECK (found_du);
  CHECK (explain_objects (&r));

  struct explain_options o = { .format = EXPLAIN_FORMAT_TEXT, .lang = EXPLAIN_EN,
                               .style = EXPLAIN_PLAIN, .width = 60, .reply = true };
  char *out = render (&r, &o);
  CHECK (out && strstr (out, "  3:1 DU_VERB: EN-DU\n"));
  CHECK (out && strstr (out, "      hast du kurz Zeit? Wir liefern Kaffee.\n"
                             "      ^~~~~~~\n"));
  CHECK (out && strstr (out, "  - ADVICE-DU\n"));
  CHECK (out && !strchr (out, '\033'));
  /* No line is wider than the width (counted in characters: the text has no wide ones). */
  for (const char *line = out; line && *line;)
    {
      size_t n = strcspn (line, "\n");
      size_t chars = 0;
      for (size_t i = 0; i < n; i++)
        chars += ((unsigned char) line[i] & 0xc0) != 0x80;
      CHECK (chars <= 60);
      line += n + (line[n] == '\n');
    }
  free (out);
  o.lang = EXPLAIN_DE;
  o.style = EXPLAIN_COLOR;
  out = render (&r, &o);
  CHECK (out && strstr (out, "DE-DU"));
  CHECK (out && strstr (out, "Beziehung: "));
  CHECK (out && strstr (out, "\033[1;31mhast du\033[0m"));
  free (out);
  o.format = EXPLAIN_FORMAT_MARKDOWN;
  out = render (&r, &o);
  CHECK (out && strstr (out, "- `3:1` **DU\\_VERB**: DE-DU  \n  **hast du** kurz Zeit?"));
  free (out);
  o.format = EXPLAIN_FORMAT_JSON;
  out = render (&r, &o);
  CHECK (out && strstr (out, "\"side\":\"beziehung\",\"name\":\"Beziehung\""));
  CHECK (out && strstr (out, "\"before\":\"\",\"after\":\" kurz Zeit? Wir liefern Kaffee.\""));
  CHECK (out && strchr (out, '\n') == out + strlen (out) - 1);
  free (out);
  explain_report_free (&r);

  /* The recipient who prefers du: the du is allowed, nothing to object to, no reply. */
  p.address_form = PROFILE_DU;
  CHECK (explain_message (&r, &a, NULL, &m, "m.txt") == 0);
  CHECK (!explain_objects (&r));
  errno = 0;
  CHECK (explain_reply (&r, EXPLAIN_DE, PROFILE_DU) == NULL && errno == 0);
  explain_report_free (&r);
  msg_free (&m);

  rules_free (&rs);
  UNIT_EXIT ();
}
