/* rules.h: rule files (data under rules/), their PCRE2 patterns, and the self-check. */
#ifndef RITTBERGER_RULES_H
#define RITTBERGER_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "findings.h"
#include "text.h"

/* Schulz von Thun's four sides of a message. */
enum rule_side
{
  SIDE_NONE = 0,
  SIDE_SACH,                    /* Sachinhalt: what it says */
  SIDE_SELBST,                  /* Selbstkundgabe: what it reveals about the sender */
  SIDE_BEZIEHUNG,               /* Beziehung: what it says about the relationship */
  SIDE_APPELL,                  /* Appell: what it wants */
};

enum rule_scope
{
  SCOPE_SENTENCE,               /* each sentence of the sender's own text */
  SCOPE_QUESTION,               /* each sentence ending in '?' */
  SCOPE_GREETING,               /* the salutation line(s) */
  SCOPE_MESSAGE,                /* the whole body at once */
  SCOPE_SUBJECT,                /* the Subject header */
};

struct rule
{
  char *id;                     /* [A-Z][A-Z0-9_]* */
  char *tool;                   /* detect-duzen, detect-template, detect-bait-question, score-outreach */
  char *cls;                    /* evidence class for findings (default: the tool's) */
  enum rule_side side;
  enum rule_scope scope;
  char *lang;                   /* "de", "en" or "any" */
  double weight;
  double cap;                   /* most this rule may add per message; 0 = weight once */
  char *pattern;                /* PCRE2 source, NULL for a rule implemented in code */
  unsigned pattern_flags;       /* PCRE2 compile options from the /flags */
  void *code;                   /* compiled pcre2_code_8, lazily */
  char *describe[2];            /* [0] German, [1] English */
  char *advice[2];              /* what a sender doing it right would have done */
  char **match, **nomatch;      /* examples, NULL-terminated */
  size_t nmatch, nnomatch;
  char *file;                   /* where it was defined */
  unsigned long line;
  /* Added by the engine (rules-match.c): */
  char **trigger;               /* lower-case words, NULL-terminated; "w*" is a prefix; none = always run */
  size_t ntrigger;
  unsigned long pattern_line;   /* line of the pattern key, for compile errors */
  unsigned long *match_line, *nomatch_line;  /* line of each example */
  bool compile_failed;          /* the pattern did not compile: never run it */
  size_t scanned;               /* bytes matched so far in this process; JIT once it pays */
};

struct rules_private;

struct ruleset
{
  struct rule *v;
  size_t n, cap;
  struct rules_private *priv;   /* private (rules-priv.h): the file texts the rules'
                                   strings point into, the trigger index, what rules_match
                                   learnt about the last text; start with { 0 }, release
                                   with rules_free */
};

/* Parse the rule file PATH into RS (later definitions of an id replace earlier ones).
   On error return -1 and write "PATH:LINE: message" into ERR (ERRLEN bytes). */
int rules_load_file (struct ruleset *rs, const char *path, char *err, size_t errlen);

/* Load every *.rules file of DIR in name order (from the parsed-rules image in the cache
   directory if the files are byte for byte those it was made of, see rules-image.c); same error
   contract as rules_load_file. */
int rules_load_dir (struct ruleset *rs, const char *dir, char *err, size_t errlen);

/* The rules directory: $RITTBERGER_RULES, else OVERRIDE if non-NULL, else the installed one. */
const char *rules_default_dir (const char *override);

/* Look a rule up by id; NULL if absent. */
const struct rule *rules_find (const struct ruleset *rs, const char *id);

/* Run the pattern rules of TOOL over T (as text_analyze made it), appending findings; return 0,
   or -1 on error.  What does not depend on TOOL is kept in RS for a next call on the same text. */
int rules_match (struct ruleset *rs, const char *tool, const struct text *t, const char *subject,
                 struct findings *out);

/* Compile every pattern of RS and report problems to ERRS as "FILE:LINE: message"; return the count. */
int rules_compile_all (struct ruleset *rs, FILE *errs);

/* Analyse one example text and append its findings; the tool's whole detector, as in real use. */
typedef int (*rules_detector) (const char *text, size_t len, struct findings *out, void *arg);

/* For every rule of TOOL, run DETECT over each "match" example (it must yield a finding with the
   rule's id) and each "nomatch" example (it must not); report failures to ERRS as
   "FILE:LINE: message"; return the number of failures. */
int rules_check_examples (struct ruleset *rs, const char *tool, rules_detector detect, void *arg,
                          FILE *errs);

/* True if finding F lies in the Subject field: flagged so by a code check, or found by a rule
   of RS (may be NULL) whose scope is the subject. */
static inline bool
rules_in_subject (const struct ruleset *rs, const struct finding *f)
{
  if (f->flags & FIND_SUBJECT)
    return true;
  const struct rule *r = rs ? rules_find (rs, f->rule) : NULL;
  return r && r->scope == SCOPE_SUBJECT;
}

/* Release every rule; first, if this process compiled patterns the compiled-pattern cache
   ($XDG_CACHE_HOME/rittberger/, see rules-cache.c) lacks, rewrite the cache with them. */
void rules_free (struct ruleset *rs);

const char *rules_side_name (enum rule_side side);

#endif
