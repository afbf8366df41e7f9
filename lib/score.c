/* score.c: add up every detector's findings into score-outreach's verdict, SpamAssassin style. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "score.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c-ctype.h"
#include "c-strcase.h"
#include "msg.h"
#include "profile.h"

/* Weights beyond this are typos, not intentions; it also keeps score_format's integer math safe. */
#define SCORE_WEIGHT_LIMIT 1e6

void
score_config_init (struct score_config *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->threshold = SCORE_DEFAULT_THRESHOLD;
  cfg->unsure = SCORE_DEFAULT_UNSURE;
  cfg->use_known = true;
  cfg->use_list = true;
}

void
score_config_from_profile (struct score_config *cfg, const struct profile *p)
{
  if (!p)
    return;
  if (p->threshold != 0)
    cfg->threshold = p->threshold;
  if (p->unsure != 0)
    cfg->unsure = p->unsure;
}

int
score_config_set_weight (struct score_config *cfg, const char *rule, double weight)
{
  for (size_t i = 0; i < cfg->nweights; i++)
    if (strcmp (cfg->weights[i].rule, rule) == 0)
      {
        cfg->weights[i].weight = weight;
        return 0;
      }
  char *copy = strdup (rule);
  if (!copy)
    return -1;
  struct score_weight *v = realloc (cfg->weights, (cfg->nweights + 1) * sizeof *v);
  if (!v)
    {
      free (copy);
      return -1;
    }
  cfg->weights = v;
  v[cfg->nweights].rule = copy;
  v[cfg->nweights].weight = weight;
  cfg->nweights++;
  return 0;
}

/* A decimal number "-1.25" in any locale (strtod would want "-1,25" under de_DE). */
static bool
parse_decimal (const char *s, double *out)
{
  bool negative = false;
  if (*s == '-' || *s == '+')
    negative = *s++ == '-';
  double value = 0, scale = 1;
  bool digits = false, point = false;
  for (; *s; s++)
    {
      if (*s == '.' && !point)
        point = true;
      else if (c_isdigit (*s))
        {
          digits = true;
          if (point)
            value += (*s - '0') * (scale /= 10);
          else
            value = value * 10 + (*s - '0');
          if (value > SCORE_WEIGHT_LIMIT)
            return false;
        }
      else
        return false;
    }
  if (!digits)
    return false;
  *out = negative ? -value : value;
  return true;
}

int
score_config_parse_weight (struct score_config *cfg, const char *arg)
{
  const char *eq = strchr (arg, '=');
  size_t len = eq ? (size_t) (eq - arg) : 0;
  bool valid_id = len > 0 && len <= 64 && c_isupper (arg[0]);
  for (size_t i = 0; valid_id && i < len; i++)
    valid_id = c_isupper (arg[i]) || c_isdigit (arg[i]) || arg[i] == '_';
  double weight;
  if (!valid_id || !parse_decimal (eq + 1, &weight))
    {
      errno = EINVAL;
      return -1;
    }
  char id[65];
  memcpy (id, arg, len);
  id[len] = '\0';
  return score_config_set_weight (cfg, id, weight);
}

void
score_config_free (struct score_config *cfg)
{
  for (size_t i = 0; i < cfg->nweights; i++)
    free (cfg->weights[i].rule);
  free (cfg->weights);
  cfg->weights = NULL;
  cfg->nweights = 0;
}

/* Whether the header value V's first word is WORD, ignoring case. */
static bool
first_word_is (const char *v, const char *word)
{
  while (*v == ' ' || *v == '\t')
    v++;
  size_t n = strlen (word);
  return c_strncasecmp (v, word, n) == 0 && !c_isalnum (v[n]) && v[n] != '-' && v[n] != '_';
}

void
score_context_from_msg (struct score_context *ctx, const struct msg *m,
                        const struct profile *p)
{
  memset (ctx, 0, sizeof *ctx);
  if (!m || m->kind != MSG_MAIL)
    return;
  /* The list fields first: a list mail needs no further look-up. */
  const char *precedence;
  ctx->mailing_list = msg_header (m, "List-Id") || msg_header (m, "List-Unsubscribe")
    || ((precedence = msg_header (m, "Precedence"))
        && (first_word_is (precedence, "bulk") || first_word_is (precedence, "list")));
  /* A profile without known correspondents (the usual case) needs no look at From. */
  const char *from = p && p->known.n > 0 ? msg_header (m, "From") : NULL;
  ctx->known_correspondent = from && profile_is_known (p, from);
}

double
score_rule_weight (const struct ruleset *rs, const struct score_config *cfg, const char *id,
                   double fallback)
{
  if (cfg)
    for (size_t i = 0; i < cfg->nweights; i++)
      if (strcmp (cfg->weights[i].rule, id) == 0)
        return cfg->weights[i].weight;
  const struct rule *r = rs ? rules_find (rs, id) : NULL;
  return r ? r->weight : fallback;
}

static bool
is_score_rule (const char *id)
{
  return strcmp (id, SCORE_RULE_TRIPLE) == 0 || strcmp (id, SCORE_RULE_DOUBLE) == 0
    || strcmp (id, SCORE_RULE_KNOWN) == 0 || strcmp (id, SCORE_RULE_LIST) == 0;
}

static int
compare_finding_rules (const void *a, const void *b)
{
  const struct finding *const *x = a, *const *y = b;
  return strcmp ((*x)->rule, (*y)->rule);
}

static int
compare_hits (const void *a, const void *b)
{
  const struct score_hit *x = a, *y = b;
  if (x->points != y->points)
    return x->points > y->points ? -1 : 1;
  return strcmp (x->rule, y->rule);
}

static int
add_hit (struct score_result *res, size_t *cap, const char *rule, double points, size_t count)
{
  /* A rule that adds nothing is not evidence worth listing in tests=. */
  if (points == 0 || !isfinite (points))
    return 0;
  if (res->nhits == *cap)
    {
      size_t ncap = *cap ? 2 * *cap : 8;
      struct score_hit *v = realloc (res->hits, ncap * sizeof *v);
      if (!v)
        return -1;
      res->hits = v;
      *cap = ncap;
    }
  char *copy = strdup (rule);
  if (!copy)
    return -1;
  res->hits[res->nhits++] = (struct score_hit) { copy, points, count };
  return 0;
}

/* The contribution of COUNT findings of weight W under CAP (0: the weight once), for negative
   weights symmetrically. */
static double
capped (double w, size_t count, double cap)
{
  double limit = cap > 0 ? cap : fabs (w);
  double sum = w * (double) count;
  if (sum > limit)
    return limit;
  if (sum < -limit)
    return -limit;
  return sum;
}

int
score_compute (const struct ruleset *rs, const struct findings *all,
               const struct score_context *ctx, const struct score_config *cfg,
               struct score_result *res)
{
  struct score_config defaults;
  if (!cfg)
    {
      score_config_init (&defaults);
      cfg = &defaults;
    }
  memset (res, 0, sizeof *res);
  res->threshold = cfg->threshold;
  res->unsure = cfg->unsure;

  /* Group the counted findings by rule: sorting pointers keeps this O(n log n) on any input. */
  size_t n = all ? all->n : 0;
  const struct finding **counted = NULL;
  if (n > 0 && !(counted = malloc (n * sizeof *counted)))
    return -1;
  size_t ncounted = 0;
  bool has_informal = false, has_bait = false, has_template = false;
  for (size_t i = 0; i < n; i++)
    {
      const struct finding *f = &all->v[i];
      if ((f->flags & (FIND_QUOTED | FIND_ALLOWED)) || !f->rule || !f->rule[0])
        continue;
      /* The meta and context rules are ours to decide, not to be read back from a stream. */
      if ((f->cls && strcmp (f->cls, SCORE_CLASS) == 0) || is_score_rule (f->rule))
        continue;
      counted[ncounted++] = f;
      if (f->cls)
        {
          has_informal |= strcmp (f->cls, SCORE_CLASS_DU) == 0
            || strcmp (f->cls, SCORE_CLASS_IHR) == 0;
          has_bait |= strcmp (f->cls, SCORE_CLASS_BAIT) == 0;
          /* The third sin is the 08-15 copy-paste message: template traces and the stock
             lines of a sales pitch are both evidence of it. */
          has_template |= strcmp (f->cls, SCORE_CLASS_TEMPLATE) == 0
                          || strcmp (f->cls, SCORE_CLASS_PITCH) == 0;
        }
    }
  if (ncounted > 1)
    qsort (counted, ncounted, sizeof *counted, compare_finding_rules);

  size_t cap = 0;
  double sum = 0;
  for (size_t i = 0; i < ncounted;)
    {
      size_t j = i + 1;
      while (j < ncounted && strcmp (counted[j]->rule, counted[i]->rule) == 0)
        j++;
      const char *id = counted[i]->rule;
      const struct rule *r = rs ? rules_find (rs, id) : NULL;
      double w = score_rule_weight (rs, cfg, id, counted[i]->weight);
      double points = isfinite (w) ? capped (w, j - i, r ? r->cap : 0) : 0;
      if (add_hit (res, &cap, id, points, j - i) < 0)
        goto fail;
      if (isfinite (points))
        sum += points;
      i = j;
    }
  free (counted);
  counted = NULL;

  /* SpamAssassin-style meta rules: the three habits together are the dreifacher Rittberger. */
  int classes = has_informal + has_bait + has_template;
  const char *meta = classes == 3 ? SCORE_RULE_TRIPLE : classes == 2 ? SCORE_RULE_DOUBLE : NULL;
  struct
  {
    const char *id;
    bool applies;
  } extra[] = {
    { meta, meta != NULL },
    { SCORE_RULE_KNOWN, ctx && ctx->known_correspondent && cfg->use_known },
    { SCORE_RULE_LIST, ctx && ctx->mailing_list && cfg->use_list },
  };
  for (size_t k = 0; k < sizeof extra / sizeof *extra; k++)
    if (extra[k].applies)
      {
        double w = score_rule_weight (rs, cfg, extra[k].id, 0);
        if (!isfinite (w))
          continue;
        if (add_hit (res, &cap, extra[k].id, w, 1) < 0)
          goto fail;
        sum += w;
      }

  if (res->nhits > 1)
    qsort (res->hits, res->nhits, sizeof *res->hits, compare_hits);

  /* Decide on the value the header shows, so it never reads "score=5.0 required=5.0" and "No". */
  double rounded = isfinite (sum) ? round (sum * 10) / 10 : 0;
  if (rounded > SCORE_WEIGHT_LIMIT)
    rounded = SCORE_WEIGHT_LIMIT;
  if (rounded < -SCORE_WEIGHT_LIMIT)
    rounded = -SCORE_WEIGHT_LIMIT;
  res->score = rounded == 0 ? 0 : rounded;
  res->verdict = res->score >= cfg->threshold ? SCORE_OUTREACH
    : res->score >= cfg->unsure ? SCORE_UNSURE : SCORE_CLEAN;
  return 0;

fail:
  free (counted);
  score_result_free (res);
  errno = ENOMEM;
  return -1;
}

/* score_detector_sum's tally of one rule: its first counted finding and how many counted. */
struct rule_tally
{
  const char *rule;
  size_t first, n;
};

/* A set's rule ids are interned (findings.h), so equal ids are equal pointers.  Up to
   TALLY_PAIRWISE counted findings, each finding is compared with the others; beyond, which only
   a body full of findings reaches (a megabyte of bait sentences makes 60,000), the rules are
   tallied in a table on the stack, as long as they number at most TALLY_RULES (the shipped
   rules are fewer; only a findings stream can bring more, and is then compared pairwise). */
enum { TALLY_PAIRWISE = 64, TALLY_SLOTS = 1024, TALLY_RULES = TALLY_SLOTS * 3 / 4 };

static size_t
tally_slot (const struct rule_tally *t, const char *rule)
{
  size_t i = (size_t) (((uint64_t) (uintptr_t) rule * UINT64_C (0x9e3779b97f4a7c15)) >> 54);
  while (t[i].rule && t[i].rule != rule)
    i = (i + 1) % TALLY_SLOTS;
  return i;
}

/* Tally the counted findings OUT->v[FIRST..] into T (TALLY_SLOTS slots, cleared); false if they
   have more than TALLY_RULES rules. */
static bool
tally_rules (const struct findings *out, size_t first, unsigned ignored, struct rule_tally *t)
{
  size_t rules = 0;
  for (size_t i = first; i < out->n; i++)
    {
      if (out->v[i].flags & ignored)
        continue;
      struct rule_tally *x = &t[tally_slot (t, out->v[i].rule)];
      if (!x->rule)
        {
          if (++rules > TALLY_RULES)
            return false;
          *x = (struct rule_tally) { out->v[i].rule, i, 0 };
        }
      x->n++;
    }
  return true;
}

double
score_detector_sum (const struct ruleset *rs, const struct findings *out, size_t first,
                    size_t *count, size_t *allowed)
{
  const unsigned ignored = FIND_QUOTED | FIND_ALLOWED;
  double score = 0;
  *count = *allowed = 0;
  for (size_t i = first; i < out->n; i++)
    {
      *allowed += (out->v[i].flags & FIND_ALLOWED) != 0;
      *count += !(out->v[i].flags & ignored);
    }
  struct rule_tally table[TALLY_SLOTS], *t = NULL;
  if (*count > TALLY_PAIRWISE)
    {
      memset (table, 0, sizeof table);
      if (tally_rules (out, first, ignored, table))
        t = table;
    }
  for (size_t i = first; i < out->n; i++)
    {
      const struct finding *f = &out->v[i];
      if (f->flags & ignored)
        continue;
      /* A rule is weighed at its first counted finding, by how many it has. */
      size_t n = 0;
      if (t)
        {
          const struct rule_tally *x = &t[tally_slot (t, f->rule)];
          if (x->first != i)
            continue;
          n = x->n;
        }
      else
        {
          bool earlier = false;
          for (size_t j = first; j < i && !earlier; j++)
            earlier = !(out->v[j].flags & ignored) && out->v[j].rule == f->rule;
          if (earlier)
            continue;
          for (size_t j = i; j < out->n; j++)
            n += !(out->v[j].flags & ignored) && out->v[j].rule == f->rule;
        }
      const struct rule *r = rs ? rules_find (rs, f->rule) : NULL;
      double weight = r ? r->weight : f->weight;
      double cap = r ? r->cap : 0;
      double sum = 0;
      for (size_t k = 0; k < n; k++)
        sum += weight;
      score += cap > 0 ? (sum < cap ? sum : cap) : weight;
    }
  return score;
}

void
score_result_free (struct score_result *res)
{
  for (size_t i = 0; i < res->nhits; i++)
    free (res->hits[i].rule);
  free (res->hits);
  res->hits = NULL;
  res->nhits = 0;
}

int
score_append_findings (const struct score_result *res, struct findings *out)
{
  for (size_t i = 0; i < res->nhits; i++)
    if (is_score_rule (res->hits[i].rule))
      {
        if (findings_add (out, NULL, res->hits[i].rule, SCORE_CLASS, SEV_INFO, 0, 0, 0) < 0)
          return -1;
        out->v[out->n - 1].weight = res->hits[i].points;
      }
  return 0;
}

size_t
score_tests_list (const struct score_result *res, char *buf, size_t size)
{
  size_t need = 0;
  for (size_t i = 0; i < res->nhits || (i == 0 && res->nhits == 0); i++)
    {
      const char *word = res->nhits ? res->hits[i].rule : "none";
      if (i > 0)
        {
          if (need + 1 < size)
            buf[need] = ',';
          need++;
        }
      for (const char *c = word; *c; c++, need++)
        if (need + 1 < size)
          buf[need] = *c;
    }
  if (size > 0)
    buf[need < size ? need : size - 1] = '\0';
  return need;
}

char *
score_format (double x, char *buf)
{
  if (!isfinite (x))
    x = 0;
  if (x > SCORE_WEIGHT_LIMIT * 1000)
    x = SCORE_WEIGHT_LIMIT * 1000;
  if (x < -SCORE_WEIGHT_LIMIT * 1000)
    x = -SCORE_WEIGHT_LIMIT * 1000;
  long long tenths = llround (x * 10);
  bool negative = tenths < 0;
  if (negative)
    tenths = -tenths;
  /* What "%s%lld.%lld" wrote, without snprintf's cost (TENTHS is at most 10^10: 14 bytes). */
  char digits[24];
  size_t at = sizeof digits;
  digits[--at] = '\0';
  digits[--at] = (char) ('0' + tenths % 10);
  digits[--at] = '.';
  unsigned long long whole = (unsigned long long) tenths / 10;
  do
    {
      digits[--at] = (char) ('0' + whole % 10);
      whole /= 10;
    }
  while (whole);
  if (negative)
    digits[--at] = '-';
  memcpy (buf, digits + at, sizeof digits - at);
  return buf;
}

const char *
score_verdict_name (enum score_verdict v)
{
  return v == SCORE_OUTREACH ? "OUTREACH" : v == SCORE_UNSURE ? "UNSURE" : "CLEAN";
}

const char *
score_verdict_word (enum score_verdict v)
{
  return v == SCORE_OUTREACH ? "Yes" : v == SCORE_UNSURE ? "Unsure" : "No";
}

int
score_exit_status (enum score_verdict v)
{
  return v == SCORE_OUTREACH ? SCORE_EXIT_OUTREACH
    : v == SCORE_UNSURE ? SCORE_EXIT_UNSURE : SCORE_EXIT_CLEAN;
}
