/* template.h: detect-template: copy-paste and bot templates, inside one message and across many. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_TEMPLATE_H
#define RITTBERGER_TEMPLATE_H

/* Two kinds of evidence, both as findings of class "TEMPLATE":

   In one message (template_analyze): the pattern rules of rules/template.rules (unrendered
   merge tags and spintax of 30 mailing tools, tool fallbacks such as "[[MISSING TOKEN ...]]",
   empty slots "Hallo ,", generic flattery, follow-up sequence lines, cold-email opt-out lines)
   and five checks written in code, whose records (descriptions, weights, examples) are in the
   same file without a pattern key:

     TEMPLATE_GREETING_HANDLE      the greeting names a handle, a mailbox local part, a domain or
                                   "Team <domain>" where a person's name belongs
     TEMPLATE_GREETING_WRONG_NAME  the greeting names someone who is not the recipient (only when
                                   the profile lists the recipient's names)
     TEMPLATE_WRONG_CATEGORY       the message calls the recipient's business an "Agentur",
                                   "agency", "Shop", "Startup" ... in the second person and the
                                   profile's "is-not" list names it, or its "is" list says
                                   something else (no profile, no finding)
     TEMPLATE_FAKE_RE              "Re:"/"AW:" subject on a first message (no In-Reply-To, no
                                   References)

   Across messages (template_bulk): TEMPLATE_BULK, when verified near-duplicates of the body came
   from at least TEMPLATE_MIN_SENDERS distinct other senders in the last days; its match text is
   "N senders".

   Subscribed mail: a message with List-Id, List-Unsubscribe or "Precedence: bulk|list|junk" is
   something the recipient signed up for.  Its findings are kept but marked FIND_ALLOWED (not
   counted, still shown by explain), and the store learns it without flagging it.  Findings a
   known correspondent's mail produces for follow-up lines ("nochmal nachhaken") are allowed
   too: between people who work together they are ordinary.

   Traps that do not fire: code and templates quoted in technical mail (text masks TEXT_CODE;
   matches in masked bytes are dropped by the rule engine), counters such as "{{1 hit}}" (a
   merge tag's name starts with a letter), quoted replies (TEXT_QUOTED). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "findings.h"
#include "fingerprint.h"
#include "msg.h"
#include "profile.h"
#include "rules.h"
#include "store.h"
#include "text.h"

#define TEMPLATE_TOOL "detect-template"
#define TEMPLATE_CLASS "TEMPLATE"
#define TEMPLATE_RULE_BULK "TEMPLATE_BULK"
#define TEMPLATE_RULE_GREETING_HANDLE "TEMPLATE_GREETING_HANDLE"
#define TEMPLATE_RULE_WRONG_NAME "TEMPLATE_GREETING_WRONG_NAME"
#define TEMPLATE_RULE_WRONG_CATEGORY "TEMPLATE_WRONG_CATEGORY"
#define TEMPLATE_RULE_FAKE_RE "TEMPLATE_FAKE_RE"

/* A message scores as a template when its counted findings weigh at least this much: one
   strong trace (a merge tag, 3; bulk, a handle or a wrong name in the greeting, 2) is enough,
   one weak cue alone (generic praise or an opt-out line, 1) is not. */
#define TEMPLATE_THRESHOLD 1.5

enum
{
  TEMPLATE_MIN_SENDERS = 3,     /* K: distinct earlier senders that make a body bulk */
};

enum template_verdict
{
  TEMPLATE_VERDICT_NONE,
  TEMPLATE_VERDICT_TEMPLATE,
};

struct template_result
{
  enum template_verdict verdict;
  size_t count;                 /* counted findings (neither quoted nor allowed) */
  size_t allowed;               /* findings marked FIND_ALLOWED */
  double score;                 /* per rule its weight once, or up to its cap */
  bool subscribed;              /* List-Id, List-Unsubscribe or Precedence bulk/list/junk */
  /* Filled by template_bulk: */
  bool fingerprinted;           /* the body had enough tokens for a fingerprint */
  size_t senders;               /* distinct earlier senders of near-duplicates */
  size_t tokens;                /* tokens after normalisation */
  int store_status;             /* enum store_status of the last store call */
  char details[200];            /* e.g. "count=2 allowed=0 score=2.50 senders=3 tokens=58" */
};

/* How template_bulk uses the store. */
enum template_store_mode
{
  TEMPLATE_LOOKUP_LEARN,        /* count earlier senders, then learn (the default) */
  TEMPLATE_NO_LEARN,            /* count only: the store is not changed */
  TEMPLATE_LEARN_ONLY,          /* learn only (seeding a store from an archive) */
};

struct template_bulk_options
{
  enum template_store_mode mode;
  int days;                     /* look-back window; 0 = STORE_DEFAULT_DAYS */
  size_t min_senders;           /* K; 0 = TEMPLATE_MIN_SENDERS */
  int64_t now;                  /* delivery time in seconds since the epoch; 0 = the clock */
};

/* Run the detect-template pattern rules of RS and the code checks over T (the body of M; M may be
   NULL for a bare text, then header checks are skipped) with the recipient profile P (may be
   NULL), append findings to OUT, mark subscribed mail and known correspondents' follow-ups
   FIND_ALLOWED, and fill *RES (its store fields zero).  Return 0, or -1 with errno (ENOMEM). */
int template_analyze (struct ruleset *rs, const struct msg *m, const struct text *t,
                      const struct profile *p, struct findings *out, struct template_result *res);

/* Fingerprint the body of M (T's masks drop quoted text; P's and the To header's names become
   the recipient token) under the key of ST, ask the store per OPTS and append TEMPLATE_BULK to
   OUT when at least K other senders sent near-duplicates (FIND_ALLOWED for subscribed mail); its
   weight comes from RS's TEMPLATE_BULK record (RS may be NULL: weight 2).
   Bodies under FP_MIN_TOKENS tokens are neither looked up nor learned.  Updates RES's store
   fields, count, score and verdict.  Return STORE_OK, or a negative enum store_status (the
   finding is lost, store_error (ST) says why; the tool warns and carries on). */
int template_bulk (struct ruleset *rs, struct store *st, const struct msg *m, const struct text *t,
                   const struct profile *p, const struct template_bulk_options *opts,
                   struct findings *out, struct template_result *res);

/* Remove from ST the entries whose fingerprint equals that of message M (as template_bulk would
   compute it); the count goes to *REMOVED.  Return STORE_OK or a negative enum store_status. */
int template_forget (struct store *st, const struct msg *m, const struct text *t,
                     const struct profile *p, size_t *removed);

/* Compute the fingerprint template_bulk uses for M and T under KEY.  Return 0, or -1 (ENOMEM). */
int template_fingerprint (const struct fp_key *key, const struct msg *m, const struct text *t,
                          const struct profile *p, struct fingerprint *fp);

/* The sender key of M under KEY (From address, normalised), or 0 for a message without one. */
uint64_t template_sender_key (const struct fp_key *key, const struct msg *m);

/* True if M carries List-Id, List-Unsubscribe or Precedence: bulk, list or junk. */
bool template_is_subscribed (const struct msg *m);

/* The time of M's Date header in seconds since the epoch, or 0 if it has none that parses. */
int64_t template_message_time (const struct msg *m);

/* The profile the rule examples of template.rules are checked with: names "Anna Brandt",
   address anna@brandt-consulting.de, handle @brandt_cc, company "Brandt Consulting", is
   "Beratung", is-not "Agentur" and "Shop".  Static storage; do not free. */
const struct profile *template_example_profile (void);

/* A rules_detector for rules_check_examples: parse TEXT as mail or plain text, analyse it with
   template_analyze and the example profile; ARG is the struct ruleset *. */
int template_example_detector (const char *text, size_t len, struct findings *out, void *arg);

/* The verdict's name as printed: "TEMPLATE" or "NONE". */
const char *template_verdict_name (enum template_verdict v);

#endif
