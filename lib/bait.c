/* bait.c: detect-bait-question: run the bait rules, then let reply threads and known correspondents ask. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "bait.h"
#include "score.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rules whose questions are ordinary between people who already work together. */
static const char *const context_sensitive_prefixes[] = {
  "BAIT_CHOICE", "BAIT_CALL", "BAIT_OPENER", "BAIT_INTEREST", "BAIT_SHOW", "BAIT_QUALIFIER",
  "BAIT_RHETORIC",
};

/* The recipient's own business as the object of a question: what a cold sender wants explained.
   Kept in code, not in a rule file, because it is not evidence on its own but the exception to
   the context rule. */
static const char recipient_business_pattern[] =
  "(?<![\\p{L}\\p{N}])(?:"
  "was\\s+(?:ihr|du|sie)\\s+(?:so\\s+|genau\\s+|eigentlich\\s+)*"
  "(?:macht|machst|machen|tut|tust|tun|anbietet|anbietest|anbieten)"
  "|(?:euer|eure[mnrs]?|dein|deine[mnrs]?|ihr|ihre[mnrs]?)\\s+"
  "(?:unternehmen|business|gesch(?:ä|ae)ft|firma|agentur|angebot|ziele|herausforderungen|vertrieb|marketing)"
  "|what\\s+(?:you|your\\s+(?:team|company|business))\\s+(?:do|does|offer|sell)"
  "|your\\s+(?:business|company|agency|goals|challenges|sales|marketing|growth|offering)"
  ")(?![\\p{L}\\p{N}])";

bool
bait_rule_context_sensitive (const char *id)
{
  for (size_t i = 0; i < sizeof context_sensitive_prefixes / sizeof *context_sensitive_prefixes; i++)
    {
      size_t n = strlen (context_sensitive_prefixes[i]);
      if (strncmp (id, context_sensitive_prefixes[i], n) == 0 && (id[n] == '\0' || id[n] == '_'))
        return true;
    }
  return false;
}

const char *
bait_verdict_name (enum bait_verdict v)
{
  return v == BAIT_VERDICT_BAIT ? "BAIT" : "NONE";
}

/* The byte range of the sentence holding body byte OFF, or [OFF, OFF) if none does. */
static void
sentence_around (const struct text *t, uint32_t off, size_t *start, size_t *end)
{
  size_t lo = 0, hi = t->nsent;
  while (lo < hi)
    {
      size_t mid = (lo + hi) / 2;
      if (t->sent[mid].end <= off)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < t->nsent && t->sent[lo].off <= off && t->sent[lo].end <= t->len)
    {
      *start = t->sent[lo].off;
      *end = t->sent[lo].end;
    }
  else
    *start = *end = off;
}

/* Mark the context-sensitive findings OUT->v[FIRST..] as allowed unless their sentence is about
   the recipient's business.  Return 0, or -1 on ENOMEM. */
static int
apply_context (const struct text *t, struct findings *out, size_t first)
{
  pcre2_code *business = NULL;
  pcre2_match_data *md = NULL;
  pcre2_match_context *mctx = NULL;
  int status = 0;
  for (size_t i = first; i < out->n; i++)
    {
      struct finding *f = &out->v[i];
      if ((f->flags & (FIND_QUOTED | FIND_ALLOWED)) || !bait_rule_context_sensitive (f->rule))
        continue;
      if (!business)
        {
          int errcode;
          PCRE2_SIZE erroff;
          business = pcre2_compile ((PCRE2_SPTR) recipient_business_pattern,
                                    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS,
                                    &errcode, &erroff, NULL);
          md = pcre2_match_data_create (1, NULL);
          mctx = pcre2_match_context_create (NULL);
          if (!business || !md || !mctx)
            {
              status = -1;
              break;
            }
          pcre2_set_match_limit (mctx, 100000);
          pcre2_set_depth_limit (mctx, 1000);
        }
      size_t start, end;
      if (f->len == 0 && f->off == 0 && f->match && *f->match)
        {
          /* A subject finding: look at the subject's words themselves. */
          if (pcre2_match (business, (PCRE2_SPTR) f->match, strlen (f->match), 0, 0, md, mctx) < 0)
            f->flags |= FIND_ALLOWED;
          continue;
        }
      sentence_around (t, f->off, &start, &end);
      if (end <= start)
        {
          start = f->off;
          end = (size_t) f->off + f->len <= t->len ? (size_t) f->off + f->len : t->len;
        }
      if (pcre2_match (business, (PCRE2_SPTR) t->s + start, end - start, 0, 0, md, mctx) < 0)
        f->flags |= FIND_ALLOWED;
    }
  pcre2_code_free (business);
  pcre2_match_data_free (md);
  pcre2_match_context_free (mctx);
  if (status < 0)
    errno = ENOMEM;
  return status;
}

/* RES's details, "count=%zu allowed=%zu score=%.2f context=%s" with CONTEXT.  The common case
   is put together by hand: snprintf cost more than the rest of this glue. */
static void
write_details (struct bait_result *res, const char *context)
{
  char score[32];
  int sn = findings_format_fixed (score, sizeof score, res->score, 2);
  _Static_assert (sizeof res->details > 6 + 20 + 9 + 20 + 7 + 31 + 9 + 11, "details fit");
  if (sn < 0 || (size_t) sn >= sizeof score)
    {
      /* A score too large for the fast path: snprintf, which cuts the text to fit. */
      snprintf (res->details, sizeof res->details, "count=%zu allowed=%zu score=%.2f context=%s",
                res->count, res->allowed, res->score, context);
      return;
    }
  char *p = res->details;
  memcpy (p, "count=", 6);
  p += 6;
  p += findings_format_size (p, res->count);
  memcpy (p, " allowed=", 9);
  p += 9;
  p += findings_format_size (p, res->allowed);
  memcpy (p, " score=", 7);
  p += 7;
  memcpy (p, score, sn);
  p += sn;
  memcpy (p, " context=", 9);
  p += 9;
  memcpy (p, context, strlen (context) + 1);
}

int
bait_analyze (struct ruleset *rs, const struct text *t, const struct bait_context *ctx,
              struct findings *out, struct bait_result *res)
{
  static const struct bait_context no_context = { 0 };
  if (!ctx)
    ctx = &no_context;
  memset (res, 0, sizeof *res);
  size_t first = out->n;
  if (rules_match (rs, BAIT_TOOL, t, ctx->subject, out) < 0)
    return -1;

  bool reply = ctx->reply_thread || text_has_quoted (t);
  if ((reply || ctx->known_correspondent) && apply_context (t, out, first) < 0)
    return -1;

  res->score = score_detector_sum (rs, out, first, &res->count, &res->allowed);
  res->verdict = res->count > 0 && res->score >= BAIT_THRESHOLD ? BAIT_VERDICT_BAIT : BAIT_VERDICT_NONE;
  const char *context = reply ? (ctx->known_correspondent ? "reply,known" : "reply")
                        : ctx->known_correspondent ? "known" : "none";
  write_details (res, context);
  return 0;
}
