/* findings.h: the one record type every detector reports, and its line formats for pipes and people. */
#ifndef RITTBERGER_FINDINGS_H
#define RITTBERGER_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Strength of the evidence of one finding (duzen.md §10 points: strong 3, medium 2, weak 1). */
enum finding_severity
{
  SEV_INFO = 0,
  SEV_WEAK = 1,
  SEV_MEDIUM = 2,
  SEV_STRONG = 3,
};

enum finding_flag
{
  FIND_QUOTED = 1 << 0,         /* in quoted, forwarded, signature text or direct speech: not counted */
  FIND_ALLOWED = 1 << 1,        /* wanted by the recipient (known correspondent, du offered): not counted */
  FIND_SUBJECT = 1 << 2,        /* in the Subject field; OFF and LEN are bytes of its decoded value */
};

struct finding
{
  char *rule;                   /* rule id, e.g. "DU_PRON"; in a set, the set's (see below) */
  char *cls;                    /* evidence class, e.g. "DU", "IHR", "SIE", "CUE", "BAIT"; ditto */
  enum finding_severity severity;
  unsigned flags;               /* enum finding_flag */
  double weight;                /* score contribution (from the rule file), 0 if none */
  uint32_t off, len;            /* byte range in the analysed body */
  unsigned long line, col;      /* 1-based, in the original input (filled by findings_locate) */
  char *match;                  /* the matched text, NUL-terminated */
};

/* The rule ids and classes of a set's findings, each distinct name copied once (findings.c). */
struct findings_names;

struct findings
{
  struct finding *v;
  size_t n, cap;
  /* The rule and cls strings of v point into this; they belong to the set, never to a finding.
     Each distinct name is there once, so two findings of a set have the same rule id exactly
     when their rule pointers are equal. */
  struct findings_names *names;
};

/* The largest line or column a findings stream may give. */
#define FINDINGS_MAX_POSITION 4294967295UL

/* Append a finding for body bytes [OFF, OFF+LEN) of BODY, its rule and class copied into F's
   shared names (valid until findings_clear; never freed per finding) and its match malloc'd;
   return 0, or -1 on ENOMEM. */
int findings_add (struct findings *f, const char *body, const char *rule, const char *cls,
                  enum finding_severity severity, unsigned flags, uint32_t off, uint32_t len);

/* Release every finding and the names they share, and reset *F to empty (keeping v's memory). */
void findings_clear (struct findings *f);

/* Sort findings by body offset, then rule id, dropping exact duplicates. */
void findings_sort (struct findings *f);

/* The number of findings that count (neither quoted nor allowed). */
size_t findings_counted (const struct findings *f);

/* ---- numbers, as printf writes them ----
   A findings line, a verdict's score and a detector's details hold a few numbers each; printf
   costs a few hundred instructions a number, more than the rest of such a line.  These write
   the same bytes for the values the tools meet and leave the rest to snprintf. */

/* Write V in decimal, as "%zu" does, and a NUL into BUF (room for 21 bytes); return the length. */
size_t findings_format_size (char *buf, size_t v);

/* Write X as snprintf (BUF, SIZE, "%.*f", DECIMALS, X) would (DECIMALS from 0 to 3) and return
   what it would. */
int findings_format_fixed (char *buf, size_t size, double x, int decimals);

/* Write X as snprintf (BUF, SIZE, "%g", X) would and return what it would. */
int findings_format_g (char *buf, size_t size, double x);

/* ---- line formats ---- */

/* The first line of a findings stream; readers check it. */
#define FINDINGS_MAGIC "#rittberger-findings 1"

/* Write F as the tab-separated stream lines "F\tLABEL\tLINE:COL\tTOOL\tRULE\tCLASS\tSEVERITY\tFLAGS\tWEIGHT\tMATCH". */
int findings_write_tsv (FILE *out, const char *label, const char *tool, const struct findings *f);

/* Write a verdict record "V\tLABEL\tTOOL\tVERDICT\tSCORE\tDETAILS". */
int findings_write_verdict_tsv (FILE *out, const char *label, const char *tool,
                                const char *verdict, double score, const char *details);

/* Write F as GNU-style lines "LABEL:LINE:COL: RULE: MATCH", marking quoted and allowed findings. */
int findings_write_text (FILE *out, const char *label, const struct findings *f);

/* Write F as one JSON object per line (JSON Lines). */
int findings_write_json (FILE *out, const char *label, const char *tool, const struct findings *f);

/* Write a verdict as one JSON object line {"file":…,"tool":…,"verdict":…,"score":…,"details":…}. */
int findings_write_verdict_json (FILE *out, const char *label, const char *tool,
                                 const char *verdict, double score, const char *details);

/* Escape S for a TSV field (\\, \t, \n, \r) into a new string; NULL on ENOMEM. */
char *findings_escape (const char *s);

/* Undo findings_escape in place. */
void findings_unescape (char *s);

/* One parsed line of a findings stream. */
struct findings_record
{
  char kind;                    /* 'F' finding, 'V' verdict */
  char *label, *tool;
  struct finding f;             /* for 'F' */
  char *verdict, *details;      /* for 'V' */
  double score;
};

/* Parse one line (without its newline) of a findings stream into *R, pointing into LINE, which is
   modified.  Return 1 for a record, 0 for a comment or blank line, -1 for a malformed line. */
int findings_parse_line (char *line, struct findings_record *r);

#endif
