/* analyze.c: run the detectors over one message with the recipient's context. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "analyze.h"

#include <string.h>

/* Whether M's sender is one of the profile's known correspondents.  A profile without any
   (the usual case) needs no look at the From field. */
static bool
sender_is_known (const struct analyzer *a, const struct msg *m)
{
  if (!m || !a->profile || a->profile->known.n == 0)
    return false;
  const char *from = msg_header (m, "From");
  return from && profile_is_known (a->profile, from);
}

/* Why du is wanted in message M, or NULL if it is not. */
static const char *
du_wanted (const struct analyzer *a, const struct msg *m, const struct duzen_result *res)
{
  if (sender_is_known (a, m))
    return "known-correspondent";
  if (res->offered)
    return "offered";
  if (a->profile && a->profile->address_form == PROFILE_DU)
    return "profile";
  return NULL;
}

int
analyze_duzen (const struct analyzer *a, const struct msg *m, const struct text *t,
               struct findings *out, struct duzen_result *res, const char **why)
{
  size_t first = out->n;
  if (duzen_analyze (t, out, res) < 0)
    return -1;
  *why = du_wanted (a, m, res);
  if (*why)
    for (size_t i = first; i < out->n; i++)
      {
        struct finding *x = &out->v[i];
        if (strcmp (x->cls, "DU") == 0 || strcmp (x->cls, "IHR") == 0)
          x->flags |= FIND_ALLOWED;
      }
  return 0;
}

int
analyze_bait (const struct analyzer *a, const struct msg *m, const struct text *t,
              struct findings *out, struct bait_result *res)
{
  struct bait_context ctx = {
    .reply_thread = m && (msg_header (m, "In-Reply-To") || msg_header (m, "References")),
    .known_correspondent = sender_is_known (a, m),
    .subject = m ? msg_header (m, "Subject") : NULL,
  };
  return bait_analyze (a->rules, t, &ctx, out, res);
}

int
analyze_message (const struct analyzer *a, const struct msg *m, const struct text *t,
                 struct findings *out, struct analysis *res)
{
  memset (res, 0, sizeof *res);
  if (analyze_duzen (a, m, t, out, &res->duzen, &res->du_wanted) < 0
      || analyze_bait (a, m, t, out, &res->bait) < 0
      || template_analyze (a->rules, m, t, a->profile, out, &res->template) < 0)
    return -1;
  res->store_status = STORE_OK;
  if (m && a->store)
    res->store_status = template_bulk (a->rules, a->store, m, t, a->profile, &a->bulk, out,
                                       &res->template);
  return 0;
}
