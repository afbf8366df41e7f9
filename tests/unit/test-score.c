/* test-score.c: score-outreach's scoring: weights, caps, skipped findings, metas, thresholds. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "msg.h"
#include "profile.h"
#include "score.h"
#include "unit.h"

static const char rules_text[] =
  "rule CAPPED\ntool detect-duzen\nclass DU\nside beziehung\nweight 2.0\ncap 5.0\n"
  "describe-de a\ndescribe-en a\n"
  "rule ONCE\ntool detect-bait-question\nside appell\nweight 1.5\n"
  "describe-de b\ndescribe-en b\n"
  "rule NOTHING\ntool detect-duzen\nside beziehung\nweight 0\n"
  "describe-de c\ndescribe-en c\n"
  "rule MINUS\ntool detect-template\nside sach\nweight -1.0\ncap 2.5\n"
  "describe-de d\ndescribe-en d\n"
  "rule TENTH\ntool detect-template\nside sach\nweight 0.33\ncap 100\n"
  "describe-de e\ndescribe-en e\n"
  "rule SCORE_RITTBERGER\ntool score-outreach\nside beziehung\nweight 3.0\n"
  "describe-de r\ndescribe-en r\n"
  "rule SCORE_DOUBLE\ntool score-outreach\nside beziehung\nweight 1.0\n"
  "describe-de d\ndescribe-en d\n"
  "rule SCORE_KNOWN\ntool score-outreach\nside beziehung\nweight -4.0\n"
  "describe-de k\ndescribe-en k\n"
  "rule SCORE_LIST\ntool score-outreach\nside sach\nweight -1.5\n"
  "describe-de l\ndescribe-en l\n";

static void
add (struct findings *f, const char *rule, const char *cls, unsigned flags, double weight)
{
  if (findings_add (f, "text", rule, cls, SEV_MEDIUM, flags, 0, 4) < 0)
    abort ();
  f->v[f->n - 1].weight = weight;
}

static const struct score_hit *
hit (const struct score_result *r, const char *rule)
{
  for (size_t i = 0; i < r->nhits; i++)
    if (strcmp (r->hits[i].rule, rule) == 0)
      return &r->hits[i];
  return NULL;
}

static double
points (const struct score_result *r, const char *rule)
{
  const struct score_hit *h = hit (r, rule);
  return h ? h->points : 0;
}

/* score_format as it was with snprintf: the digits by hand must be the same. */
static void
reference_format (double x, char *buf)
{
  if (!isfinite (x))
    x = 0;
  if (x > 1e9)
    x = 1e9;
  if (x < -1e9)
    x = -1e9;
  long long tenths = llround (x * 10);
  bool negative = tenths < 0;
  if (negative)
    tenths = -tenths;
  snprintf (buf, 32, "%s%lld.%lld", negative ? "-" : "", tenths / 10, tenths % 10);
}

static void
test_format_against_snprintf (void)
{
  uint64_t state = 88172645463325252u;
  size_t bad = 0;
  for (long i = 0; i < 400000; i++)
    {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      double x;
      if (i % 4 == 0)
        memcpy (&x, &state, sizeof x);          /* any bit pattern: huge, tiny, NaN */
      else if (i % 4 == 1)
        x = (double) (int64_t) (state % 4000001) / 100 - 20000;
      else if (i % 4 == 2)
        x = (double) (int64_t) (state % 2000000001) - 1e9 + 0.05 * (double) (state % 3);
      else
        x = ((double) (state % 1000) + 0.05) / 10 * (state & 1 ? 1 : -1);
      char want[32], got[32];
      reference_format (x, want);
      score_format (x, got);
      if (strcmp (want, got) != 0 && bad++ < 5)
        fprintf (stderr, "score_format (%.17g): got %s, want %s\n", x, got, want);
    }
  CHECK (bad == 0);
}

/* score_detector_sum as it was first written: every pair of findings compared by name. */
static double
detector_sum_by_pairs (const struct ruleset *rs, const struct findings *out, size_t first,
                       size_t *count, size_t *allowed)
{
  const unsigned ignored = FIND_QUOTED | FIND_ALLOWED;
  double score = 0;
  *count = *allowed = 0;
  for (size_t i = first; i < out->n; i++)
    {
      const struct finding *f = &out->v[i];
      if (f->flags & FIND_ALLOWED)
        ++*allowed;
      if (f->flags & ignored)
        continue;
      ++*count;
      bool earlier = false;
      for (size_t j = first; j < i && !earlier; j++)
        earlier = !(out->v[j].flags & ignored) && strcmp (out->v[j].rule, f->rule) == 0;
      if (earlier)
        continue;
      const struct rule *r = rs ? rules_find (rs, f->rule) : NULL;
      double weight = r ? r->weight : f->weight;
      double cap = r ? r->cap : 0;
      double sum = 0;
      for (size_t j = i; j < out->n; j++)
        if (!(out->v[j].flags & ignored) && strcmp (out->v[j].rule, f->rule) == 0)
          sum += weight;
      score += cap > 0 ? (sum < cap ? sum : cap) : weight;
    }
  return score;
}

/* Sets of every size around where score_detector_sum stops comparing pairs, drawn from few
   and from more rules than its table takes, with quoted and allowed findings: the same sums,
   to the bit, as comparing every pair by name. */
static void
check_detector_sum_sizes (const struct ruleset *rs)
{
  static const char *const shipped[] = { "CAPPED", "ONCE", "NOTHING", "MINUS", "TENTH" };
  static const size_t sizes[] = { 0, 1, 7, 63, 64, 65, 66, 300, 2500 };
  static const size_t pools[] = { 2, 5, 40, 700, 900 };
  uint64_t seed = 42;
  size_t compared = 0, unequal = 0;
  for (size_t a = 0; a < sizeof sizes / sizeof *sizes; a++)
    for (size_t b = 0; b < sizeof pools / sizeof *pools; b++)
      {
        struct findings f = { 0 };
        size_t lead = sizes[a] % 3;     /* findings before FIRST, left out of the sum */
        for (size_t i = 0; i < lead + sizes[a]; i++)
          {
            seed = seed * UINT64_C (6364136223846793005) + UINT64_C (1442695040888963407);
            size_t k = (size_t) (seed >> 33) % (pools[b] + 5);
            char name[32];
            if (k < 5)
              snprintf (name, sizeof name, "%s", shipped[k]);
            else
              snprintf (name, sizeof name, "MADE_UP_%zu", k);
            unsigned r = (unsigned) (seed >> 20) % 10;
            add (&f, name, "X", r == 0 ? FIND_QUOTED : r == 1 ? FIND_ALLOWED : 0,
                 (double) ((seed >> 40) % 17) / 4 - 1);
          }
        size_t c1, a1, c2, a2;
        double got = score_detector_sum (rs, &f, lead, &c1, &a1);
        double want = detector_sum_by_pairs (rs, &f, lead, &c2, &a2);
        compared++;
        unequal += memcmp (&got, &want, sizeof got) != 0 || c1 != c2 || a1 != a2;
        findings_clear (&f);
        free (f.v);
      }
  CHECK (compared == 45 && unequal == 0);
}

int
main (void)
{
  char path[] = "/tmp/rb-score-XXXXXX";
  int fd = mkstemp (path);
  if (fd < 0)
    return 77;
  if (write (fd, rules_text, sizeof rules_text - 1) != (ssize_t) sizeof rules_text - 1)
    return 77;
  close (fd);
  struct ruleset rs = { 0 };
  char err[512];
  if (rules_load_file (&rs, path, err, sizeof err) < 0)
    {
      fprintf (stderr, "%s\n", err);
      unlink (path);
      return 1;
    }
  unlink (path);

  struct score_config cfg;
  score_config_init (&cfg);
  CHECK (cfg.threshold == 5.0 && cfg.unsure == 3.0);
  struct findings f = { 0 };
  struct score_result r;

  /* Nothing found: clean, score 0, tests=none. */
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (r.verdict == SCORE_CLEAN && r.score == 0 && r.nhits == 0);
  char list[64];
  CHECK (score_tests_list (&r, list, sizeof list) == 4);
  CHECK_STR (list, "none");
  score_result_free (&r);

  /* Caps: four findings of weight 2 capped at 5; three of a cap-less rule count once. */
  for (int i = 0; i < 4; i++)
    add (&f, "CAPPED", "DU", 0, 0);
  for (int i = 0; i < 3; i++)
    add (&f, "ONCE", "CUE", 0, 0);
  add (&f, "NOTHING", "CUE", 0, 0);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (points (&r, "CAPPED") == 5.0);
  CHECK (hit (&r, "CAPPED") && hit (&r, "CAPPED")->count == 4);
  CHECK (points (&r, "ONCE") == 1.5);
  CHECK (!hit (&r, "NOTHING"));           /* a rule that adds nothing is not listed */
  CHECK (r.score == 6.5 && r.verdict == SCORE_OUTREACH);
  CHECK (r.nhits == 2 && strcmp (r.hits[0].rule, "CAPPED") == 0);   /* highest first */
  CHECK (score_tests_list (&r, list, sizeof list) == strlen ("CAPPED,ONCE"));
  CHECK_STR (list, "CAPPED,ONCE");
  CHECK (score_tests_list (&r, list, 5) == strlen ("CAPPED,ONCE"));
  CHECK_STR (list, "CAPP");
  score_result_free (&r);

  /* Two findings under the cap add up. */
  findings_clear (&f);
  add (&f, "CAPPED", "DU", 0, 0);
  add (&f, "CAPPED", "DU", 0, 0);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (r.score == 4.0 && r.verdict == SCORE_UNSURE);
  score_result_free (&r);

  /* Quoted and allowed findings are skipped, also for the meta rules. */
  findings_clear (&f);
  add (&f, "CAPPED", "DU", FIND_QUOTED, 0);
  add (&f, "CAPPED", "DU", FIND_ALLOWED, 0);
  add (&f, "ONCE", "BAIT", FIND_ALLOWED | FIND_QUOTED, 0);
  add (&f, "TENTH", "TEMPLATE", 0, 0);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (r.nhits == 1 && points (&r, "TENTH") == 0.33);
  CHECK (r.score == 0.3 && r.verdict == SCORE_CLEAN);
  CHECK (!hit (&r, "SCORE_DOUBLE") && !hit (&r, "SCORE_RITTBERGER"));
  score_result_free (&r);

  /* Meta rules: all three classes make the dreifacher Rittberger, two of them the double. */
  findings_clear (&f);
  add (&f, "CAPPED", "DU", 0, 0);
  add (&f, "ONCE", "BAIT", 0, 0);
  add (&f, "TENTH", "TEMPLATE", 0, 0);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (points (&r, "SCORE_RITTBERGER") == 3.0 && !hit (&r, "SCORE_DOUBLE"));
  CHECK (r.score == 6.8 && r.verdict == SCORE_OUTREACH);   /* 2 + 1.5 + 0.33 + 3 */
  struct findings extra = { 0 };
  CHECK (score_append_findings (&r, &extra) == 0);
  CHECK (extra.n == 1 && strcmp (extra.v[0].rule, "SCORE_RITTBERGER") == 0
         && strcmp (extra.v[0].cls, SCORE_CLASS) == 0 && extra.v[0].weight == 3.0);
  score_result_free (&r);

  /* Feeding our own SCORE findings back (a findings stream) does not count them twice. */
  CHECK (findings_add (&f, NULL, extra.v[0].rule, SCORE_CLASS, SEV_INFO, 0, 0, 0) == 0);
  f.v[f.n - 1].weight = 3.0;
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (r.score == 6.8 && hit (&r, "SCORE_RITTBERGER")->count == 1);
  score_result_free (&r);
  findings_clear (&extra);
  free (extra.v);

  findings_clear (&f);
  add (&f, "X_IHR", "IHR", 0, 0.5);     /* a rule missing from the set: the finding's weight */
  add (&f, "ONCE", "BAIT", 0, 0);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (points (&r, "SCORE_DOUBLE") == 1.0 && !hit (&r, "SCORE_RITTBERGER"));
  CHECK (points (&r, "X_IHR") == 0.5);
  CHECK (r.score == 3.0 && r.verdict == SCORE_UNSURE);   /* the band starts at 3.0 inclusive */
  score_result_free (&r);

  /* A stock pitch line is copy-paste evidence too: with du and bait, the Rittberger. */
  findings_clear (&f);
  add (&f, "CAPPED", "DU", 0, 0);
  add (&f, "ONCE", "BAIT", 0, 0);
  add (&f, "X_PITCH", "PITCH", 0, 0.5);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (points (&r, "SCORE_RITTBERGER") == 3.0 && !hit (&r, "SCORE_DOUBLE"));
  score_result_free (&r);

  findings_clear (&f);
  add (&f, "ONCE", "BAIT", 0, 0);
  add (&f, "ONCE", "BAIT", 0, 0);
  add (&f, "NOTHING", "SIE", 0, 0);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (!hit (&r, "SCORE_DOUBLE") && !hit (&r, "SCORE_RITTBERGER") && r.score == 1.5);
  score_result_free (&r);

  /* Context rules. */
  findings_clear (&f);
  add (&f, "CAPPED", "DU", 0, 0);
  add (&f, "CAPPED", "DU", 0, 0);
  add (&f, "CAPPED", "DU", 0, 0);
  struct score_context ctx = { .known_correspondent = true, .mailing_list = false };
  CHECK (score_compute (&rs, &f, &ctx, &cfg, &r) == 0);
  CHECK (points (&r, "SCORE_KNOWN") == -4.0 && r.score == 1.0 && r.verdict == SCORE_CLEAN);
  CHECK (strcmp (r.hits[r.nhits - 1].rule, "SCORE_KNOWN") == 0);   /* lowest last */
  score_result_free (&r);
  ctx = (struct score_context) { .known_correspondent = false, .mailing_list = true };
  CHECK (score_compute (&rs, &f, &ctx, &cfg, &r) == 0);
  CHECK (points (&r, "SCORE_LIST") == -1.5 && r.score == 3.5 && r.verdict == SCORE_UNSURE);
  score_result_free (&r);
  cfg.use_list = false;
  CHECK (score_compute (&rs, &f, &ctx, &cfg, &r) == 0);
  CHECK (!hit (&r, "SCORE_LIST") && r.score == 5.0 && r.verdict == SCORE_OUTREACH);
  score_result_free (&r);
  cfg.use_list = true;

  /* Negative weights are capped symmetrically. */
  findings_clear (&f);
  for (int i = 0; i < 4; i++)
    add (&f, "MINUS", "TEMPLATE", 0, 0);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (points (&r, "MINUS") == -2.5 && r.score == -2.5 && r.verdict == SCORE_CLEAN);
  char num[32];
  CHECK_STR (score_format (r.score, num), "-2.5");
  score_result_free (&r);

  /* Rounding: 15 x 0.33 = 4.95 shows as 5.0, so it must also be judged 5.0. */
  findings_clear (&f);
  for (int i = 0; i < 15; i++)
    add (&f, "TENTH", "TEMPLATE", 0, 0);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (r.score == 5.0 && r.verdict == SCORE_OUTREACH);
  score_result_free (&r);

  /* Thresholds and the unsure band from the configuration and the profile. */
  struct profile prof;
  memset (&prof, 0, sizeof prof);
  prof.threshold = 6.0;
  score_config_from_profile (&cfg, &prof);
  CHECK (cfg.threshold == 6.0 && cfg.unsure == 3.0);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (r.verdict == SCORE_UNSURE && r.threshold == 6.0);
  score_result_free (&r);
  cfg.unsure = 6.0;             /* no band */
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (r.verdict == SCORE_CLEAN);
  score_result_free (&r);
  score_config_init (&cfg);

  /* Weight overrides. */
  CHECK (score_config_parse_weight (&cfg, "TENTH=1") == 0);
  CHECK (score_config_parse_weight (&cfg, "SCORE_DOUBLE=-0.5") == 0);
  CHECK (score_config_parse_weight (&cfg, "TENTH=0.5") == 0);   /* the later one wins */
  CHECK (cfg.nweights == 2);
  const char *bad[] = { "tenth=1", "TENTH=", "=1", "TENTH", "TENTH=1,5", "TENTH=1.2.3",
                        "TENTH=1e3", "TENTH=nan", "TENTH=9999999999", "TENTH=-" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    {
      errno = 0;
      CHECK (score_config_parse_weight (&cfg, bad[i]) == -1 && errno == EINVAL);
    }
  CHECK (score_rule_weight (&rs, &cfg, "TENTH", 9) == 0.5);
  CHECK (score_rule_weight (&rs, &cfg, "ONCE", 9) == 1.5);
  CHECK (score_rule_weight (&rs, &cfg, "ABSENT", 9) == 9);
  CHECK (score_rule_weight (NULL, NULL, "ONCE", 9) == 9);
  CHECK (score_compute (&rs, &f, NULL, &cfg, &r) == 0);
  CHECK (points (&r, "TENTH") == 7.5);      /* 15 x 0.5, under the cap of 100 */
  score_result_free (&r);
  score_config_free (&cfg);

  /* Without a configuration the defaults apply; without a rule set findings carry their weight. */
  findings_clear (&f);
  add (&f, "A", "DU", 0, 2.5);
  add (&f, "A", "DU", 0, 2.5);
  CHECK (score_compute (NULL, &f, NULL, NULL, &r) == 0);
  CHECK (r.score == 2.5 && r.verdict == SCORE_CLEAN && r.threshold == 5.0);
  score_result_free (&r);
  CHECK (score_compute (NULL, NULL, NULL, NULL, &r) == 0 && r.score == 0);
  score_result_free (&r);

  /* Names, words, exit statuses (bogofilter's). */
  CHECK_STR (score_verdict_name (SCORE_OUTREACH), "OUTREACH");
  CHECK_STR (score_verdict_name (SCORE_UNSURE), "UNSURE");
  CHECK_STR (score_verdict_name (SCORE_CLEAN), "CLEAN");
  CHECK_STR (score_verdict_word (SCORE_OUTREACH), "Yes");
  CHECK_STR (score_verdict_word (SCORE_UNSURE), "Unsure");
  CHECK_STR (score_verdict_word (SCORE_CLEAN), "No");
  CHECK (score_exit_status (SCORE_OUTREACH) == 0);
  CHECK (score_exit_status (SCORE_CLEAN) == 1);
  CHECK (score_exit_status (SCORE_UNSURE) == 2);
  CHECK (SCORE_EXIT_TROUBLE == 3);

  /* Numbers keep their '.' under a German locale. */
  if (setlocale (LC_ALL, "de_DE.UTF-8"))
    {
      CHECK_STR (score_format (7.5, num), "7.5");
      CHECK (score_config_parse_weight (&cfg, "ONCE=2.5") == 0 && cfg.weights[0].weight == 2.5);
      score_config_free (&cfg);
      setlocale (LC_ALL, "C");
    }
  CHECK_STR (score_format (0.04, num), "0.0");
  CHECK_STR (score_format (-0.04, num), "0.0");
  CHECK_STR (score_format (12.25, num), "12.3");
  CHECK_STR (score_format (1e300, num), "1000000000.0");
  CHECK_STR (score_format (-1e300, num), "-1000000000.0");
  CHECK_STR (score_format (-0.05, num), "-0.1");
  test_format_against_snprintf ();

  /* The context from a message's header and the profile. */
  static const char list_mail[] = "From: News <news@example.org>\nList-Id: <news.example.org>\n"
    "Subject: x\n\nHallo\n";
  static const char bulk_mail[] = "From: Anna <Anna@Example.org>\nPrecedence:  Bulk\n\nHi\n";
  static const char bulky_mail[] = "From: x@y.z\nPrecedence: bulky\nSubject: s\n\nHi\n";
  struct profile known;
  memset (&known, 0, sizeof known);
  char *addresses[] = { "anna@example.org" };
  known.known.v = addresses;
  known.known.n = 1;
  struct msg m;
  CHECK (msg_parse (&m, list_mail, sizeof list_mail - 1) == 0);
  score_context_from_msg (&ctx, &m, &known);
  CHECK (ctx.mailing_list && !ctx.known_correspondent);
  msg_free (&m);
  CHECK (msg_parse (&m, bulk_mail, sizeof bulk_mail - 1) == 0);
  score_context_from_msg (&ctx, &m, &known);
  CHECK (ctx.mailing_list && ctx.known_correspondent);
  score_context_from_msg (&ctx, &m, NULL);
  CHECK (ctx.mailing_list && !ctx.known_correspondent);
  msg_free (&m);
  CHECK (msg_parse (&m, bulky_mail, sizeof bulky_mail - 1) == 0);
  score_context_from_msg (&ctx, &m, &known);
  CHECK (!ctx.mailing_list && !ctx.known_correspondent);
  msg_free (&m);
  CHECK (msg_parse (&m, "Hast du Zeit?\n", 14) == 0);
  score_context_from_msg (&ctx, &m, &known);
  CHECK (!ctx.mailing_list && !ctx.known_correspondent);
  msg_free (&m);

  /* Many distinct rules stay fast (grouping sorts instead of searching). */
  findings_clear (&f);
  enum { MANY = 50000 };
  for (int i = 0; i < MANY; i++)
    {
      char id[32];
      snprintf (id, sizeof id, "R%d", i);
      add (&f, id, "DU", 0, 0.001);
    }
  clock_t start = clock ();
  CHECK (score_compute (&rs, &f, NULL, NULL, &r) == 0);
  CHECK (r.nhits == MANY && r.score == 50.0);
  CHECK ((double) (clock () - start) / CLOCKS_PER_SEC < 2.0);
  score_result_free (&r);

  findings_clear (&f);
  free (f.v);
  check_detector_sum_sizes (&rs);
  rules_free (&rs);
  UNIT_EXIT ();
}
