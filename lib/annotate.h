/* annotate.h: pass-through mode: copy a message byte for byte, adding X-Outreach-* fields. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_ANNOTATE_H
#define RITTBERGER_ANNOTATE_H

/* What annotate_write does to a message:

   - Every header field whose name starts with "X-Outreach-" (any case), with its continuation
     lines, is removed, so a sender cannot forge a verdict.  Every other byte of the message
     (other fields, the blank line, the body, NULs, invalid UTF-8) is copied unchanged.
   - At the end of the header block, before the blank line, it inserts
       X-Outreach-Status: Yes, score=7.5 required=5.0 tests=RULE_A,RULE_B
       X-Outreach-Score: 7.5
     and, with REPORT, an X-Outreach-Report field with one line per rule, "* 3.0 RULE text".
     The status word is Yes (outreach), Unsure (the unsure band) or No (clean), and always on the
     field's first line, so "^X-Outreach-Status: Yes" matches in procmail and maildrop.  Lines
     are folded at white space or after a comma of the tests list to at most 78 columns (the
     leading tab counted as 8), never inside a rule id; continuation lines start with a tab.
     Line ends are the message's own: those of its blank line (else of its last field), CRLF,
     LF or a lone CR, so the inserted lines can never merge with the blank line.  Numbers are
     written with one decimal and a '.' in every locale.  Report texts that are not plain ASCII
     are written as RFC 2047 encoded words (UTF-8, Q encoding).
   - A header-only message without the blank line gets the fields at its end; no blank line and
     no body are invented.  If its last field ends the input without a line end, the fields go
     before that field, so the output is still the input plus whole added lines.
   - Plain text (M->kind == MSG_TEXT: no header block) has no header to add to: it is written
     unchanged and annotate_write returns 1; the tool reports the verdict by other means.
   - An mbox message is annotated alone: the caller writes M->from_line first.  Since body bytes
     are never touched, no ">From " quoting changes and the mbox stays as it was.

   The annotated message is built in memory and written with one fwrite, so on a failure before
   writing nothing has been written and the caller can still fall back to M->raw unchanged. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "msg.h"
#include "rules.h"
#include "score.h"

/* The prefix of the field names annotate owns (and removes from incoming mail). */
#define ANNOTATE_FIELD_PREFIX "X-Outreach-"

/* Longest line annotate writes, in columns, line end not counted. */
#define ANNOTATE_FOLD_WIDTH 78

struct annotate_fields
{
  enum score_verdict verdict;
  double score;                 /* shown with one decimal */
  double required;              /* the threshold */
  const struct score_hit *hits; /* listed in tests= in this order; none: "tests=none" */
  size_t nhits;
  bool report;                  /* also write X-Outreach-Report */
  const struct ruleset *rules;  /* the report's descriptions come from here; NULL: ids only */
  int lang;                     /* descriptions: 0 German (describe-de), 1 English (describe-en) */
};

/* Fill *A from RES (verdict, score, threshold, hits) with no report; RES must outlive *A. */
void annotate_fields_from_result (struct annotate_fields *a, const struct score_result *res);

/* Build the annotated form of M into a new buffer *OUT of *OUT_LEN bytes (free it); for plain
   text that is a copy of M->raw.  Return 0 if fields were added, 1 if M had no header block, or
   -1 with errno set (ENOMEM, or EINVAL if M's field ranges are inconsistent) and *OUT NULL. */
int annotate_build (const struct msg *m, const struct annotate_fields *a, char **out,
                    size_t *out_len);

/* Write the annotated form of M to OUT in one go.  Return 0 if fields were added, 1 if M was
   written unchanged because it has no header block, or -1 with errno set: if ferror (OUT) is
   false then nothing was written and the caller may write M->raw instead. */
int annotate_write (FILE *out, const struct msg *m, const struct annotate_fields *a);

#endif
