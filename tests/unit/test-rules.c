/* test-rules.c: unit tests for the rule-file parser, lazy matching, scopes, triggers and self-check. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <unistr.h>

#include "findings.h"
#include "lang.h"
#include "rules.h"
#include "rules-priv.h"
#include "text.h"

static int failures;

#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond))                                                        \
      {                                                                 \
        fprintf (stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        failures++;                                                     \
      }                                                                 \
  } while (0)

#define CHECK_STR(got, want)                                            \
  do {                                                                  \
    const char *got_ = (got), *want_ = (want);                          \
    if (!got_ || strcmp (got_, want_) != 0)                             \
      {                                                                 \
        fprintf (stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
                 got_ ? got_ : "(null)", want_);                        \
        failures++;                                                     \
      }                                                                 \
  } while (0)

/* findings_clear keeps the array for reuse; free it too. */
static void
release (struct findings *f)
{
  findings_clear (f);
  free (f->v);
  f->v = NULL;
  f->cap = 0;
}

static char tmpdir[] = "/tmp/test-rules-XXXXXX";

static char *
write_file (const char *name, const char *content, size_t len)
{
  static char path[512];
  snprintf (path, sizeof path, "%s/%s", tmpdir, name);
  FILE *f = fopen (path, "wb");
  if (!f)
    {
      perror (path);
      exit (99);
    }
  fwrite (content, 1, len, f);
  fclose (f);
  return path;
}

static char *
write_string (const char *name, const char *content)
{
  return write_file (name, content, strlen (content));
}

/* A complete valid rule to build error cases from. */
#define HEAD "rule GOOD_ONE\ntool t\nside appell\ndescribe-de d\ndescribe-en e\n"

/* Load CONTENT as NAME and expect the error "PATH:LINE: MESSAGE". */
static void
expect_error (const char *content, unsigned line, const char *message)
{
  char *path = write_file ("bad.rules", content, strlen (content));
  struct ruleset rs = { 0 };
  char err[512] = "", want[1024];
  int st = rules_load_file (&rs, path, err, sizeof err);
  snprintf (want, sizeof want, "%s:%u: %s", path, line, message);
  CHECK (st == -1);
  CHECK_STR (err, want);
  CHECK (rs.n == 0);            /* a bad file loads nothing */
  rules_free (&rs);
}

static void
test_parse_errors (void)
{
  expect_error (HEAD "colour red\n", 6, "unknown key 'colour'");
  expect_error ("# comment\n\ntool t\n", 3, "tool: outside a rule (a record starts with \"rule ID\")");
  expect_error ("rule\n", 1, "rule: missing id");
  expect_error ("rule lower_case\n", 1,
                "rule: bad id 'lower_case' (A-Z, 0-9, _, starting with a letter, at most 64)");
  expect_error ("rule A23456789012345678901234567890123456789012345678901234567890123456\n", 1,
                "rule: bad id 'A23456789012345678901234567890123456789012345678901234567890123456'"
                " (A-Z, 0-9, _, starting with a letter, at most 64)");
  expect_error ("rule X\ntool t\nside sideways\n", 3,
                "side: bad value 'sideways' (sach, selbst, beziehung, appell)");
  expect_error (HEAD "scope paragraph\n", 6,
                "scope: bad value 'paragraph' (sentence, question, greeting, message, subject)");
  expect_error (HEAD "lang fr\n", 6, "lang: bad value 'fr' (de, en, any)");
  expect_error (HEAD "weight heavy\n", 6, "weight: bad number 'heavy'");
  expect_error (HEAD "cap 1.5x\n", 6, "cap: bad number '1.5x'");
  expect_error (HEAD "tool u\n", 6, "rule GOOD_ONE: duplicate key 'tool'");
  expect_error (HEAD "describe-de again\n", 6, "rule GOOD_ONE: duplicate key 'describe-de'");
  expect_error (HEAD "pattern /abc/i\npattern /x/\n", 7, "rule GOOD_ONE: duplicate key 'pattern'");
  expect_error (HEAD "weight\n", 6, "weight: missing value");
  expect_error (HEAD "pattern /abc\n", 6, "pattern: no closing delimiter '/'");
  expect_error (HEAD "pattern /abc/q\n", 6, "pattern: unknown flag 'q' (i, m, s, x)");
  expect_error (HEAD "pattern //\n", 6, "pattern: empty pattern");
  expect_error (HEAD "pattern abc\n", 6, "pattern: bad delimiter 'a'");
  expect_error (HEAD "trigger Frage\n", 6, "trigger: 'Frage' is not lower case");
  expect_error ("rule NO_SIDE\ntool t\ndescribe-de d\ndescribe-en e\n", 1, "rule NO_SIDE: missing side");
  expect_error ("rule NO_DE\nside sach\ndescribe-en e\n\nrule NEXT\n", 1,
                "rule NO_DE: missing describe-de");
  expect_error ("\n\nrule NO_EN\nside sach\ndescribe-de d\n", 3, "rule NO_EN: missing describe-en");
  expect_error (HEAD "\nrule GOOD_ONE\n", 7, "rule GOOD_ONE: defined twice (first at line 1)");

  /* A NUL byte in a line is an error, not a silently shortened line. */
  static const char with_nul[] = HEAD "describe-en x\0y\n";
  char *path = write_file ("nul.rules", with_nul, sizeof with_nul - 1);
  struct ruleset rs = { 0 };
  char err[512], want[600];
  CHECK (rules_load_file (&rs, path, err, sizeof err) == -1);
  snprintf (want, sizeof want, "%s:6: NUL byte in line", path);
  CHECK_STR (err, want);
  rules_free (&rs);

  /* A missing file names the file and the reason. */
  snprintf (want, sizeof want, "%s/absent.rules", tmpdir);
  CHECK (rules_load_file (&rs, want, err, sizeof err) == -1);
  CHECK (strstr (err, "absent.rules: ") != NULL);
}

static void
test_parse_ok (void)
{
  const char *content =
    "# a comment\n"
    "   # an indented comment\n"
    "\n"
    "rule FIRST_RULE\n"
    "  tool detect-bait-question\n"
    "side selbst\t \r\n"
    "scope question\n"
    "lang de\n"
    "weight 1.5\n"
    "cap 3\n"
    "class QUAL\n"
    "trigger bist sind\n"
    "trigger frag*\n"
    "pattern |a/b|c|ix\n"
    "describe-de Deutsch\n"
    "describe-en English\n"
    "advice-de Rat\n"
    "advice-en Advice\n"
    "match one\\ntwo\n"
    "match back\\\\slash\n"
    "nomatch three\n"
    "rule SECOND\n"
    "side sach\n"
    "describe-de d\n"
    "describe-en e\n";
  char *path = write_file ("ok.rules", content, strlen (content));
  struct ruleset rs = { 0 };
  char err[512] = "";
  CHECK (rules_load_file (&rs, path, err, sizeof err) == 0);
  CHECK (rs.n == 2);
  const struct rule *r = rules_find (&rs, "FIRST_RULE");
  CHECK (r != NULL);
  if (r)
    {
      CHECK_STR (r->tool, "detect-bait-question");
      CHECK (r->side == SIDE_SELBST);
      CHECK (r->scope == SCOPE_QUESTION);
      CHECK_STR (r->lang, "de");
      CHECK (r->weight == 1.5);
      CHECK (r->cap == 3);
      CHECK_STR (r->cls, "QUAL");
      CHECK_STR (r->pattern, "a/b|c");   /* the last '|' closes the pattern */
      CHECK (r->pattern_line == 14);
      CHECK (r->line == 4);
      CHECK (r->ntrigger == 3);
      CHECK_STR (r->trigger[2], "frag*");
      CHECK (r->nmatch == 2 && r->nnomatch == 1);
      CHECK_STR (r->match[0], "one\ntwo");
      CHECK_STR (r->match[1], "back\\slash");
      CHECK (r->match[2] == NULL);
      CHECK (r->match_line[1] == 20);
      CHECK_STR (r->describe[0], "Deutsch");
      CHECK_STR (r->advice[1], "Advice");
      CHECK (r->code == NULL);  /* nothing compiled at load time */
    }
  r = rules_find (&rs, "SECOND");
  CHECK (r && r->scope == SCOPE_SENTENCE && strcmp (r->lang, "any") == 0 && r->pattern == NULL);
  CHECK (rules_find (&rs, "THIRD") == NULL);
  CHECK_STR (rules_side_name (SIDE_APPELL), "appell");
  CHECK_STR (rules_side_name (SIDE_BEZIEHUNG), "beziehung");
  rules_free (&rs);
  CHECK (rs.n == 0 && rs.v == NULL);

  /* A 1 MB value is data, not a crash. */
  size_t big = 1 << 20;
  char *huge = malloc (big + 200);
  if (huge)
    {
      int n = sprintf (huge, HEAD "match ");
      memset (huge + n, 'x', big);
      strcpy (huge + n + big, "\n");
      path = write_file ("huge.rules", huge, strlen (huge));
      CHECK (rules_load_file (&rs, path, err, sizeof err) == 0);
      CHECK (rs.n == 1 && strlen (rs.v[0].match[0]) == big);
      rules_free (&rs);
      free (huge);
    }
}

/* Example lines take a fast path; what it gives must be what the general parser gives, and
   everything unusual must still reach the general parser's errors. */
static void
test_example_lines (void)
{
  const char *content =
    HEAD
    "match  two blanks and a tab\t \r\n"
    "match\ttab after the key\n"
    "  match indented\n"
    "nomatch escaped \\n and \\t and \\\\ end\n"
    "nomatch x\n";
  char *path = write_file ("ex.rules", content, strlen (content));
  struct ruleset rs = { 0 };
  char err[512] = "";
  CHECK (rules_load_file (&rs, path, err, sizeof err) == 0);
  if (rs.n == 1)
    {
      const struct rule *r = &rs.v[0];
      CHECK (r->nmatch == 3 && r->nnomatch == 2);
      CHECK_STR (r->match[0], "two blanks and a tab");
      CHECK_STR (r->match[1], "tab after the key");
      CHECK_STR (r->match[2], "indented");
      CHECK_STR (r->nomatch[0], "escaped \n and \t and \\ end");
      CHECK_STR (r->nomatch[1], "x");
      CHECK (r->match_line[0] == 6 && r->match_line[2] == 8 && r->nomatch_line[1] == 10);
    }
  rules_free (&rs);
  expect_error (HEAD "match \t \r\n", 6, "match: missing value");
  expect_error (HEAD "nomatch\n", 6, "nomatch: missing value");
  expect_error ("match before any rule\n", 1,
                "match: outside a rule (a record starts with \"rule ID\")");
  expect_error (HEAD "matches x\n", 6, "unknown key 'matches'");
  expect_error (HEAD "nomatchx y\n", 6, "unknown key 'nomatchx'");
}

/* Weights and caps: the plain decimals read without strtod must equal what strtod reads, and
   everything else still goes to strtod. */
static void
test_numbers (void)
{
  static const char *const numbers[] = {
    "0", "3", "-3.38", "1.5", "0.1", "0.29", ".5", "5.", "+2", "-0", "2.59", "0.3", "0.7",
    "1.1", "2.675", "9.95", "0.123456789012345",
    "123456789012345", "0.000000000000000000001", "1e2", "1234567890123456789",
    "0x10",
  };
  for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++)
    {
      char content[512];
      snprintf (content, sizeof content, HEAD "weight %s\ncap %s\n", numbers[i], numbers[i]);
      char *path = write_string ("num.rules", content);
      struct ruleset rs = { 0 };
      char err[512] = "";
      CHECK (rules_load_file (&rs, path, err, sizeof err) == 0);
      double want = strtod (numbers[i], NULL);
      if (rs.n == 1)
        {
          if (memcmp (&rs.v[0].weight, &want, sizeof want) != 0
              || memcmp (&rs.v[0].cap, &want, sizeof want) != 0)
            {
              fprintf (stderr, "weight %s read as %.17g, strtod: %.17g\n", numbers[i],
                       rs.v[0].weight, want);
              failures++;
            }
        }
      rules_free (&rs);
    }
  expect_error (HEAD "weight 1.2.3\n", 6, "weight: bad number '1.2.3'");
  expect_error (HEAD "weight -\n", 6, "weight: bad number '-'");
  expect_error (HEAD "weight .\n", 6, "weight: bad number '.'");
}

static void
test_override_and_dir (void)
{
  char sub[600];
  snprintf (sub, sizeof sub, "%s/dir", tmpdir);
  if (mkdir (sub, 0700) != 0)
    {
      perror (sub);
      exit (99);
    }
  write_string ("dir/20-user.rules", "rule SHARED\nside sach\ndescribe-de user\ndescribe-en user\n");
  write_string ("dir/10-shipped.rules",
                "rule SHARED\nside appell\ndescribe-de shipped\ndescribe-en shipped\n"
                "rule ONLY_SHIPPED\nside sach\ndescribe-de s\ndescribe-en s\n");
  write_string ("dir/notes.txt", "this is not a rule file\n");
  write_string ("dir/.hidden.rules", "garbage\n");
  struct ruleset rs = { 0 };
  char err[512] = "";
  CHECK (rules_load_dir (&rs, sub, err, sizeof err) == 0);
  CHECK (rs.n == 2);
  const struct rule *r = rules_find (&rs, "SHARED");
  CHECK (r && strcmp (r->describe[0], "user") == 0 && r->side == SIDE_SACH);
  CHECK (r && strstr (r->file, "20-user.rules") != NULL);
  CHECK (rules_find (&rs, "ONLY_SHIPPED") != NULL);
  rules_free (&rs);

  /* A bad file in the directory stops the load with its FILE:LINE. */
  write_string ("dir/30-bad.rules", "rule X\nbogus 1\n");
  CHECK (rules_load_dir (&rs, sub, err, sizeof err) == -1);
  CHECK (strstr (err, "30-bad.rules:2: unknown key 'bogus'") != NULL);
  rules_free (&rs);

  unsetenv ("RITTBERGER_RULES");
  CHECK_STR (rules_default_dir ("/etc/x"), "/etc/x");
  CHECK (rules_default_dir (NULL) != NULL && *rules_default_dir (NULL));
  setenv ("RITTBERGER_RULES", "/from/env", 1);
  CHECK_STR (rules_default_dir ("/etc/x"), "/from/env");
  unsetenv ("RITTBERGER_RULES");
}

static struct ruleset
load_string (const char *content)
{
  struct ruleset rs = { 0 };
  char err[512] = "";
  char *path = write_file ("m.rules", content, strlen (content));
  if (rules_load_file (&rs, path, err, sizeof err) != 0)
    {
      fprintf (stderr, "unexpected load error: %s\n", err);
      failures++;
    }
  return rs;
}

static bool
has_rule (const struct findings *f, const char *id)
{
  for (size_t i = 0; i < f->n; i++)
    if (strcmp (f->v[i].rule, id) == 0)
      return true;
  return false;
}

static void
test_compile_errors (void)
{
  struct ruleset rs = load_string (HEAD "pattern /a(b/\n"
                                   "rule FINE\ntool t\nside sach\ndescribe-de d\ndescribe-en e\n"
                                   "pattern /ab/\n");
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream (&buf, &len);
  CHECK (rules_compile_all (&rs, mem) == 1);
  fclose (mem);
  CHECK (buf && strstr (buf, "m.rules:6: rule GOOD_ONE: pattern: missing closing parenthesis at offset 3\n"));
  CHECK (rs.v[1].code != NULL);
  /* The broken rule never runs, and the others still do. */
  struct text t;
  const char *body = "ab(b";
  CHECK (text_analyze (&t, body, strlen (body)) == 0);
  struct findings f = { 0 };
  CHECK (rules_match (&rs, "t", &t, NULL, &f) == 0);
  CHECK (f.n == 1 && strcmp (f.v[0].rule, "FINE") == 0);
  release (&f);
  text_free (&t);
  free (buf);
  rules_free (&rs);
}

static void
test_runaway (void)
{
  struct ruleset rs = load_string ("rule RUNAWAY\ntool t\nside sach\ndescribe-de d\ndescribe-en e\n"
                                   "scope message\npattern /(a+)+$/\n"
                                   "rule NESTED\ntool t\nside sach\ndescribe-de d\ndescribe-en e\n"
                                   "scope message\npattern /^(\\w+\\s?)*$/\n");
  char body[200];
  memset (body, 'a', 30);
  strcpy (body + 30, "b");
  struct text t;
  CHECK (text_analyze (&t, body, strlen (body)) == 0);
  struct findings f = { 0 };
  clock_t start = clock ();
  CHECK (rules_match (&rs, "t", &t, NULL, &f) == 0);
  double seconds = (double) (clock () - start) / CLOCKS_PER_SEC;
  CHECK (seconds < 1.0);
  CHECK (!has_rule (&f, "RUNAWAY"));
  release (&f);
  text_free (&t);

  /* The same limits hold for a long sentence of words ending in a non-word. */
  memset (body, 0, sizeof body);
  for (int i = 0; i < 40; i++)
    strcat (body, "ab ");
  strcat (body, "!");
  CHECK (text_analyze (&t, body, strlen (body)) == 0);
  start = clock ();
  CHECK (rules_match (&rs, "t", &t, NULL, &f) == 0);
  CHECK ((double) (clock () - start) / CLOCKS_PER_SEC < 1.0);
  release (&f);
  text_free (&t);
  rules_free (&rs);
}

static void
test_triggers_and_scopes (void)
{
  struct ruleset rs = load_string (
    "rule GATED\ntool t\nside appell\ndescribe-de d\ndescribe-en e\nweight 2.5\n"
    "trigger zebra\npattern /giraffe/i\n"
    "rule PREFIX\ntool t\nside appell\ndescribe-de d\ndescribe-en e\n"
    "trigger frag*\npattern /kurze\\s+frage/i\n"
    "rule QUESTION_ONLY\ntool t\nside appell\ndescribe-de d\ndescribe-en e\nscope question\n"
    "class ASK\npattern /\\bcall\\b/i\n"
    "rule WHOLE\ntool t\nside appell\ndescribe-de d\ndescribe-en e\nscope message\n"
    "pattern /first.*second/s\n"
    "rule SUBJ\ntool t\nside appell\ndescribe-de d\ndescribe-en e\nscope subject\n"
    "trigger quick\npattern /^quick question$/i\n"
    "rule GERMAN_ONLY\ntool t\nside appell\ndescribe-de d\ndescribe-en e\nlang de\n"
    "pattern /\\bmail\\b/i\n"
    "rule OTHER_TOOL\ntool u\nside appell\ndescribe-de d\ndescribe-en e\npattern /giraffe/\n");

  const char *body =
    "A giraffe walks by. Can we have a call? We had a call.\n"
    "Kurze Frage: wie geht es? first line\n"
    "Please send the mail today.\n"
    "> Quoted: can we do a call?\n"
    "then second\n";
  struct text t;
  CHECK (text_analyze (&t, body, strlen (body)) == 0);
  struct findings f = { 0 };
  CHECK (rules_match (&rs, "t", &t, "Quick question", &f) == 0);

  /* No "zebra" in the text: the rule neither ran nor was compiled. */
  CHECK (!has_rule (&f, "GATED"));
  CHECK (rules_find (&rs, "GATED")->code == NULL);
  CHECK (rules_find (&rs, "OTHER_TOOL")->code == NULL);
  CHECK (has_rule (&f, "PREFIX"));
  CHECK (has_rule (&f, "WHOLE"));
  CHECK (!has_rule (&f, "GERMAN_ONLY"));   /* "Please send the mail today." is English */

  size_t questions = 0;
  for (size_t i = 0; i < f.n; i++)
    {
      struct finding *x = &f.v[i];
      if (strcmp (x->rule, "QUESTION_ONLY") == 0)
        {
          questions++;
          CHECK_STR (x->cls, "ASK");
          CHECK (x->severity == SEV_MEDIUM);
          CHECK (x->len == 4 && strncmp (body + x->off, "call", 4) == 0);
          CHECK_STR (x->match, "call");
        }
      if (strcmp (x->rule, "SUBJ") == 0)
        {
          CHECK (x->off == 0 && x->len == 0);
          CHECK_STR (x->match, "Quick question");
        }
      if (strcmp (x->rule, "PREFIX") == 0)
        CHECK_STR (x->cls, "RULE");
    }
  CHECK (questions == 1);       /* not the statement, not the quoted line */
  CHECK (has_rule (&f, "SUBJ"));
  release (&f);

  /* A subject without the trigger does not run the subject rule. */
  CHECK (rules_match (&rs, "t", &t, "Invoice 42", &f) == 0);
  CHECK (!has_rule (&f, "SUBJ"));
  release (&f);
  text_free (&t);

  /* With the trigger present the gated rule runs and carries its weight. */
  body = "The zebra and the giraffe.";
  CHECK (text_analyze (&t, body, strlen (body)) == 0);
  CHECK (rules_match (&rs, "t", &t, NULL, &f) == 0);
  CHECK (has_rule (&f, "GATED"));
  for (size_t i = 0; i < f.n; i++)
    if (strcmp (f.v[i].rule, "GATED") == 0)
      CHECK (f.v[i].weight == 2.5);
  CHECK (rules_find (&rs, "GATED")->code != NULL);
  release (&f);
  text_free (&t);

  /* German text lets the German rule run. */
  body = "Bitte schick mir die Mail heute noch, das wäre nett.";
  CHECK (text_analyze (&t, body, strlen (body)) == 0);
  CHECK (rules_match (&rs, "t", &t, NULL, &f) == 0);
  CHECK (has_rule (&f, "GERMAN_ONLY"));
  release (&f);
  text_free (&t);

  /* Greeting scope sees the salutation line only. */
  struct ruleset greet = load_string ("rule HELLO\ntool g\nside beziehung\ndescribe-de d\n"
                                      "describe-en e\nscope greeting\npattern /\\bhallo\\b/i\n");
  body = "Hallo Anna,\n\nich sage noch einmal hallo zu dir.\n";
  CHECK (text_analyze (&t, body, strlen (body)) == 0);
  CHECK (rules_match (&greet, "g", &t, NULL, &f) == 0);
  CHECK (f.n == 1 && f.v[0].off == 0);
  release (&f);
  text_free (&t);
  rules_free (&greet);

  /* Empty text and invalid UTF-8 are no trouble. */
  CHECK (text_analyze (&t, "", 0) == 0);
  CHECK (rules_match (&rs, "t", &t, "", &f) == 0 && f.n == 0);
  text_free (&t);
  static const char bad_utf8[] = "giraffe \xff\xfe zebra call?";
  CHECK (text_analyze (&t, bad_utf8, sizeof bad_utf8 - 1) == 0);
  CHECK (rules_match (&rs, "t", &t, "\xff quick", &f) == 0);
  release (&f);
  text_free (&t);
  rules_free (&rs);
}

/* The ids of RS's rules of TOOL that TEXT (with SUBJECT) triggers, space-separated. */
static void
ids_of (struct ruleset *rs, const char *tool, const char *body, const char *subject, char *out,
        size_t size)
{
  struct text t;
  struct findings f = { 0 };
  out[0] = '\0';
  CHECK (text_analyze (&t, body, strlen (body)) == 0);
  CHECK (rules_match (rs, tool, &t, subject, &f) == 0);
  for (size_t i = 0; i < f.n; i++)
    {
      size_t n = strlen (out);
      snprintf (out + n, size - n, "%s%s", n ? " " : "", f.v[i].rule);
    }
  release (&f);
  text_free (&t);
}

/* rules_match remembers what it learnt about the last text for the next call (the tools call
   it once per tool on the same text): a text that differs in one word only, or a ruleset that
   gained rules, must not be taken for the one before. */
static void
test_memo (void)
{
  struct ruleset rs = load_string (
    "rule DU_DE\ntool t\nside beziehung\ndescribe-de d\ndescribe-en e\nlang de\n"
    "trigger du\npattern /morgen/i\n"
    "rule YOU_EN\ntool u\nside beziehung\ndescribe-de d\ndescribe-en e\nlang en\n"
    "trigger you\npattern /\\byou\\b/i\n"
    "rule SUBJ\ntool u\nside appell\ndescribe-de d\ndescribe-en e\nscope subject\n"
    "trigger quick\npattern /question/i\n");
  char got[256];
  const char *de = "Hast du morgen Zeit für einen kurzen Anruf bei uns im Büro?";
  const char *de2 = "Hast er morgen Zeit für einen kurzen Anruf bei uns im Büro?";
  CHECK (strlen (de) == strlen (de2));
  ids_of (&rs, "t", de, NULL, got, sizeof got);
  CHECK_STR (got, "DU_DE");
  ids_of (&rs, "u", de, "Quick question", got, sizeof got);
  CHECK_STR (got, "SUBJ");
  ids_of (&rs, "u", de, "Invoice question", got, sizeof got); /* same text, other subject */
  CHECK_STR (got, "");
  ids_of (&rs, "t", de2, NULL, got, sizeof got);   /* same length and words, no "du" */
  CHECK_STR (got, "");
  ids_of (&rs, "t", de, NULL, got, sizeof got);
  CHECK_STR (got, "DU_DE");
  /* Another text, in English: its language is guessed for it, not remembered. */
  ids_of (&rs, "u", "Do you have time tomorrow for a short call with us?", NULL, got, sizeof got);
  CHECK_STR (got, "YOU_EN");

  /* Rules added to the ruleset: the same text is looked at with the new triggers. */
  const char *more = "rule ZEIT\ntool t\nside sach\ndescribe-de d\ndescribe-en e\n"
    "trigger zeit\npattern /zeit/i\n";
  char *path = write_string ("more.rules", more);
  char err[512] = "";
  ids_of (&rs, "t", de, NULL, got, sizeof got);
  CHECK_STR (got, "DU_DE");
  CHECK (rules_load_file (&rs, path, err, sizeof err) == 0);
  ids_of (&rs, "t", de, NULL, got, sizeof got);
  CHECK_STR (got, "DU_DE ZEIT");
  rules_free (&rs);
}

static uint32_t next_random (uint32_t *state);

/* The findings of RS's rules of TOOL in the text T, as "RULE@OFF+LEN" words appended to OUT
   (SIZE bytes, cut short if they do not fit); -1 if rules_match failed. */
static int
findings_of (struct ruleset *rs, const char *tool, const struct text *t, const char *subject,
             char *out, size_t size)
{
  struct findings f = { 0 };
  int st = rules_match (rs, tool, t, subject, &f);
  for (size_t i = 0; i < f.n; i++)
    {
      size_t n = strlen (out);
      snprintf (out + n, size - n, " %s@%lu+%lu", f.v[i].rule, (unsigned long) f.v[i].off,
                (unsigned long) f.v[i].len);
    }
  release (&f);
  return st;
}

/* rules_match carves a text's memo arrays from arenas whose chunks it keeps for the next text
   (up to a bound), so the next text gets memory the last one wrote: every array it does not
   fill in on its own must be zeroed again.  Texts made of the shipped rules' examples, some
   with sentences repeated (their matches are logged and reused), some large enough for
   chunks past the kept size, one after the other through one ruleset as in a batch run, must
   get the same findings as each through a ruleset of its own.  Fails if an array is not
   zeroed, or a kept chunk is handed out twice. */
static void
test_memo_arena (void)
{
  const char *srcdir = getenv ("srcdir");
  char dir[1024], err[512] = "";
  snprintf (dir, sizeof dir, "%s/rules", srcdir ? srcdir : ".");
  struct ruleset batch = { 0 };
  CHECK (rules_load_dir (&batch, dir, err, sizeof err) == 0);
  size_t npool = 0;
  for (size_t i = 0; i < batch.n; i++)
    for (char **e = batch.v[i].match; e && *e; e++)
      npool++;
  CHECK (npool > 50);
  const char **pool = malloc ((npool + 1) * sizeof *pool);
  size_t cap = 1 << 20;
  char *body = malloc (cap);
  enum { OUT_SIZE = 1 << 20 };
  char *want = malloc (OUT_SIZE), *got = malloc (OUT_SIZE);
  if (!pool || !body || !want || !got || npool == 0)
    {
      CHECK (!"out of memory or no examples");
      goto done;
    }
  npool = 0;
  for (size_t i = 0; i < batch.n; i++)
    for (char **e = batch.v[i].match; e && *e; e++)
      pool[npool++] = *e;
  static const char *const tools[] = { "detect-bait-question", "detect-template",
                                       "score-outreach" };
  /* Sizes in sentences: small ones (one chunk), some past MEMO_ARENA_KEEP, then small again. */
  static const size_t sizes[] = { 3, 1, 40, 2, 5000, 4, 12, 0, 9000, 1, 7, 30, 3, 2, 6000, 5,
                                  1, 2, 3, 80, 4, 1, 20000, 2, 3 };
  uint32_t seed = 8;
  size_t differ = 0, total = 0;
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
    {
      size_t len = 0;
      for (size_t j = 0; j < sizes[k]; j++)
        {
          uint32_t r = next_random (&seed);
          /* A third of the sentences repeat one of a few (find_repeats). */
          const char *e = pool[(r >> 8) % npool];
          if (r % 3 == 0 && j > 4)
            e = pool[(r >> 20) % (npool < 6 ? npool : 6)];
          size_t n = strlen (e);
          if (len + n + 2 >= cap)
            break;
          memcpy (body + len, e, n);
          len += n;
          body[len++] = r % 5 == 0 ? '\n' : ' ';
        }
      body[len] = '\0';
      struct text t;
      CHECK (text_analyze (&t, body, len) == 0);
      struct ruleset fresh = { 0 };
      CHECK (rules_load_dir (&fresh, dir, err, sizeof err) == 0);
      for (size_t u = 0; u < sizeof tools / sizeof *tools; u++)
        {
          want[0] = got[0] = '\0';
          CHECK (findings_of (&fresh, tools[u], &t, "Quick question", want, OUT_SIZE) == 0);
          CHECK (findings_of (&batch, tools[u], &t, "Quick question", got, OUT_SIZE) == 0);
          total += want[0] != '\0';
          if (strcmp (want, got) != 0 && differ++ < 3)
            fprintf (stderr, "text %zu, %s: alone%.200s\n  in a batch%.200s\n", k, tools[u],
                     want, got);
        }
      rules_free (&fresh);
      text_free (&t);
    }
  CHECK (differ == 0);
  CHECK (total > 10);             /* the texts are found something in */
done:
  free (pool);
  free (body);
  free (want);
  free (got);
  rules_free (&batch);
}

/* A detector for rules_check_examples: run all rules of tool "t". */
static int
detect_t (const char *text, size_t len, struct findings *out, void *arg)
{
  struct text t;
  if (text_analyze (&t, text, len) < 0)
    return -1;
  int st = rules_match (arg, "t", &t, NULL, out);
  text_free (&t);
  return st;
}

/* A detector that reports the rule id ARG for any text: it shows what the trigger check adds. */
static int
detect_always (const char *text, size_t len, struct findings *out, void *arg)
{
  (void) len;
  return findings_add (out, text, arg, "X", SEV_MEDIUM, 0, 0, 0);
}

static void
test_check_examples (void)
{
  struct ruleset rs = load_string (
    "rule EXAMPLES\ntool t\nside appell\ndescribe-de d\ndescribe-en e\n"
    "trigger kurze\npattern /kurze\\s+frage/i\n"
    "match Kurze Frage: bist du da?\n"      /* fine */
    "match Eine Frage nur.\n"               /* line 9: not matched */
    "nomatch Lange Frage.\n"                /* fine */
    "nomatch Noch eine kurze Frage.\n");    /* line 11: matched */
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream (&buf, &len);
  int n = rules_check_examples (&rs, "t", detect_t, &rs, mem);
  fclose (mem);
  CHECK (n == 2);
  CHECK (buf && strstr (buf, "m.rules:9: rule EXAMPLES: match example not matched: Eine Frage nur.\n"));
  CHECK (buf && strstr (buf, "m.rules:11: rule EXAMPLES: nomatch example matched: Noch eine kurze Frage.\n"));
  free (buf);
  CHECK (rules_check_examples (&rs, "other-tool", detect_t, &rs, NULL) == 0);
  rules_free (&rs);

  rs = load_string ("rule TRIGGERED\ntool t\nside appell\ndescribe-de d\ndescribe-en e\n"
                    "trigger zebra giraffe*\npattern /x/\n"
                    "match a zebra\n"
                    "match the giraffes\n"
                    "match zebras only\n");            /* line 10: no trigger word */
  buf = NULL;
  mem = open_memstream (&buf, &len);
  n = rules_check_examples (&rs, "t", detect_always, "TRIGGERED", mem);
  fclose (mem);
  CHECK (n == 1);
  CHECK (buf && strstr (buf, "m.rules:10: rule TRIGGERED: match example contains none of the triggers: zebras only\n"));
  free (buf);
  rules_free (&rs);
}

/* The literal prefilter (lib/rules-match.c) skips a sentence that lacks the strings every match
   of a pattern must contain; it must never lose a match.  The body is long enough for the
   prefilter to be in use (a pattern scans 8 KB first, and it stays on only if it turns
   sentences away, which the filler makes it do), then ends with sentences it could wrongly
   turn away: a caseless k and s, which PCRE2 also finds as KELVIN SIGN and LONG S, upper
   case, and an empty slot seen through a lookahead. */
static void
test_literal_prefilter (void)
{
  static const char prefilter_rules[] =
    "rule BLOCKADE\ntool t\nside appell\ndescribe-de d\ndescribe-en e\nscope sentence\n"
    "pattern /\\bblockade\\b/i\n\n"
    "rule PRESSE\ntool t\nside appell\ndescribe-de d\ndescribe-en e\nscope sentence\n"
    "pattern /\\bpressemitteilung\\b/i\n\n"
    "rule EMPTY_SLOT\ntool t\nside appell\ndescribe-de d\ndescribe-en e\nscope sentence\n"
    "pattern /\\b(?:at|bei)[ \\t]+(?=[,.])/i\n";

  struct ruleset rs = load_string (prefilter_rules);
  /* Numbered, so that no two sentences are alike: a repeated sentence takes the matches of
     the first without running the pattern, and would not count towards its 8 KB. */
  const char *tail = "Die BLOC\u212AADE h\u00e4lt. Die Blockade h\u00e4lt. "
    "Eine PRE\u017F\u017FEMITTEILUNG kam. Wir sind bei , wie immer.";
  size_t n = 600, room = n * 48 + strlen (tail) + 1, used = 0;
  char *body = malloc (room);
  CHECK (body != NULL);
  if (!body)
    return;
  for (size_t i = 0; i < n; i++)
    used += (size_t) snprintf (body + used, room - used, "Nichts zu sehen hier, gar nichts %zu. ", i);
  snprintf (body + used, room - used, "%s", tail);
  struct text t;
  CHECK (text_analyze (&t, body, strlen (body)) == 0);
  struct findings f = { 0 };
  CHECK (rules_match (&rs, "t", &t, NULL, &f) == 0);
  size_t blockade = 0, presse = 0, slot = 0;
  for (size_t i = 0; i < f.n; i++)
    {
      blockade += strcmp (f.v[i].rule, "BLOCKADE") == 0;
      presse += strcmp (f.v[i].rule, "PRESSE") == 0;
      slot += strcmp (f.v[i].rule, "EMPTY_SLOT") == 0;
    }
  CHECK (blockade == 2);
  CHECK (presse == 1);
  CHECK (slot == 1);
  CHECK (f.n == 4);
  release (&f);
  text_free (&t);
  free (body);
  rules_free (&rs);

  /* In batch mode (many calls in one process) a pattern is read after a few hundred bytes:
     small messages, then the same traps in one of them. */
  rs = load_string (prefilter_rules);
  for (size_t m = 0; m < 40; m++)
    {
      char small[512];
      snprintf (small, sizeof small, "Nichts zu sehen hier, gar nichts %zu. Noch ein Satz %zu. %s",
                m, m, m == 39 ? tail : "");
      CHECK (text_analyze (&t, small, strlen (small)) == 0);
      f = (struct findings) { 0 };
      CHECK (rules_match (&rs, "t", &t, NULL, &f) == 0);
      CHECK (f.n == (m == 39 ? 4 : 0));
      release (&f);
      text_free (&t);
    }
  rules_free (&rs);
}

/* The prefilter reads an ASCII letter of a caseless pattern as matching only its two ASCII
   forms, except k and s: check that against PCRE2 for every code point. */
static void
test_caseless_ascii (void)
{
  for (int c = 'a'; c <= 'z'; c++)
    {
      char pat[2] = { (char) c, '\0' };
      int err;
      PCRE2_SIZE erroff;
      pcre2_code *code = pcre2_compile ((PCRE2_SPTR) pat, 1, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS,
                                        &err, &erroff, NULL);
      pcre2_match_data *md = pcre2_match_data_create (1, NULL);
      CHECK (code && md);
      if (!code || !md)
        return;
      size_t others = 0;
      for (uint32_t u = 0x80; u < 0x110000; u++)
        {
          if (u >= 0xD800 && u < 0xE000)
            continue;
          uint8_t buf[6];
          int len = u8_uctomb (buf, u, sizeof buf);
          if (len <= 0)
            continue;
          others += pcre2_match (code, buf, (PCRE2_SIZE) len, 0, PCRE2_NO_UTF_CHECK, md, NULL) >= 0;
        }
      CHECK (others == (c == 'k' || c == 's'));
      pcre2_match_data_free (md);
      pcre2_code_free (code);
    }
}

/* The code rules-match.c gives a language lang_guess returned: 1 de, 2 en, 3 undecided. */
static int
rules_lang_code_for_test (const char *lang)
{
  return !lang ? 3 : strcmp (lang, "de") == 0 ? 1 : 2;
}

/* A small deterministic generator for the generated-text tests. */
static uint32_t
next_random (uint32_t *state)
{
  *state = *state * 1103515245u + 12345u;
  return *state >> 8;
}

/* The language gate and the triggers are computed per text from a cache of every word's facts
   (lib/rules-match.c), no longer by lang_guess per sentence and a trigger lookup per word: check
   them against lang_guess and a plain comparison of each word with each trigger, on generated
   texts with German and English function words, umlauts, case-folding traps, quoted lines
   (not the sender's own) and enough distinct words to make the cache empty itself.  The words
   also test the filter that lets most words skip the cache (may_trigger and
   LANG_FUNCTION_WORD_MAX): triggers shorter and longer than the four bytes it looks at, words
   that share their first bytes with a trigger but are none, and long words in both
   languages that lang_guess must find no evidence in, and short words near function words or
   with a German letter. */
static void
test_generated_gates (void)
{
  struct ruleset rs = load_string (
    "rule GATE_DE\ntool t\nside appell\ndescribe-de d\ndescribe-en e\nlang de\npattern /^/\n"
    "rule GATE_EN\ntool t\nside appell\ndescribe-de d\ndescribe-en e\nlang en\npattern /^/\n"
    "rule GATE_WORD\ntool t\nside appell\ndescribe-de d\ndescribe-en e\n"
    "trigger zebra giraffe* \u00fcber* stra\u00dfe i zebrafinken nic* x* abcd bestellung"
    " angebot* wo\npattern /^/\n");
  static const char *const vocab[] = {
    "der", "Die", "und", "ich", "NICHT", "du", "the", "The", "and", "you", "IS", "of", "i",
    "zebra", "Zebra", "ZEBRAS", "giraffe", "Giraffenhals", "giraff", "\u00fcber", "\u00dcBER",
    "\u00fcberall", "Stra\u00dfe", "STRASSE", "stra\u00dfen", "Gr\u00fc\u00dfe", "\u0130",
    "\u0131", "\u212Aelvin", "\u017Fie", "xyz", "42", "e-mail", "don't", "was", "in",
    /* Longer than eight bytes, and a byte more, less or other than a trigger. */
    "zebrafinken", "zebrafinkem", "Zebrafinkens", "zebrafinke", "zebrafinkenzucht", "zebrafin",
    /* Around the triggers the filter looks at by their first bytes. */
    "nic", "ni", "Nichts", "nichtig", "x", "Xylophon", "abc", "abcd", "abcde", "abce",
    "bestellung", "Bestellungen", "bestellun", "bestelung", "angebo", "Angebot", "angebote",
    "angebotsfrist", "wo", "wow", "woanders",
    /* The longest function words, and long words without a byte above ASCII, common in
       either language: no evidence. */
    "bitte", "Unsere", "deinen", "please", "Should", "thanks", "quick", "hallo",
    "because", "through", "without", "another", "zwischen", "welches", "unseren", "nochmals",
    "vielleicht", "gegenueber", "interesting", "Stra\u00dfenbahn", "m\u00f6glicherweise",
    /* Function words' near misses and short words with a German letter (lang_word_evidence
       gives new words their language). */
    "DASS", "dasz", "thee", "th", "Ihnen", "ihne", "\u00e4", "\u00d6l", "s\u00fc\u00df",
    "caf\u00e9", "\u00fcbel",
  };
  size_t nvocab = sizeof vocab / sizeof *vocab;
  static const char *const trig_exact[] = { "zebra", "stra\u00dfe", "i", "zebrafinken", "abcd",
                                            "bestellung", "wo" };
  static const char *const trig_prefix[] = { "giraffe", "\u00fcber", "nic", "x", "angebot" };
  uint32_t seed = 20261127;
  unsigned serial = 0;
  size_t mismatches = 0, fired = 0;
  for (int round = 0; round < 1500 && mismatches < 5; round++)
    {
      char body[2048];
      size_t used = 0;
      int nsent = 1 + (int) (next_random (&seed) % 10);
      for (int k = 0; k < nsent && used < sizeof body - 200; k++)
        {
          if (next_random (&seed) % 5 == 0)
            used += (size_t) snprintf (body + used, sizeof body - used, "\n> ");
          int nwords = (int) (next_random (&seed) % 7);
          for (int w = 0; w < nwords; w++)
            used += (size_t) snprintf (body + used, sizeof body - used, "%s ",
                                       vocab[next_random (&seed) % nvocab]);
          /* A word no other text has, every other one longer than eight bytes: the cache
             fills and empties itself. */
          used += (size_t) snprintf (body + used, sizeof body - used, "%sq%ux%s",
                                     serial % 2 ? "unheard" : "", serial,
                                     (const char *[]) { ". ", "? ", "\n", "! " }[next_random (&seed) % 4]);
          serial++;
        }
      struct text t;
      CHECK (text_analyze (&t, body, used) == 0);
      for (int pass = 0; pass < 2; pass++)      /* the second call reuses the text's memo */
        {
          struct findings f = { 0 };
          CHECK (rules_match (&rs, "t", &t, NULL, &f) == 0);
          int whole = rules_lang_code_for_test (lang_guess (&t, LANG_WHOLE_TEXT));
          for (size_t s = 0; s < t.nsent; s++)
            {
              const struct text_sentence *se = &t.sent[s];
              /* A sentence scope rule sees a sentence whose first word is the sender's own, and
                 reports a match whose first byte is. */
              bool seen = se->ntok && se->first_tok < t.ntok && se->end > se->off
                && !(t.tok[se->first_tok].mask & TEXT_NOT_OWN)
                && !(t.mask && (t.mask[se->off] & TEXT_NOT_OWN));
              int got = rules_lang_code_for_test (lang_guess (&t, s));
              if (got == 3)
                got = whole;
              bool trig = false;
              for (size_t i = se->first_tok; i < se->first_tok + se->ntok && i < t.ntok; i++)
                {
                  const char *w = text_lower (&t, i);
                  for (size_t j = 0; j < sizeof trig_exact / sizeof *trig_exact; j++)
                    trig |= strcmp (w, trig_exact[j]) == 0;
                  for (size_t j = 0; j < sizeof trig_prefix / sizeof *trig_prefix; j++)
                    trig |= strncmp (w, trig_prefix[j], strlen (trig_prefix[j])) == 0;
                }
              bool want[3] = { seen && (got == 3 || got == 1), seen && (got == 3 || got == 2),
                               seen && trig };
              static const char *const ids[3] = { "GATE_DE", "GATE_EN", "GATE_WORD" };
              for (int r = 0; r < 3; r++)
                {
                  bool have = false;
                  for (size_t i = 0; i < f.n && !have; i++)
                    have = f.v[i].off == se->off && strcmp (f.v[i].rule, ids[r]) == 0;
                  fired += have;
                  if (have != want[r] && mismatches++ < 5)
                    fprintf (stderr, "%s: sentence %zu of \"%.*s\": got %d, want %d\n", ids[r], s,
                             (int) used, body, have, want[r]);
                }
            }
          release (&f);
        }
      text_free (&t);
    }
  CHECK (mismatches == 0);
  CHECK (fired > 1000);         /* the test looked at something */
  rules_free (&rs);
}

/* The word cache (lib/rules-match.c) tells a word of up to seven bytes from another by its
   first eight bytes alone: a word of eight bytes must still not be taken for a longer word
   with the same first eight that sits before it in the table.  Texts of a thousand new words
   that begin like the trigger fill the cache to where it empties itself; every seventh text,
   when the table is fullest, also has the trigger, which must then be found. */
static void
test_word_cache_heads (void)
{
  struct ruleset rs = load_string (
    "rule EIGHT\ntool t\nside appell\ndescribe-de d\ndescribe-en e\n"
    "trigger abcdefgh\npattern /abcdefgh/\n");
  enum { WORDS = 1000, TEXTS = 140 };
  size_t room = WORDS * 24 + 64;
  char *body = malloc (room);
  CHECK (body != NULL);
  unsigned serial = 0;
  size_t wrong = 0;
  for (int k = 0; body && k < TEXTS; k++)
    {
      size_t used = 0;
      for (int w = 0; w < WORDS; w++)
        used += (size_t) snprintf (body + used, room - used, "abcdefghq%u ", serial++);
      bool has = k % 7 == 6;
      used += (size_t) snprintf (body + used, room - used, has ? ". abcdefgh.\n" : ".\n");
      struct text t;
      CHECK (text_analyze (&t, body, used) == 0);
      struct findings f = { 0 };
      CHECK (rules_match (&rs, "t", &t, NULL, &f) == 0);
      wrong += has_rule (&f, "EIGHT") != has;
      release (&f);
      text_free (&t);
    }
  CHECK (wrong == 0);
  free (body);
  rules_free (&rs);
}

/* Append to BUF (ROOM bytes, *USED of them filled) the LEN bytes at S, changed by chance: a
   letter's case flipped, a k or s turned into KELVIN SIGN or LONG S (which a caseless k or s
   also matches), a word left out, a byte made a blank. */
static void
append_mutated (char *buf, size_t room, size_t *used, const char *s, size_t len, uint32_t *seed,
                int how)
{
  for (size_t i = 0; i < len && *used + 4 < room; i++)
    {
      unsigned char c = (unsigned char) s[i];
      uint32_t roll = next_random (seed) % 64;
      if (how == 1 && roll < 8 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
        c ^= 0x20;
      else if (how == 2 && roll < 16 && (c == 'k' || c == 'K'))
        {
          memcpy (buf + *used, "\xe2\x84\xaa", 3);
          *used += 3;
          continue;
        }
      else if (how == 2 && roll < 16 && (c == 's' || c == 'S'))
        {
          memcpy (buf + *used, "\xc5\xbf", 2);
          *used += 2;
          continue;
        }
      else if (how == 3 && roll < 2 && c == ' ')
        {
          while (i + 1 < len && s[i + 1] != ' ')
            i++;                /* a word left out */
          continue;
        }
      else if (how == 3 && roll == 2)
        c = ' ';
      buf[(*used)++] = (char) c;
    }
  buf[*used] = '\0';
}

/* Load the rules shipped in $srcdir/rules into RS (a check fails if they do not load). */
static void
load_shipped_rules (struct ruleset *rs)
{
  const char *srcdir = getenv ("srcdir");
  char dir[1024], err[512] = "";
  snprintf (dir, sizeof dir, "%s/rules", srcdir ? srcdir : ".");
  CHECK (rules_load_dir (rs, dir, err, sizeof err) == 0);
}

/* The literal prefilter's gate (lib/rules-match.c) turns a sentence or message away only if no
   match of the pattern can be in it.  For every shipped pattern: its rule's examples, those of
   all rules glued in pairs, and both changed by chance (case, KELVIN SIGN and LONG S, words
   left out), as sentences and as messages; wherever PCRE2 finds a match, the gate must let
   the text through.  Fails if the reading takes a string a match need not contain. */
static void
test_gates_sound (void)
{
  struct ruleset rs = { 0 };
  load_shipped_rules (&rs);
  /* Every example of every rule: the pool texts are made from. */
  size_t npool = 0;
  const char **pool = NULL;
  for (int pass = 0; pass < 2; pass++)
    {
      npool = 0;
      for (size_t i = 0; i < rs.n; i++)
        for (int m = 0; m < 2; m++)
          for (char **e = m ? rs.v[i].nomatch : rs.v[i].match; e && *e; e++)
            {
              if (pass)
                pool[npool] = *e;
              npool++;
            }
      if (!pass && !(pool = malloc ((npool + 1) * sizeof *pool)))
        {
          CHECK (pool != NULL);
          rules_free (&rs);
          return;
        }
    }
  CHECK (npool > 100);
  pcre2_match_data *md = pcre2_match_data_create (1, NULL);
  uint32_t seed = 2026;
  size_t matched = 0, turned_away = 0, gated = 0, wrong = 0;
  for (size_t i = 0; i < rs.n && npool && wrong < 10; i++)
    {
      const struct rule *r = &rs.v[i];
      if (!r->pattern)
        continue;
      int errc;
      PCRE2_SIZE erroff;
      pcre2_code *code = pcre2_compile ((PCRE2_SPTR) r->pattern, PCRE2_ZERO_TERMINATED,
                                        r->pattern_flags, &errc, &erroff, NULL);
      CHECK (code != NULL);
      if (!code)
        continue;
      size_t own = 0;
      for (char **e = r->match; e && *e; e++)
        own++;
      for (int k = 0; k < 160; k++)
        {
          char text[4096];
          size_t used = 0;
          /* An own example first (a match, mostly), then a pool text or two. */
          const char *a = own && k % 2 == 0 ? r->match[next_random (&seed) % own]
            : pool[next_random (&seed) % npool];
          int how = (int) (next_random (&seed) % 4);
          append_mutated (text, sizeof text, &used, a, strlen (a), &seed, how);
          if (k % 3 == 1)
            {
              const char *b = pool[next_random (&seed) % npool];
              text[used++] = ' ';
              append_mutated (text, sizeof text, &used, b, strlen (b), &seed, how);
            }
          bool found = pcre2_match (code, (PCRE2_SPTR) text, used, 0, 0, md, NULL) >= 0;
          matched += found;
          for (int sentence = 0; sentence < 2; sentence++)
            {
              int allow = rules_gate_allows (r->pattern, r->pattern_flags, text, used, sentence);
              CHECK (allow >= 0);
              gated += allow != 2;
              turned_away += allow == 0;
              if (found && allow == 0 && wrong++ < 10)
                fprintf (stderr, "gate of %s turns away a match: %s\n", r->id, text);
            }
        }
      pcre2_code_free (code);
    }
  CHECK (wrong == 0);
  if (getenv ("TEST_RULES_VERBOSE"))
    fprintf (stderr, "gates: %zu matched, %zu gated, %zu turned away\n", matched, gated, turned_away);
  /* The check has teeth: many texts match, many are gated and turned away. */
  CHECK (matched > 3000);
  CHECK (gated > 15000);
  CHECK (turned_away > 6000);
  pcre2_match_data_free (md);
  free (pool);
  rules_free (&rs);
}

/* The engine starts a pattern's search where one of the strings every match begins with
   stands, and stops when none is left (next_start in lib/rules-match.c): on generated bodies
   full of near misses, every rule must find exactly what PCRE2 finds searching the whole body
   (or each sentence) from its start, as the engine did before.  The bodies are long enough
   that the start strings are read (a pattern scans 8 KB first). */
/* A message's gate remembers where each byte first occurs in the body, for all the strings
   that begin with it: a string right at the start, at the end, after an earlier lone first
   byte, cut short at the end, or whose first byte the body lacks, asked for twice over the
   same memory (rules_gate_allows says -2 if the second answer differs), must get the answer
   the sentence's way (a signature, a search each) gives. */
static void
test_gate_first_bytes (void)
{
  static const char pat[] = "\\{\\$(?:user|lead)\\.name\\}|\\[unknown\\]";
  static const struct
  {
    const char *text;
    int allow;
  } cases[] = {
    { "{$user.name} hello", 1 },
    { "{ x { {$lead.name}", 1 },
    { "Dear {$LEAD.Name},", 1 },
    { "ends with [unknown]", 1 },
    { "[unknow", 0 },
    { "{$user.nam", 0 },
    { "{ { [ [ $ . }", 0 },
    { "no braces at all", 0 },
    { "", 0 },
  };
  unsigned flags = PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS;
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
    {
      const char *text = cases[k].text;
      int whole = rules_gate_allows (pat, flags, text, strlen (text), false);
      int sentence = rules_gate_allows (pat, flags, text, strlen (text), true);
      if (whole != cases[k].allow || sentence != cases[k].allow)
        fprintf (stderr, "gate of %s on \"%s\": %d as a message, %d as a sentence, not %d\n",
                 pat, text, whole, sentence, cases[k].allow);
      CHECK (whole == cases[k].allow);
      CHECK (sentence == cases[k].allow);
    }
}

/* How many of RS's rules found in the text T of the LEN bytes BODY (FINDINGS) other than what
   PCRE2 finds searching each of the rule's ranges from its start, as match_range did before it
   had start strings; each such rule is told on stderr.  Add the matches PCRE2 found to
   *FOUND. */
static size_t
differ_from_pcre2 (struct ruleset *rs, const struct text *t, const char *body, size_t len,
                   const struct findings *findings, pcre2_match_data *md, size_t *found)
{
  size_t mismatches = 0;
  for (size_t i = 0; i < rs->n; i++)
    {
      const struct rule *r = &rs->v[i];
      pcre2_code *code = (pcre2_code *) r->code;
      if (!code)
        {
          int err;
          PCRE2_SIZE erroff;
          code = pcre2_compile ((PCRE2_SPTR) r->pattern, PCRE2_ZERO_TERMINATED,
                                r->pattern_flags, &err, &erroff, NULL);
        }
      CHECK (code != NULL);
      if (!code)
        continue;
      size_t want[256][2], nwant = 0;
      for (size_t s = 0; s < (r->scope == SCOPE_MESSAGE ? 1 : t->nsent); s++)
        {
          if (r->scope != SCOPE_MESSAGE && !rules_sentence_in_scope (r, t, s))
            continue;
          size_t start = r->scope == SCOPE_MESSAGE ? 0 : t->sent[s].off;
          size_t end = r->scope == SCOPE_MESSAGE ? len : t->sent[s].end;
          size_t pos = 0;
          for (int m = 0; m < 64 && pos <= end - start; m++)
            {
              if (pcre2_match (code, (PCRE2_SPTR) body + start, end - start, pos, 0, md, NULL) < 0)
                break;
              PCRE2_SIZE *ov = pcre2_get_ovector_pointer (md);
              if (!(t->mask[start + ov[0] < len ? start + ov[0] : len - 1] & TEXT_NOT_OWN)
                  && nwant < 256)
                {
                  want[nwant][0] = start + ov[0];
                  want[nwant++][1] = ov[1] - ov[0];
                }
              pos = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
              while (pos < end - start && ((unsigned char) body[start + pos] & 0xC0) == 0x80)
                pos++;
            }
        }
      size_t ngot = 0;
      bool same = true;
      for (size_t k = 0; k < findings->n; k++)
        if (strcmp (findings->v[k].rule, r->id) == 0)
          {
            same &= ngot < nwant && findings->v[k].off == want[ngot][0]
              && findings->v[k].len == want[ngot][1];
            ngot++;
          }
      *found += nwant;
      if ((!same || ngot != nwant) && mismatches++ < 5)
        fprintf (stderr, "%s: %zu findings, PCRE2 finds %zu, in \"%s\"\n", r->id, ngot, nwant,
                 body);
      if (code != r->code)
        pcre2_code_free (code);
    }
  return mismatches;
}

/* Run the rules of RS (tool "t") over BODY (LEN bytes) and count with differ_from_pcre2 how
   their findings differ from PCRE2 searching the same ranges itself. */
static size_t
match_against_pcre2 (struct ruleset *rs, const char *body, size_t len, pcre2_match_data *md,
                     size_t *found)
{
  struct text t;
  CHECK (text_analyze (&t, body, len) == 0);
  struct findings f = { 0 };
  CHECK (rules_match (rs, "t", &t, NULL, &f) == 0);
  size_t n = differ_from_pcre2 (rs, &t, body, len, &f, md, found);
  release (&f);
  text_free (&t);
  return n;
}

/* The start strings (rules-match.c, next_start) must not make a search miss a match: each
   rule's findings on random bodies of TEMPLATE_PLACEHOLDER-like near misses are compared with
   PCRE2 searching each range from its start. */

/* Each of the NPAT PATTERNS as a rule of tool "t", first all in message scope (rules
   PREFIX_M_0 ...), then all in sentence scope (PREFIX_S_0 ...). */
static struct ruleset
load_both_scopes (const char *prefix, const char *const *patterns, size_t npat)
{
  char rules_text[8192];
  size_t used = 0;
  for (size_t k = 0; k < 2 * npat && used < sizeof rules_text; k++)
    used += (size_t) snprintf (rules_text + used, sizeof rules_text - used,
                               "rule %s_%s_%zu\ntool t\nside appell\ndescribe-de d\n"
                               "describe-en e\nscope %s\npattern /%s\n\n", prefix,
                               k < npat ? "M" : "S", k % npat, k < npat ? "message" : "sentence",
                               patterns[k % npat]);
  CHECK (used < sizeof rules_text);
  struct ruleset rs = load_string (rules_text);
  CHECK (rs.n == 2 * npat);
  return rs;
}

static void
test_start_strings (void)
{
  static const char *const patterns[] = {
    /* TEMPLATE_PLACEHOLDER's: "[", "{" behind a lookbehind, "-fir" and the like, caseless. */
    "\\[\\s*(?:vorname|name|first[ _]?name|firma|ihr name)\\s*\\]|(?<![{$])\\{\\s*(?:first_?name"
    "|name)\\s*\\}(?!\\})|(?<![\\w-])-(?:first_?name|last_?name|name|company)-(?![\\w-])"
    "|~(?:first_?name|f?name|firma)~/i",
    "(?<![\\w-])-(?:first_?name|name)-(?![\\w-])|\\[\\s*name\\s*\\]/",
    "\\{\\{\\s*\\w+\\s*\\}\\}/",
    "--(?:abc)\\Kdef/",
    "\\bhow\\s+(?:many|much)\\b/i",
    "\\bkeep\\s+going\\b/i",
    "\\x{fc}ber\\s+uns|\xc3\xbc" "ber\\s+alles/",
    "(?m)^[ \\t]*(?:hallo|dear)[ \\t]+,/i",
    "(?:abc|x(?=yz))/",
  };
  static const char *const pieces[] = {
    "[ name ]", "[Name]", "[vorname ]", "[ IHR NAME]", "[[name]]", "[x]", "-first_name-",
    "x-first_name-", "--name--", "-NAME-", "-Company-", "-last_name", "{first_name}",
    "{{first_name}}", "${name}", "{ Name }", "~fname~", "~FNAME~", "~name~", "how many",
    "HOW MUCH", "How  much", "howmany", "show many", "keep going", "\xe2\x84\xaa" "eep going",
    "KEEP GOING", "\xc3\x9c" "ber uns", "\xc3\xbc" "ber uns", "\xc3\xbc" "ber alles", "--abcdef",
    "-abcdef", "--abcde", "{{ x }}", "{{x}", "\nhallo ,", "\nDear\t,", "\n  HALLO ,", "xyz",
    "abxyz", "abc", " ", " ", " ", ". ", "? ", "\n", "\n\n", "word", "Wort", "\xc3\xa4", "\xe2\x82\xac",
    "-", "--", "~", "[", "{", "Hallo", "first", "name",
  };
  size_t npat = sizeof patterns / sizeof *patterns, npieces = sizeof pieces / sizeof *pieces;
  struct ruleset rs = load_both_scopes ("START", patterns, npat);
  pcre2_match_data *md = pcre2_match_data_create (1, NULL);
  uint32_t seed = 4711;
  size_t mismatches = 0, found = 0;
  for (int round = 0; round < 400 && mismatches < 5; round++)
    {
      char body[3000];
      size_t len = 0;
      while (len < sizeof body - 64)
        {
          const char *p = pieces[next_random (&seed) % npieces];
          memcpy (body + len, p, strlen (p));
          len += strlen (p);
          if (next_random (&seed) % 3)
            body[len++] = ' ';
        }
      body[len] = '\0';
      mismatches += match_against_pcre2 (&rs, body, len, md, &found);
    }
  CHECK (mismatches == 0);
  CHECK (found > 5000);         /* the test looked at something */
  pcre2_match_data_free (md);
  rules_free (&rs);
}

/* next_start looks for several first bytes in one pass, 32 bytes a step, and turns a place
   away by the byte after it before comparing strings.  Each piece that a pattern matches is
   put at every place of bodies of every length up to 70 bytes (so at each place of a step,
   across two steps, in the bytes after the last step and at the very end), among bytes that
   are first or second bytes of start strings; the findings must be PCRE2's.  With a KELVIN
   SIGN or a LONG S the start strings are not used, but the pieces with them must still be
   found. */
static void
test_start_search (void)
{
  static const char *const patterns[] = {
    /* "[" is a start string of one byte; "{n", "-f", "-n", "-c", "~f", "~n" need the next byte
       too, in either case. */
    "\\[\\s*name\\s*\\]|\\{name\\}|(?<![\\w-])-(?:first_?name|name|company)-(?![\\w-])"
    "|~f?name~/i",
    /* Five first bytes (a, A, x, X, -): all eight compares. */
    "abc|xyz|-qq/i",
    /* Case counts: "-Na" but not "-na". */
    "-Name-|\\[x\\]/",
    /* Start strings of one and of two bytes at the very end. */
    "\\[(?!\\S)|-zz|~z(?!\\w)/",
    /* A caseless k or s also matches KELVIN SIGN and LONG S. */
    "-key-|~sun~|\\[kiss\\]/i",
  };
  static const char *const pieces[] = {
    "[name]", "[ NAME ]", "{name}", "{NAME}", "-first_name-", "-NAME-", "-Company-", "~fname~",
    "~Name~", "abc", "XYZ", "-qq", "-QQ", "-Name-", "-name-", "[x]", "[", "-zz", "~z", "-key-",
    "-\xe2\x84\xaa" "ey-", "~\xc5\xbf" "un~", "[ki\xc5\xbf" "s]",
  };
  static const char filler[] = "-n-{--N~f [-a-x~-c-q{z";
  size_t npat = sizeof patterns / sizeof *patterns, npieces = sizeof pieces / sizeof *pieces;
  struct ruleset rs = load_both_scopes ("SEARCH", patterns, npat);
  pcre2_match_data *md = pcre2_match_data_create (1, NULL);
  size_t mismatches = 0, found = 0, bodies = 0;
  /* First a long body, after which each pattern is read for its start strings. */
  char body[9000];
  for (size_t k = 0; k + 1 < sizeof body; k++)
    body[k] = k % 50 == 49 ? '.' : filler[k % (sizeof filler - 1)];
  body[sizeof body - 1] = '\0';
  for (size_t len = sizeof body - 1; len <= 70 || len == sizeof body - 1;
       len = len == sizeof body - 1 ? 1 : len + 1)
    for (size_t k = 0; k < npieces && mismatches < 5; k++)
      {
        size_t plen = strlen (pieces[k]);
        for (size_t at = 0; at + plen <= len && mismatches < 5; at++)
          {
            if (len < sizeof body - 1)
              {
                for (size_t j = 0; j < len; j++)
                  body[j] = filler[(j + at + k) % (sizeof filler - 1)];
                memcpy (body + at, pieces[k], plen);
                body[len] = '\0';
              }
            mismatches += match_against_pcre2 (&rs, body, len, md, &found);
            bodies++;
            if (len == sizeof body - 1)
              break;
          }
        if (len == sizeof body - 1)
          break;
      }
  /* Then long bodies, where a message rule with more than two first bytes is tried at each
     start on its own, up to a number of tries (match_range): pieces among near misses, two
     starts in a row ("[[name]", "--name-"), with or without a sign. */
  uint32_t seed = 1234;
  for (int round = 0; round < 300 && mismatches < 5; round++)
    {
      size_t len = 1024 + next_random (&seed) % 1500, k = 0;
      bool sign = round % 3 == 0;
      while (k < len)
        {
          unsigned pick = next_random (&seed) % 16;
          const char *p = pick == 0 ? pieces[next_random (&seed) % npieces]
            : pick == 1 ? "[[name]" : pick == 2 ? "--name-" : pick == 3 ? "\n" : NULL;
          if (!p)
            body[k++] = filler[next_random (&seed) % (sizeof filler - 1)];
          else if (k + strlen (p) <= len && (sign || (!strchr (p, '\xe2') && !strchr (p, '\xc5'))))
            {
              memcpy (body + k, p, strlen (p));
              k += strlen (p);
            }
          else
            body[k++] = ' ';
        }
      body[len] = '\0';
      mismatches += match_against_pcre2 (&rs, body, len, md, &found);
    }
  CHECK (mismatches == 0);
  CHECK (bodies > 40000);
  CHECK (found > 40000);         /* the test looked at something */
  pcre2_match_data_free (md);
  rules_free (&rs);
}

/* rules_triggers_in_subject looks for a trigger only where its first byte stands: it must
   agree with a compare at every byte, on generated subjects. */
static bool
plain_triggers_in_subject (const struct rule *r, const char *subject)
{
  if (r->ntrigger == 0)
    return true;
  for (size_t k = 0; k < r->ntrigger; k++)
    {
      size_t n = strlen (r->trigger[k]);
      bool prefix = n > 0 && r->trigger[k][n - 1] == '*';
      n -= prefix;
      for (size_t i = 0; n && subject[i]; i++)
        {
          if (strncmp (subject + i, r->trigger[k], n) != 0)
            continue;
          unsigned char b = i ? (unsigned char) subject[i - 1] : ' ', a = (unsigned char) subject[i + n];
          bool wb = b >= 0x80 || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
          bool wa = a >= 0x80 || (a >= 'a' && a <= 'z') || (a >= '0' && a <= '9');
          if (!wb && (prefix || !wa))
            return true;
        }
    }
  return false;
}

static void
test_subject_triggers (void)
{
  char *triggers[] = { "frage", "question*", "q", "ab*", "*", NULL };
  struct rule r = { 0 };
  r.trigger = triggers;
  r.ntrigger = 5;
  static const char *const pieces[] = {
    "frage", "fragen", "xfrage", "frage-", "question", "questions", "q", "qq", "ab", "abc", "xab",
    "\xc3\xa4", "\xc3\xa4" "frage", " ", " ", "-", "re:", "1", "fra", "ge",
  };
  uint32_t seed = 99;
  size_t disagree = 0, yes = 0;
  for (int round = 0; round < 20000; round++)
    {
      char subject[128];
      size_t n = 0;
      int k = (int) (next_random (&seed) % 6);
      for (int j = 0; j < k; j++)
        {
          const char *p = pieces[next_random (&seed) % (sizeof pieces / sizeof *pieces)];
          memcpy (subject + n, p, strlen (p));
          n += strlen (p);
        }
      subject[n] = '\0';
      bool want = plain_triggers_in_subject (&r, subject);
      yes += want;
      disagree += rules_triggers_in_subject (&r, subject) != want;
    }
  CHECK (disagree == 0);
  CHECK (yes > 1000 && yes < 19000);
}

/* rules_utf8_valid hands only the non-ASCII runs to u8_check: it must agree with u8_check on
   the whole text, for valid and broken sequences anywhere (surrogates, overlong forms, code
   points past U+10FFFF, a sequence cut short by ASCII or by the end). */
static void
test_utf8_valid (void)
{
  static const char *const pieces[] = {
    "a", "hello world ", "\xc3\xa4", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3", "\xe2\x82",
    "\xed\xa0\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xf4\x90\x80\x80", "\x80", "\xff", "\xfe",
    "\xf8\x88\x80\x80\x80", "12345678", "\xef\xbb\xbf", "\xf0\x90\x80",
  };
  uint32_t seed = 7;
  size_t disagree = 0, valid = 0;
  for (int round = 0; round < 200000; round++)
    {
      char buf[64];
      size_t n = 0;
      int k = (int) (next_random (&seed) % 6);
      for (int j = 0; j < k; j++)
        {
          const char *p = pieces[next_random (&seed) % (sizeof pieces / sizeof *pieces)];
          size_t len = strlen (p);
          if (n + len > sizeof buf)
            break;
          memcpy (buf + n, p, len);
          n += len;
        }
      bool want = u8_check ((const uint8_t *) buf, n) == NULL;
      valid += want;
      disagree += rules_utf8_valid (buf, n) != want;
    }
  CHECK (disagree == 0);
  CHECK (valid > 1000 && valid < 199000);
}

/* ---- Generated patterns for the literal reading ---- */

/* Append the string S to the pattern being built at BUF (room SIZE, USED so far). */
static void
pat_add (char *buf, size_t size, size_t *used, const char *s)
{
  size_t n = strlen (s);
  if (*used + n < size)
    {
      memcpy (buf + *used, s, n);
      *used += n;
      buf[*used] = '\0';
    }
}

static void gen_alternation (char *buf, size_t size, size_t *used, uint32_t *seed, int depth);

/* Words that share their first bytes (so that cutting them short merges some), with and
   without a caseless k or s, and with bytes above ASCII. */
static const char *const pat_words[] = {
  "an", "ang", "angebot", "angebote", "angebots", "anfrage", "anfragen", "ansprechpartner",
  "the", "them", "there", "these", "kontakt", "kontaktieren", "kostenlos", "sie", "sind",
  "free", "freely", "frei", "freie", "you", "your", "yours", "we", "were", "wert", "werte",
  "\u00fcber", "\u00dcber", "stra\u00dfe", "Gr\u00fc\u00dfe", "caf\u00e9", "No", "no.", "A",
  "x", "-first", "[name]", "{{", "question", "questions", "quest", "interessiert",
  "interesse", "interesting", "interested", "opportunity", "opportunities", "KS", "Ks",
  "wirklich", "wirklichkeit", "eine", "einen", "einem", "einer", "eines", "ein",
};

/* One of pat_words, by chance. */
static const char *
pat_word (uint32_t *seed)
{
  return pat_words[next_random (seed) % (sizeof pat_words / sizeof *pat_words)];
}

/* Append one atom, maybe quantified. */
static void
gen_atom (char *buf, size_t size, size_t *used, uint32_t *seed, int depth)
{
  static const char *const simple[] = {
    "\\.", "\\-", "\\?", "\\$", "\\t", "[aeiou]", "[a-z]", "[^x]", "[sS]", "[\\-.]", "[kK]",
    "[ab]", "[xyz\u00e4]", "\\s+", "\\s*", "\\s", "\\w+", "\\d{2,4}", ".", ".*?", "\\b", "^",
    "$", " ", ",", "\\bfoo\\b", "\\p{L}+", "\\pL", "(?<=ab)", "(?<!x)", "(?m)",
  };
  static const char *const quant[] = {
    "?", "*", "+", "{2}", "{1,3}", "{0,1}", "??", "+?", "{2,}", "{0}", "{1}", "*+", "{3,5}?",
  };
  uint32_t roll = next_random (seed) % 100;
  if (roll < 40)
    pat_add (buf, size, used, pat_word (seed));
  else if (roll < 50)
    {
      /* A random word, some longer than a string of the reading may be. */
      static const char letters[] = "aeksnrtKSqzABo";
      int len = 1 + (int) (next_random (seed) % (roll < 45 ? 6 : 30));
      char w[40];
      for (int k = 0; k < len; k++)
        w[k] = letters[next_random (seed) % (sizeof letters - 1)];
      w[len] = '\0';
      pat_add (buf, size, used, w);
    }
  else if (roll == 99)
    pat_add (buf, size, used, "\\K");        /* syntax the reading gives up on */
  else if (roll < 80 || depth >= 3)
    pat_add (buf, size, used, simple[next_random (seed) % (sizeof simple / sizeof *simple)]);
  else
    {
      static const char *const open[] = { "(?:", "(", "(?=", "(?!", "(?i:", "(?-i:", "(?>",
                                          "(?<n>", "(?s:" };
      pat_add (buf, size, used, open[next_random (seed) % (sizeof open / sizeof *open)]);
      gen_alternation (buf, size, used, seed, depth + 1);
      pat_add (buf, size, used, ")");
    }
  if (next_random (seed) % 4 == 0)
    pat_add (buf, size, used, quant[next_random (seed) % (sizeof quant / sizeof *quant)]);
}

/* Append a sequence of atoms. */
static void
gen_sequence (char *buf, size_t size, size_t *used, uint32_t *seed, int depth)
{
  int n = 1 + (int) (next_random (seed) % 5);
  for (int k = 0; k < n; k++)
    gen_atom (buf, size, used, seed, depth);
}

/* Append alternatives: a few, or a long list of words (which fills the reading's sets). */
static void
gen_alternation (char *buf, size_t size, size_t *used, uint32_t *seed, int depth)
{
  uint32_t roll = next_random (seed) % 10;
  int n = roll < 5 ? 1 : roll < 8 ? 2 + (int) (next_random (seed) % 4)
    : 10 + (int) (next_random (seed) % 60);
  for (int k = 0; k < n; k++)
    {
      if (k)
        pat_add (buf, size, used, "|");
      if (n >= 10 && next_random (seed) % 3)
        pat_add (buf, size, used, pat_word (seed));
      else
        gen_sequence (buf, size, used, seed, depth);
    }
}

/* Append groups nested DEPTH deep, alternatives in sequences in alternatives, over a few words
   that contain each other ("an" in "angebot"): the reading's tree gets as deep as
   gate_implies follows it, and many of its nodes imply others. */
static void
gen_nested (char *buf, size_t size, size_t *used, uint32_t *seed, int depth)
{
  static const char *const words[] = { "an", "ang", "angebot", "the", "them", "werte", "wert" };
  const char *w = words[next_random (seed) % (sizeof words / sizeof *words)];
  if (depth == 0)
    {
      pat_add (buf, size, used, w);
      return;
    }
  uint32_t form = next_random (seed) % 3;
  if (form < 2)
    {
      pat_add (buf, size, used, w);
      pat_add (buf, size, used, form ? " (?:" : "\\s+(");
    }
  else
    pat_add (buf, size, used, "(?:");
  gen_nested (buf, size, used, seed, depth - 1);
  pat_add (buf, size, used, "|");
  pat_add (buf, size, used, words[next_random (seed) % (sizeof words / sizeof *words)]);
  pat_add (buf, size, used, " ");
  gen_nested (buf, size, used, seed, depth - 1);
  pat_add (buf, size, used, ")");
}

/* The reading of a pattern's literals (lib/rules-match.c: what every match contains, where a
   match can start) is made fast with a few shortcuts: a set's prefixes cut short by a binary
   search, substrings looked for without memmem, and the like.  For every shipped pattern and
   many generated ones (long word lists whose prefixes must be cut, groups nested up to nine
   deep, lookarounds, quantifiers, caseless k and s, bytes above ASCII, as sentence and message
   rules), the fast reading must give exactly the gate and start strings the plain one gives.  Set
   TEST_RULES_LITERALS to a file name to have every reading written there. */
static void
test_literal_reading (void)
{
  struct ruleset rs = { 0 };
  load_shipped_rules (&rs);
  const char *dump_path = getenv ("TEST_RULES_LITERALS");
  FILE *dump = dump_path ? fopen (dump_path, "w") : NULL;
  size_t compared = 0, gated = 0, started = 0, differ = 0;
  uint32_t seed = 8;
  enum { GENERATED = 6000 };
  for (size_t i = 0; i < rs.n + GENERATED && differ < 5; i++)
    {
      char gen[8192];
      const char *pattern;
      unsigned flags;
      if (i < rs.n)
        {
          if (!rs.v[i].pattern)
            continue;
          pattern = rs.v[i].pattern;
          flags = rs.v[i].pattern_flags;
        }
      else
        {
          size_t used = 0;
          gen[0] = '\0';
          if (i % 8 == 0)
            gen_nested (gen, sizeof gen, &used, &seed, 4 + (int) (next_random (&seed) % 6));
          else
            gen_alternation (gen, sizeof gen, &used, &seed, 0);
          pattern = gen;
          flags = PCRE2_UTF | PCRE2_UCP;
          uint32_t roll = next_random (&seed) % 8;
          flags |= roll < 5 ? PCRE2_CASELESS : 0;
          flags |= roll == 7 ? PCRE2_MULTILINE | PCRE2_DOTALL : 0;
        }
      for (int sentence = 0; sentence < 2; sentence++)
        {
          char *fast = rules_literals_describe (pattern, flags, sentence, false);
          char *plain = rules_literals_describe (pattern, flags, sentence, true);
          CHECK (fast && plain);
          if (fast && plain)
            {
              compared++;
              gated += strstr (fast, "gate none") == NULL;
              started += strstr (fast, " starts ") != NULL;
              if (strcmp (fast, plain) != 0 && differ++ < 5)
                fprintf (stderr, "literals of /%s/ (%s): %sagainst the plain %s", pattern,
                         sentence ? "sentence" : "message", fast, plain);
              if (dump)
                fprintf (dump, "/%s/%x %d: %s", pattern, flags, sentence, fast);
            }
          free (fast);
          free (plain);
        }
    }
  if (dump)
    fclose (dump);
  CHECK (differ == 0);
  if (getenv ("TEST_RULES_VERBOSE"))
    fprintf (stderr, "literals: %zu compared, %zu gated, %zu with start strings\n", compared,
             gated, started);
  /* The comparison has teeth: most readings find a gate, many start strings. */
  CHECK (compared > 12000);
  CHECK (gated > compared / 3);
  CHECK (started > compared / 10);
  rules_free (&rs);
}

/* Sentence gates read an ASCII-lower-cased copy and a signature of its byte pairs, both made
   sixteen bytes at a time where SSE2 is there: on generated texts of every length up to some
   300 bytes, of bytes near the edges of A to Z and a to z, other ASCII, UTF-8 and any byte,
   both must equal what a byte and a pair at a time give (rules_lower_sig_agree compares
   ranges starting and ending at each place of a block of sixteen). */
static void
test_lower_sig (void)
{
  static const char edges[] = "@AZ[`az{ 09.-_\x80\xc3\xa4\xff";
  uint32_t seed = 11;
  size_t disagree = 0, upper = 0;
  for (int round = 0; round < 20000; round++)
    {
      char buf[320];
      size_t n = round % 2 ? (size_t) (round / 2) % 300 : next_random (&seed) % sizeof buf;
      for (size_t k = 0; k < n; k++)
        {
          uint32_t r = next_random (&seed);
          buf[k] = r % 3 == 0 ? (char) (r >> 8)
            : r % 3 == 1 ? edges[(r >> 8) % (sizeof edges - 1)]
            : (char) ('A' + (r >> 8) % 58);
          upper += buf[k] >= 'A' && buf[k] <= 'Z';
        }
      int agree = rules_lower_sig_agree (buf, n);
      CHECK (agree >= 0);
      disagree += agree == 0;
    }
  CHECK (disagree == 0);
  CHECK (upper > 100000);
}

int
main (void)
{
  if (!mkdtemp (tmpdir))
    {
      perror ("mkdtemp");
      return 99;
    }
  /* rules_load_dir keeps a parsed-rules image per directory: keep ours in the temporary
     directory, not in the shared test cache. */
  char cache[600];
  snprintf (cache, sizeof cache, "%s/cache", tmpdir);
  setenv ("XDG_CACHE_HOME", cache, 1);
  test_parse_errors ();
  test_parse_ok ();
  test_example_lines ();
  test_numbers ();
  test_override_and_dir ();
  test_memo ();
  test_memo_arena ();
  test_compile_errors ();
  test_runaway ();
  test_triggers_and_scopes ();
  test_word_cache_heads ();
  test_check_examples ();
  test_literal_prefilter ();
  test_caseless_ascii ();
  test_generated_gates ();
  test_start_strings ();
  test_start_search ();
  test_gates_sound ();
  test_literal_reading ();
  test_gate_first_bytes ();
  test_subject_triggers ();
  test_utf8_valid ();
  test_lower_sig ();

  char cmd[600];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", tmpdir);
  if (failures)
    fprintf (stderr, "test-rules: %d failures\n", failures);
  return failures ? 1 : 0;
}
