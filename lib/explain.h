/* explain.h: the four-sides reading of a message or a findings stream, and a reply draft. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_EXPLAIN_H
#define RITTBERGER_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "analyze.h"
#include "findings.h"
#include "msg.h"
#include "profile.h"
#include "rules.h"
#include "score.h"

/* The language of a report; the value indexes struct rule's describe[] and advice[]. */
enum explain_lang
{
  EXPLAIN_DE = 0,
  EXPLAIN_EN = 1,
};

enum explain_format
{
  EXPLAIN_FORMAT_TEXT,
  EXPLAIN_FORMAT_MARKDOWN,
  EXPLAIN_FORMAT_JSON,
};

/* How much terminal markup the text format may use. */
enum explain_style
{
  EXPLAIN_PLAIN,                /* no escape sequences at all (piped, or --color=never) */
  EXPLAIN_EMPHASIS,             /* bold and underline only (a terminal with NO_COLOR set) */
  EXPLAIN_COLOR,                /* colours as well */
};

struct explain_options
{
  enum explain_format format;
  enum explain_lang lang;       /* of the report; the reply follows the message's language */
  enum explain_style style;
  size_t width;                 /* wrap text at this many display columns; 0: do not wrap */
  bool reply;                   /* add a reply draft */
  enum profile_address_form address_form;  /* how the recipient wants the sender addressed */
};

/* One finding as explained: its rule (for side and texts) and the text around it. */
struct explain_item
{
  struct finding f;             /* a copy; rule, cls and match are owned */
  const struct rule *rule;      /* NULL when the rule set does not know the id */
  enum rule_side side;
  double weight;                /* the weight the score gave it (profile override, rule, stream) */
  bool counted;                 /* neither quoted nor allowed */
  char *before, *after;         /* the source line around the match, or NULL for a stream */
  bool cut_before, cut_after;   /* the line goes on beyond BEFORE / AFTER */
};

struct explain_report
{
  char *label;
  struct explain_item *items;   /* by position, then rule id */
  size_t nitems;
  struct score_result score;    /* the combined score, computed from the items */
  enum score_verdict verdict;   /* the headline verdict and score: score-outreach's own from a */
  double score_value;           /* stream when it has one, else the computed one */
  const char *allowed_why;      /* why informal address is wanted, or NULL */
  const char *message_lang;     /* "de", "en", or NULL when undecided */
  bool from_stream;
  size_t omitted;               /* findings past EXPLAIN_MAX_PER_RULE of one rule: scored, not listed */
};

/* The most findings of one rule a report lists; a message full of "du" is explained by ten. */
#define EXPLAIN_MAX_PER_RULE 10

/* Run every detector over message M (named LABEL) with analyzer A and scoring configuration CFG
   (NULL: defaults), and fill *R; return 0, or -1 with errno set (ENOMEM). */
int explain_message (struct explain_report *r, const struct analyzer *a,
                     const struct score_config *cfg, const struct msg *m, const char *label);

/* True if DATA (LEN bytes) starts with a findings stream's magic line, of any version. */
bool explain_is_stream (const char *data, size_t len);

/* Called once per message of a stream with its report; return 0, or -1 to stop. */
typedef int (*explain_report_fn) (const struct explain_report *r, void *arg);

/* Read the findings stream DATA (LEN bytes, named NAME in diagnostics) and call FN for each
   message in it (a message is a run of records with the same label), its findings explained with
   the rules of RS and scored with CFG (NULL: defaults).  A malformed line is reported to ERRS as
   "PROGRAM: NAME:LINE: message" and skipped.  Return the number of problems reported, or -1 with
   errno set when memory ran out, FN failed, or the stream version is not supported (reported). */
int explain_stream (const char *data, size_t len, const char *name, const struct ruleset *rs,
                    const struct score_config *cfg, explain_report_fn fn, void *arg,
                    const char *program, FILE *errs);

/* True if R has something to object to: a counted finding of positive weight, or a verdict
   other than clean. */
bool explain_objects (const struct explain_report *r);

/* Draft a short, polite reply to R's message that declines and names the reason in one sentence,
   in the message's language (German if undecided and a finding is German, else LANG) and, in
   German, in the form of address FORM; return it (malloc'd, the caller frees), or NULL with
   errno 0 when there is nothing to decline, or with errno ENOMEM. */
char *explain_reply (const struct explain_report *r, enum explain_lang lang,
                     enum profile_address_form form);

/* Write the report R to OUT as O says; return 0, or -1 on a write error or ENOMEM. */
int explain_write (FILE *out, const struct explain_report *r, const struct explain_options *o);

/* Release what explain_message or explain_stream put into *R. */
void explain_report_free (struct explain_report *r);

/* The report language the environment asks for (LANGUAGE, then LC_ALL, LC_MESSAGES, LANG, as
   gettext reads them): German for "de", else English. */
enum explain_lang explain_lang_from_env (void);

/* Parse a --lang argument ("de", "en", or a locale name like "de_DE.UTF-8"); return 0 and set
   *LANG, or -1 if it names neither German nor English. */
int explain_parse_lang (const char *s, enum explain_lang *lang);

/* Replace what must not reach a terminal in S (LEN bytes): C0 and C1 controls, DEL, bidi
   overrides and invalid UTF-8 become U+FFFD, tabs and line breaks a space; return a new string,
   or NULL on ENOMEM. */
char *explain_sanitize (const char *s, size_t len);

#endif
