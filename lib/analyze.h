/* analyze.h: every detector over one message, with the recipient's context, as the tools need it. */
#ifndef RITTBERGER_ANALYZE_H
#define RITTBERGER_ANALYZE_H

#include <stdbool.h>
#include "bait.h"
#include "duzen.h"
#include "findings.h"
#include "msg.h"
#include "profile.h"
#include "rules.h"
#include "store.h"
#include "template.h"
#include "text.h"

/* What the detectors share for a run over many messages. */
struct analyzer
{
  struct ruleset *rules;
  const struct profile *profile;
  struct store *store;          /* the template fingerprint store, or NULL: no bulk evidence */
  struct template_bulk_options bulk;
};

/* What every detector said about one message. */
struct analysis
{
  struct duzen_result duzen;
  const char *du_wanted;        /* why du is wanted, or NULL (see analyze_duzen) */
  struct bait_result bait;
  struct template_result template;
  int store_status;             /* STORE_OK, or why the bulk evidence is missing */
};

/* Run detect-duzen's analysis of T (from message M, or NULL for a bare text) into OUT and *RES,
   marking du and ihr findings FIND_ALLOWED when du is wanted; return why it is wanted
   ("known-correspondent", "offered", "profile") in *WHY, or NULL.  Return 0, or -1 (ENOMEM). */
int analyze_duzen (const struct analyzer *a, const struct msg *m, const struct text *t,
                   struct findings *out, struct duzen_result *res, const char **why);

/* Run detect-bait-question's analysis of T (from M, or NULL) with the context M and the profile
   give; return 0, or -1 (ENOMEM). */
int analyze_bait (const struct analyzer *a, const struct msg *m, const struct text *t,
                  struct findings *out, struct bait_result *res);

/* Run every detector over T (from M, or NULL for a bare text) into OUT and *RES: informal
   address, bait questions, templates, and, with a store, the same text from many senders.  A
   store failure is no error: it costs the bulk finding, and RES->store_status and
   store_error (A->store) say why.  Return 0, or -1 (ENOMEM). */
int analyze_message (const struct analyzer *a, const struct msg *m, const struct text *t,
                     struct findings *out, struct analysis *res);

#endif
