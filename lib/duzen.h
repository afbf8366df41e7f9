/* duzen.h: German du/ihr/Sie address detection (see ../shared/spec/duzen.md). */
#ifndef RITTBERGER_DUZEN_H
#define RITTBERGER_DUZEN_H

#include <stdbool.h>
#include "findings.h"
#include "text.h"

enum duzen_verdict
{
  DUZEN_NONE,
  DUZEN_DU,
  DUZEN_IHR_PLURAL,
  DUZEN_MIXED,
  DUZEN_SIE_FORMAL,
};

struct duzen_result
{
  enum duzen_verdict verdict;
  bool unsure;                  /* SIE_FORMAL with one T point */
  bool consistent;              /* SIE_FORMAL with two or more strong V hits */
  int du, ihr, sie;             /* points of counted hits */
  int cue_t, cue_v;             /* greeting/closing cues */
  bool offered;                 /* a quoted part offers du ("gern per du") */
  char details[160];            /* e.g. "du=6 ihr=0 sie=0 cues=T1" plus leaning/mismatch notes */
};

/* Detect T- and V-forms in T and append one finding per hit to OUT (rule ids DU_*, IHR_*, SIE_*, CUE_*);
   fill *RES with the verdict.  Hits in masked text are reported with FIND_QUOTED and not counted.
   Return 0, or -1 on ENOMEM. */
int duzen_analyze (const struct text *t, struct findings *out, struct duzen_result *res);

/* duzen_analyze without its shortcuts (every step over every token, no look-up filter): the
   same findings and result, slower.  For tests that check the shortcuts change nothing. */
int duzen_analyze_eager (const struct text *t, struct findings *out, struct duzen_result *res);

/* The verdict's name as printed: "DU", "IHR_PLURAL", "MIXED", "SIE_FORMAL", "NONE". */
const char *duzen_verdict_name (enum duzen_verdict v);

/* True if the verdict says a T-form addresses the reader. */
bool duzen_is_t (enum duzen_verdict v);

#endif
