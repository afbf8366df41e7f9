/* test-findings.c: the findings record, its TSV round trip, escaping and sorting. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings.h"
#include "unit.h"

/* The TSV record of X as findings_write_tsv wrote it with one stdio call per piece, before it
   put records together in memory: what it writes must not change. */
static void
reference_record (FILE *out, const char *label, const char *tool, const struct finding *x)
{
  const char *fields[2][4] = { { label, NULL }, { tool, x->rule, x->cls, NULL } };
  fputs ("F\t", out);
  for (int part = 0; part < 2; part++)
    {
      for (int k = 0; fields[part][k]; k++)
        {
          if (k)
            putc ('\t', out);
          for (const char *s = fields[part][k]; *s; s++)
            fputs (*s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n"
                   : *s == '\r' ? "\\r" : (char[2]) { *s, '\0' }, out);
        }
      if (part == 0)
        fprintf (out, "\t%lu:%lu\t", x->line, x->col);
    }
  static const char *const severity[] = { "info", "weak", "medium", "strong" };
  const char *flags = (x->flags & FIND_QUOTED) && (x->flags & FIND_ALLOWED) ? "quoted,allowed"
    : x->flags & FIND_QUOTED ? "quoted" : x->flags & FIND_ALLOWED ? "allowed" : "-";
  fprintf (out, "\t%s\t%s\t%g\t", severity[x->severity], flags, x->weight);
  for (const char *s = x->match; *s; s++)
    fputs (*s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n"
           : *s == '\r' ? "\\r" : (char[2]) { *s, '\0' }, out);
  putc ('\n', out);
}

/* Many records: weights that change, repeat and come back, escapes in every field, the
   largest positions, every flag and severity; and a long match. */
static void
test_tsv_records (void)
{
  char body[5000];
  for (size_t i = 0; i < sizeof body - 1; i++)
    body[i] = "ab\\\tc\nd\re"[i % 10];
  body[sizeof body - 1] = '\0';
  const double weights[] = { 1, 1, 2.61, 0.5, 0, -0.0, 1e-7, 123456789, 0.1 + 0.2, 2.61 };
  struct findings f = { 0 };
  for (size_t i = 0; i < 40; i++)
    {
      CHECK (findings_add (&f, body, i % 3 ? "RULE_A" : "R\tB\\", i % 2 ? "C\nLS" : "CUE",
                           (enum finding_severity) (i % 4), (unsigned) (i % 4), (uint32_t) i,
                           i == 39 ? 4000 : (uint32_t) (i % 7)) == 0);
      f.v[i].weight = weights[i % 10];
      f.v[i].line = i == 5 ? FINDINGS_MAX_POSITION : i + 1;
      f.v[i].col = i * 1000;
    }
  char *got = NULL, *want = NULL;
  size_t got_size = 0, want_size = 0;
  FILE *g = open_memstream (&got, &got_size), *w = open_memstream (&want, &want_size);
  CHECK (findings_write_tsv (g, "mail\t1\\x", "detect-template", &f) == 0);
  for (size_t i = 0; i < f.n; i++)
    reference_record (w, "mail\t1\\x", "detect-template", &f.v[i]);
  fclose (g);
  fclose (w);
  CHECK (got_size == want_size);
  CHECK_STR (got, want);
  free (got);
  free (want);

  /* Already in order, with an exact duplicate: the first of the two stays, as a stable sort
     keeps it. */
  findings_clear (&f);
  CHECK (findings_add (&f, body, "R", "first", SEV_WEAK, 0, 0, 2) == 0);
  CHECK (findings_add (&f, body, "R", "second", SEV_WEAK, 0, 0, 2) == 0);
  CHECK (findings_add (&f, body, "S", "third", SEV_WEAK, 0, 3, 1) == 0);
  findings_sort (&f);
  CHECK (f.n == 2);
  CHECK_STR (f.v[0].cls, "first");
  CHECK_STR (f.v[1].cls, "third");
  findings_clear (&f);

  /* Runs, as detectors report them, with exact duplicates across runs and within one: the
     first reported of equal findings stays, and the order is that of a stable sort. */
  static const struct { const char *rule, *cls; uint32_t off, len; } in[] = {
    { "B", "b1", 2, 1 }, { "B", "b2", 9, 1 }, { "A", "a1", 2, 1 }, { "A", "a2", 2, 3 },
    { "C", "c1", 0, 1 }, { "B", "b3", 2, 1 }, { "B", "b4", 9, 1 }, { "A", "a3", 1, 1 },
    { "A", "a4", 2, 1 }, { "A", "a5", 7, 2 }, { "A", "a6", 7, 2 }, { "A", "a7", 3, 1 },
  };
  for (size_t i = 0; i < sizeof in / sizeof *in; i++)
    CHECK (findings_add (&f, body, in[i].rule, in[i].cls, SEV_WEAK, 0, in[i].off, in[i].len) == 0);
  findings_sort (&f);
  const char *want_cls[] = { "c1", "a3", "a1", "a2", "b1", "a7", "a5", "b2" };
  CHECK (f.n == sizeof want_cls / sizeof *want_cls);
  for (size_t i = 0; i < f.n && i < sizeof want_cls / sizeof *want_cls; i++)
    CHECK_STR (f.v[i].cls, want_cls[i]);
  findings_clear (&f);
  free (f.v);
}

/* A set copies each distinct rule id and class once and shares the copy among its findings; the
   copies outlive the caller's strings and the set's growth, and a cleared set starts afresh. */
static void
test_shared_names (void)
{
  const char *body = "du du Sie du";
  struct findings f = { 0 };
  char rule[16], cls[8];
  for (size_t i = 0; i < 300; i++)
    {
      /* Names in a buffer the caller reuses, as explain's stream reader does; many of them, so
         that the table of names grows. */
      snprintf (rule, sizeof rule, "RULE_%zu", i % 100);
      strcpy (cls, i % 2 ? "DU" : "");
      CHECK (findings_add (&f, body, rule, i % 3 ? cls : NULL, SEV_WEAK, 0, 0, 2) == 0);
      CHECK (f.v[i].rule != rule && f.v[i].cls != cls);
    }
  memset (rule, 'x', sizeof rule);
  memset (cls, 'x', sizeof cls);
  for (size_t i = 0; i < 300; i++)
    {
      char want[16];
      snprintf (want, sizeof want, "RULE_%zu", i % 100);
      CHECK_STR (f.v[i].rule, want);
      CHECK_STR (f.v[i].cls, i % 2 && i % 3 ? "DU" : "");
      CHECK_STR (f.v[i].match, "du");
    }
  /* One copy per name, not per finding. */
  CHECK (f.v[0].rule == f.v[100].rule && f.v[7].rule == f.v[207].rule);
  CHECK (f.v[1].cls == f.v[5].cls && f.v[0].cls == f.v[3].cls && f.v[1].cls != f.v[0].cls);
  findings_clear (&f);
  CHECK (f.n == 0);
  CHECK (findings_add (&f, body, "DU_PRON", "DU", SEV_STRONG, 0, 10, 2) == 0);
  CHECK (findings_add (&f, body, "SIE_MID", "SIE", SEV_WEAK, 0, 6, 3) == 0);
  CHECK (findings_add (&f, body, "DU_PRON", "DU", SEV_STRONG, 0, 0, 2) == 0);
  findings_sort (&f);
  CHECK (f.n == 3);
  CHECK_STR (f.v[0].rule, "DU_PRON");
  CHECK_STR (f.v[1].match, "Sie");
  CHECK (f.v[0].rule == f.v[2].rule);
  findings_clear (&f);
  free (f.v);
}

/* Compare the number formatters with snprintf for X: every byte and the return value. */
static size_t number_mismatches;

static void
check_number (double x)
{
  char want[512], got[512];
  for (int d = 0; d <= 3; d++)
    {
      int wn = snprintf (want, sizeof want, "%.*f", d, x);
      int gn = findings_format_fixed (got, sizeof got, x, d);
      if (wn != gn || strcmp (want, got) != 0)
        {
          if (number_mismatches++ < 10)
            fprintf (stderr, "%%.%df of %.17g: got \"%s\", want \"%s\"\n", d, x, got, want);
        }
    }
  int wn = snprintf (want, sizeof want, "%g", x);
  int gn = findings_format_g (got, sizeof got, x);
  if (wn != gn || strcmp (want, got) != 0)
    {
      if (number_mismatches++ < 10)
        fprintf (stderr, "%%g of %.17g: got \"%s\", want \"%s\"\n", x, got, want);
    }
}

/* A small generator with a fixed seed, so that a failure repeats. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t
rng (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* The number formatters write what snprintf writes: on decimal fractions (rule weights and
   their sums), on exact ties and their neighbours (where printf rounds to even), on the edges
   of the fast paths, on random values of every size and on special values. */
static void
test_number_formats (void)
{
  static const double weights[] = { 0, 0.29, 0.48, 0.5, 0.87, 0.9, 1, 1.08, 1.14, 1.36, 1.46,
    1.5, 1.52, 1.55, 1.74, 1.84, 1.85, 1.92, 2, 2.5, 2.59, 2.61, 3, -3.38, -5 };
  size_t nweights = sizeof weights / sizeof *weights;
  for (long k = -100000; k <= 100000; k++)
    {
      check_number (k / 100.0);
      if (k % 7 == 0)
        {
          check_number (k / 1000.0);
          check_number (k / 10.0);
          check_number (k / 10000.0);
        }
    }
  for (int i = 0; i < 50000; i++)
    {
      /* Sums of up to eight weights, in any order: how detector scores come about. */
      double sum = 0;
      int terms = 1 + (int) (rng () % 8);
      for (int t = 0; t < terms; t++)
        sum += weights[rng () % nweights];
      check_number (sum);
      check_number (round (sum * 10) / 10);
    }
  static const double scales[] = { 1, 10, 100, 1000, 10000 };
  for (int d = 0; d < 5; d++)
    for (long k = -5000; k <= 5000; k++)
      {
        /* Exact ties such as 0.125 and 2.5, and the doubles next to them. */
        double tie = (k + 0.5) / scales[d];
        check_number (tie);
        check_number (nextafter (tie, HUGE_VAL));
        check_number (nextafter (tie, -HUGE_VAL));
      }
  static const double edges[] = { 0.0, -0.0, 1e-300, -1e-300, 4.9e-324, 1e-7, 0.004999999,
    0.005, 0.00999999995, 0.0099999, 999.99, 999.995, 999.999, 1000, 1000.01, 1e5, 99999.95,
    999999.5, 1e6, 1e7 + 0.05, 1e9, 1e9 - 0.5, 999999999.5, 1e12, 1e15 + 0.3, 1.8e19, 1e300,
    -1e300, 1.7976931348623157e308, HUGE_VAL, -HUGE_VAL, NAN, -NAN, 0.05, 0.15, 0.25, 0.35,
    -0.04, -0.05, -0.0049, 2.675, 1.005, 1.015 };
  for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
    {
      check_number (edges[i]);
      check_number (nextafter (edges[i], HUGE_VAL));
      check_number (nextafter (edges[i], -HUGE_VAL));
    }
  for (int i = 0; i < 60000; i++)
    {
      uint64_t bits = rng ();
      double x;
      memcpy (&x, &bits, sizeof x);
      check_number (x);
      /* Moderate values, where the fast paths apply. */
      check_number ((double) (int64_t) (rng () % 2000000000) / 1e3 - 1e6);
      check_number ((double) (rng () % 100000000) / (double) (1 + rng () % 100000));
    }
  CHECK (number_mismatches == 0);

  /* Short buffers truncate as snprintf does. */
  char small[8];
  CHECK (findings_format_fixed (small, sizeof small, 12345.678, 2) == 8);
  CHECK_STR (small, "12345.6");
  CHECK (findings_format_g (small, sizeof small, -0.125) == 6);
  CHECK_STR (small, "-0.125");
  char digits[24];
  CHECK (findings_format_size (digits, 0) == 1);
  CHECK_STR (digits, "0");
  CHECK (findings_format_size (digits, SIZE_MAX) == (size_t) snprintf (NULL, 0, "%zu", SIZE_MAX));
  char want[24];
  snprintf (want, sizeof want, "%zu", SIZE_MAX);
  CHECK_STR (digits, want);
}

int
main (void)
{
  const char *body = "Hallo,\nhast du\tZeit?";
  struct findings f = { 0 };
  CHECK (findings_add (&f, body, "DU_VERB", "DU", SEV_STRONG, 0, 7, 12) == 0);
  CHECK (findings_add (&f, body, "CUE_T_GREETING", "CUE", SEV_INFO, 0, 0, 5) == 0);
  CHECK (findings_add (&f, body, "DU_VERB", "DU", SEV_STRONG, 0, 7, 12) == 0);
  CHECK (findings_add (&f, body, "SIE_MID", "SIE", SEV_WEAK, FIND_QUOTED, 12, 3) == 0);
  findings_sort (&f);
  CHECK (f.n == 3);
  CHECK_STR (f.v[0].rule, "CUE_T_GREETING");
  CHECK_STR (f.v[1].match, "hast du\tZeit");
  CHECK (findings_counted (&f) == 2);

  f.v[1].line = 2;
  f.v[1].col = 1;
  f.v[1].weight = 1.5;
  char *buf = NULL;
  size_t size = 0;
  FILE *mem = open_memstream (&buf, &size);
  struct findings one = { .v = &f.v[1], .n = 1 };
  CHECK (findings_write_tsv (mem, "a\tb.txt", "detect-duzen", &one) == 0);
  CHECK (findings_write_verdict_tsv (mem, "a\tb.txt", "detect-duzen", "DU", 3, "du=3") == 0);
  fclose (mem);
  CHECK_STR (buf, "F\ta\\tb.txt\t2:1\tdetect-duzen\tDU_VERB\tDU\tstrong\t-\t1.5\thast du\\tZeit\n"
                  "V\ta\\tb.txt\tdetect-duzen\tDU\t3.0\tdu=3\n");

  /* Read both records back. */
  char *nl = strchr (buf, '\n');
  *nl = '\0';
  struct findings_record r;
  CHECK (findings_parse_line (buf, &r) == 1);
  CHECK (r.kind == 'F');
  CHECK_STR (r.label, "a\tb.txt");
  CHECK (r.f.line == 2 && r.f.col == 1);
  CHECK_STR (r.f.rule, "DU_VERB");
  CHECK (r.f.severity == SEV_STRONG);
  CHECK (r.f.weight == 1.5);
  CHECK_STR (r.f.match, "hast du\tZeit");
  char *second = nl + 1;
  second[strcspn (second, "\n")] = '\0';
  CHECK (findings_parse_line (second, &r) == 1);
  CHECK (r.kind == 'V');
  CHECK_STR (r.verdict, "DU");
  CHECK (r.score == 3);

  char bad[] = "F\tonly\tthree";
  CHECK (findings_parse_line (bad, &r) == -1);
  char badpos[] = "F\tx\t2-1\tt\tR\tC\tweak\t-\t0\tm";
  CHECK (findings_parse_line (badpos, &r) == -1);
  /* Positions are 1-based, unsigned and bounded: no sign, no zero, no overflow. */
  char negative[] = "F\tx\t2:-1\tt\tR\tC\tweak\t-\t0\tm";
  CHECK (findings_parse_line (negative, &r) == -1);
  char zero[] = "F\tx\t0:1\tt\tR\tC\tweak\t-\t0\tm";
  CHECK (findings_parse_line (zero, &r) == -1);
  char huge[] = "F\tx\t99999999999999999999:1\tt\tR\tC\tweak\t-\t0\tm";
  CHECK (findings_parse_line (huge, &r) == -1);
  char plus[] = "F\tx\t+3:1\tt\tR\tC\tweak\t-\t0\tm";
  CHECK (findings_parse_line (plus, &r) == -1);
  char comment[] = FINDINGS_MAGIC;
  CHECK (findings_parse_line (comment, &r) == 0);

  char *e = findings_escape ("a\\b\nc");
  CHECK_STR (e, "a\\\\b\\nc");
  findings_unescape (e);
  CHECK_STR (e, "a\\b\nc");
  free (e);
  free (buf);
  findings_clear (&f);
  free (f.v);
  test_tsv_records ();
  test_shared_names ();
  test_number_formats ();
  UNIT_EXIT ();
}
