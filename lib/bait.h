/* bait.h: bait questions (detect-bait-question): rule matches from rules/bait.rules weighed by context. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_BAIT_H
#define RITTBERGER_BAIT_H

#include <stdbool.h>
#include <stddef.h>
#include "findings.h"
#include "rules.h"
#include "text.h"

/* The tool name the bait rules carry in their "tool" key. */
#define BAIT_TOOL "detect-bait-question"

/* A message scores as bait when its counted findings weigh at least this much. */
#define BAIT_THRESHOLD 1.0

/* What the caller knows about the message beyond its text. */
struct bait_context
{
  bool reply_thread;            /* In-Reply-To or References present (quoted text counts too, see below) */
  bool known_correspondent;     /* the sender is in the user's profile as someone they write with */
  const char *subject;          /* the Subject header for subject-scope rules, or NULL */
};

enum bait_verdict
{
  BAIT_VERDICT_NONE,
  BAIT_VERDICT_BAIT,
};

struct bait_result
{
  enum bait_verdict verdict;
  size_t count;                 /* counted findings (neither quoted nor allowed) */
  size_t allowed;               /* findings the context allowed */
  double score;                 /* sum over rules of their counted weight, each rule at most its cap */
  char details[160];            /* e.g. "count=2 allowed=1 score=2.5 context=reply" */
};

/* The context rule.  In a reply thread (CTX->reply_thread, or T has text masked TEXT_QUOTED) or
   from a known correspondent, a question about an agreed, concrete matter is ordinary business:
   findings of the rules whose id starts with BAIT_CHOICE (alternative-choice close), BAIT_CALL
   (asking for a call or a meeting), BAIT_OPENER ("Kurze Frage:", "Quick question"),
   BAIT_INTEREST ("Interesse?"), BAIT_SHOW ("Darf ich dir etwas zeigen?"), BAIT_QUALIFIER
   ("Sind Sie noch zuständig?") or BAIT_RHETORIC ("Kennst du das?") are marked FIND_ALLOWED,
   unless their sentence makes the recipient's own business the object ("was ihr macht", "euer
   Unternehmen", "what you do", "your business"): a sender who already works with the recipient
   does not ask them to explain it.  Fake-demand (BAIT_DEMAND), discovery-call (BAIT_DISCOVERY)
   and desire (BAIT_DESIRE) findings are never allowed by context: they pretend a relationship
   or a need, whoever sends them.  A user rule joins the context rule by its id
   ("BAIT_CALL" followed by nothing or '_'). */

/* Run the detect-bait-question rules of RS over T, append their findings to OUT, apply the
   context rule above, and fill *RES.  Return 0, or -1 with errno set (ENOMEM). */
int bait_analyze (struct ruleset *rs, const struct text *t, const struct bait_context *ctx,
                  struct findings *out, struct bait_result *res);

/* True if findings of rule ID are allowed in a reply thread or from a known correspondent. */
bool bait_rule_context_sensitive (const char *id);

/* The verdict's name as printed: "BAIT" or "NONE". */
const char *bait_verdict_name (enum bait_verdict v);

#endif
