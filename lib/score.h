/* score.h: score-outreach's verdict: rule weights with caps, meta rules, context, thresholds. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_SCORE_H
#define RITTBERGER_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include "findings.h"
#include "rules.h"

struct msg;
struct profile;

/* The tool name the rules of rules/score.rules carry in their "tool" key. */
#define SCORE_TOOL "score-outreach"

#define SCORE_DEFAULT_THRESHOLD 5.0
#define SCORE_DEFAULT_UNSURE 3.0

/* The rules score_compute adds itself, weighted in rules/score.rules (a rule missing from the
   rule set adds nothing unless the configuration overrides its weight). */
#define SCORE_RULE_TRIPLE "SCORE_RITTBERGER"  /* informal address, bait and template together */
#define SCORE_RULE_DOUBLE "SCORE_DOUBLE"      /* two of those three */
#define SCORE_RULE_KNOWN "SCORE_KNOWN"        /* the sender is a known correspondent */
#define SCORE_RULE_LIST "SCORE_LIST"          /* mail from a list or bulk sender */

/* The evidence classes the meta rules look for.  Informal address is either class. */
#define SCORE_CLASS_DU "DU"
#define SCORE_CLASS_IHR "IHR"
#define SCORE_CLASS_BAIT "BAIT"
#define SCORE_CLASS_TEMPLATE "TEMPLATE"
#define SCORE_CLASS_PITCH "PITCH"     /* boilerplate pitch lines: the copy-paste side, like TEMPLATE */

/* The evidence class of the findings score_append_findings writes. */
#define SCORE_CLASS "SCORE"

enum score_verdict
{
  SCORE_CLEAN,
  SCORE_UNSURE,
  SCORE_OUTREACH,
};

/* Exit statuses of score-outreach (bogofilter's convention: "flagged" is 0). */
enum
{
  SCORE_EXIT_OUTREACH = 0,
  SCORE_EXIT_CLEAN = 1,
  SCORE_EXIT_UNSURE = 2,
  SCORE_EXIT_TROUBLE = 3,
};

/* A weight set by the user for one rule id, replacing the rule file's. */
struct score_weight
{
  char *rule;
  double weight;
};

struct score_config
{
  double threshold;             /* OUTREACH from this score on */
  double unsure;                /* UNSURE from this score on; >= threshold: no unsure band */
  struct score_weight *weights; /* overrides, by rule id */
  size_t nweights;
  bool use_known;               /* apply SCORE_KNOWN when the context says so (default true) */
  bool use_list;                /* apply SCORE_LIST when the context says so (default true) */
};

/* What is known about the message beyond its findings. */
struct score_context
{
  bool known_correspondent;     /* the sender is in the recipient's profile */
  bool mailing_list;            /* List-Id, List-Unsubscribe, or Precedence: bulk or list */
};

/* One rule that contributed to the score. */
struct score_hit
{
  char *rule;
  double points;                /* its contribution after the cap */
  size_t count;                 /* counted findings of the rule (1 for meta and context rules) */
};

struct score_result
{
  enum score_verdict verdict;
  double score;                 /* rounded to one decimal; the verdict is decided on this value */
  double threshold, unsure;     /* the configuration it was decided with */
  struct score_hit *hits;       /* rules with a non-zero contribution, highest first, then by id */
  size_t nhits;
};

/* Set *CFG to the defaults: threshold 5.0, unsure band from 3.0, no overrides, context rules on. */
void score_config_init (struct score_config *cfg);

/* Take the threshold and unsure band from profile P where it sets them (0 means unset). */
void score_config_from_profile (struct score_config *cfg, const struct profile *p);

/* Override rule RULE's weight (a later call for the same id wins); return 0, or -1 on ENOMEM. */
int score_config_set_weight (struct score_config *cfg, const char *rule, double weight);

/* Parse "RULE=NUMBER" (as given to --weight) and override that weight; return 0, or -1 with
   errno EINVAL for a malformed argument or ENOMEM. */
int score_config_parse_weight (struct score_config *cfg, const char *arg);

/* Release the overrides of *CFG. */
void score_config_free (struct score_config *cfg);

/* Fill *CTX from M's header (list fields) and, if P is non-NULL, its known correspondents. */
void score_context_from_msg (struct score_context *ctx, const struct msg *m,
                             const struct profile *p);

/* The weight of rule ID: the configuration's override, else the rule's in RS (may be NULL), else
   FALLBACK. */
double score_rule_weight (const struct ruleset *rs, const struct score_config *cfg, const char *id,
                          double fallback);

/* Score the counted findings of ALL (FIND_QUOTED and FIND_ALLOWED ones are skipped): per rule the
   sum of its weight over its findings, capped at the rule's cap (0: the weight once), plus the
   meta rules (SCORE_RITTBERGER when informal address, bait and template findings all occur,
   SCORE_DOUBLE when two of them do) and the context rules of CTX (may be NULL); fill *RES.
   Return 0, or -1 on ENOMEM (then *RES is empty). */
int score_compute (const struct ruleset *rs, const struct findings *all,
                   const struct score_context *ctx, const struct score_config *cfg,
                   struct score_result *res);

/* Weigh the findings OUT->v[FIRST..] as a detector's own verdict does: each rule of RS (may be
   NULL: the findings' weights) adds its weight once, or up to its cap when it has one; quoted
   and allowed findings are skipped.  *COUNT and *ALLOWED receive how many findings counted and
   how many were allowed.  Return the sum. */
double score_detector_sum (const struct ruleset *rs, const struct findings *out, size_t first,
                           size_t *count, size_t *allowed);

/* Release the hits of *RES. */
void score_result_free (struct score_result *res);

/* Append a finding (class SCORE, empty match, no body range) for each meta and context rule in
   RES, so rule examples and findings streams see them; return 0, or -1 on ENOMEM. */
int score_append_findings (const struct score_result *res, struct findings *out);

/* Write RES's rule ids comma-separated into BUF (SIZE bytes, always NUL-terminated), "none" if no
   rule contributed; return the length the whole list needs (like snprintf). */
size_t score_tests_list (const struct score_result *res, char *buf, size_t size);

/* Format X with one decimal, '.' as decimal point whatever the locale, into BUF (at least 32
   bytes); return BUF. */
char *score_format (double x, char *buf);

/* The verdict's name in findings streams: "OUTREACH", "UNSURE" or "CLEAN". */
const char *score_verdict_name (enum score_verdict v);

/* The verdict's word in the X-Outreach-Status header: "Yes", "Unsure" or "No". */
const char *score_verdict_word (enum score_verdict v);

/* The exit status for verdict V: 0 outreach, 1 clean, 2 unsure (3, trouble, is the tool's call). */
int score_exit_status (enum score_verdict v);

#endif
