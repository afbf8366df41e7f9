/* findings.c: the findings record, its tab-separated stream, the GNU-style and JSON forms. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "findings.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "c-ctype.h"
#include "severity-names.h"

size_t
findings_format_size (char *buf, size_t v)
{
  char digits[24];
  size_t at = sizeof digits;
  do
    {
      digits[--at] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v);
  size_t n = sizeof digits - at;
  memcpy (buf, digits + at, n);
  buf[n] = '\0';
  return n;
}

/* Write the magnitude R / 10^DECIMALS with DECIMALS digits after the point (none and no point
   for 0), a '-' first if NEGATIVE, and a NUL; return the length (at most 25). */
static size_t
put_scaled (char *buf, bool negative, uint64_t r, int decimals)
{
  char digits[32];
  size_t at = sizeof digits;
  for (int i = 0; i < decimals; i++)
    {
      digits[--at] = (char) ('0' + r % 10);
      r /= 10;
    }
  if (decimals > 0)
    digits[--at] = '.';
  do
    {
      digits[--at] = (char) ('0' + r % 10);
      r /= 10;
    }
  while (r);
  if (negative)
    digits[--at] = '-';
  size_t n = sizeof digits - at;
  memcpy (buf, digits + at, n);
  buf[n] = '\0';
  return n;
}

/* The largest |X| * 10^DECIMALS the fast paths take: below it a double's error is under 1e-7,
   so a fraction more than 1e-6 away from one half rounds the same way as the exact value. */
#define FAST_SCALED_LIMIT 1e9

int
findings_format_fixed (char *buf, size_t size, double x, int decimals)
{
  static const double scale[] = { 1, 10, 100, 1000 };
  if (size >= 32 && decimals >= 0 && decimals <= 3 && isfinite (x))
    {
      double y = fabs (x) * scale[decimals];
      if (y < FAST_SCALED_LIMIT)
        {
          uint64_t whole = (uint64_t) y;
          double frac = y - (double) whole;
          /* printf rounds the exact binary value, ties to even; near a tie, let it decide. */
          if (fabs (frac - 0.5) > 1e-6)
            return (int) put_scaled (buf, signbit (x), whole + (frac > 0.5), decimals);
        }
    }
  return snprintf (buf, size, "%.*f", decimals, x);
}

int
findings_format_g (char *buf, size_t size, double x)
{
  /* Values with at most two decimals below 1000, such as rule weights and scores: "%g" (six
     significant digits) writes them exactly, without trailing zeros. */
  if (size >= 32 && isfinite (x) && fabs (x) < 1000)
    {
      double y = fabs (x) * 100;
      uint64_t r = (uint64_t) (y + 0.5);
      if (fabs (y - (double) r) <= 1e-7 && (r > 0 || x == 0))
        {
          int decimals = r % 100 == 0 ? 0 : r % 10 == 0 ? 1 : 2;
          return (int) put_scaled (buf, signbit (x), decimals == 0 ? r / 100
                                   : decimals == 1 ? r / 10 : r, decimals);
        }
    }
  return snprintf (buf, size, "%g", x);
}

static char *
copy_range (const char *s, size_t len)
{
  char *p = malloc (len + 1);
  if (p)
    {
      memcpy (p, s, len);
      p[len] = '\0';
    }
  return p;
}

/* A set's distinct rule ids and classes: an open-addressing hash table of copies.  A 1 MB message
   has tens of thousands of findings but a handful of names, so copying each name once instead of
   per finding saves two allocations and two frees a finding. */
struct findings_names
{
  size_t used, size;            /* SIZE is a power of two, at least twice USED */
  char *recent[2];              /* the last rule id and class asked for: usually asked again */
  char *slot[];                 /* a copy, or NULL for an empty slot */
};

/* FNV-1a: the names are short identifiers, and any spread will do for a few of them. */
static size_t
name_hash (const char *s)
{
  size_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    h = (h ^ *p) * 16777619u;
  return h;
}

static void
names_free (struct findings_names *t)
{
  if (!t)
    return;
  for (size_t i = 0; i < t->size; i++)
    free (t->slot[i]);
  free (t);
}

/* An empty table of SIZE slots (a power of two), or NULL on ENOMEM. */
static struct findings_names *
names_new (size_t size)
{
  struct findings_names *t = calloc (1, sizeof *t + size * sizeof t->slot[0]);
  if (t)
    t->size = size;
  return t;
}

/* The slot of T where NAME is, or the empty one where it would go. */
static char **
names_slot (struct findings_names *t, const char *name)
{
  size_t mask = t->size - 1;
  for (size_t i = name_hash (name) & mask;; i = (i + 1) & mask)
    if (!t->slot[i] || strcmp (t->slot[i], name) == 0)
      return &t->slot[i];
}

/* F's copy of NAME, made on first use; NULL on ENOMEM.  KIND says which recent name to try first
   (0 rule id, 1 class). */
static char *
names_intern (struct findings *f, const char *name, int kind)
{
  if (!f->names && !(f->names = names_new (16)))
    return NULL;
  struct findings_names *t = f->names;
  if (t->recent[kind] && strcmp (t->recent[kind], name) == 0)
    return t->recent[kind];
  char **at = names_slot (t, name);
  if (*at)
    return t->recent[kind] = *at;
  if (2 * (t->used + 1) > t->size)
    {
      if (t->size > SIZE_MAX / 4 / sizeof t->slot[0])
        return NULL;
      struct findings_names *bigger = names_new (2 * t->size);
      if (!bigger)
        return NULL;
      for (size_t i = 0; i < t->size; i++)
        if (t->slot[i])
          *names_slot (bigger, t->slot[i]) = t->slot[i];
      bigger->used = t->used;
      memcpy (bigger->recent, t->recent, sizeof t->recent);
      free (t);
      f->names = t = bigger;
      at = names_slot (t, name);
    }
  if (!(*at = strdup (name)))
    return NULL;
  t->used++;
  return t->recent[kind] = *at;
}

int
findings_add (struct findings *f, const char *body, const char *rule, const char *cls,
              enum finding_severity severity, unsigned flags, uint32_t off, uint32_t len)
{
  if (f->n == f->cap)
    {
      size_t cap = f->cap ? 2 * f->cap : 16;
      struct finding *v = realloc (f->v, cap * sizeof *v);
      if (!v)
        return -1;
      f->v = v;
      f->cap = cap;
    }
  struct finding *x = &f->v[f->n];
  memset (x, 0, sizeof *x);
  x->rule = names_intern (f, rule, 0);
  x->cls = x->rule ? names_intern (f, cls ? cls : "", 1) : NULL;
  x->match = x->cls ? copy_range (body ? body + off : "", body ? len : 0) : NULL;
  if (!x->match)
    {
      errno = ENOMEM;
      return -1;
    }
  x->severity = severity;
  x->flags = flags;
  x->off = off;
  x->len = len;
  f->n++;
  return 0;
}

/* The rule and class belong to the set: only the match is the finding's own. */
static void
finding_release (struct finding *x)
{
  free (x->match);
}

void
findings_clear (struct findings *f)
{
  for (size_t i = 0; i < f->n; i++)
    finding_release (&f->v[i]);
  f->n = 0;
  names_free (f->names);
  f->names = NULL;
}

static int
compare_findings (const void *a, const void *b)
{
  const struct finding *x = a, *y = b;
  if (x->off != y->off)
    return x->off < y->off ? -1 : 1;
  int c = strcmp (x->rule, y->rule);
  if (c)
    return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

/* Sort the N findings at V stably by compare_findings, merging the ascending runs they already
   form: each detector and rule reports in body order, so a message's findings are a few runs,
   and two or three merge passes sort them.  A stable sort has one result, the one glibc's
   qsort (a stable merge sort) gave.  False if there is no memory for the merge. */
static bool
merge_runs (struct finding *v, size_t n)
{
  struct finding *tmp = malloc (n * sizeof *tmp);
  if (!tmp)
    return false;
  struct finding *from = v, *to = tmp;
  for (;;)
    {
      size_t runs = 0;
      for (size_t i = 0; i < n; runs++)
        {
          size_t mid = i + 1;
          while (mid < n && compare_findings (&from[mid - 1], &from[mid]) <= 0)
            mid++;
          size_t end = mid;
          if (end < n)
            for (end++; end < n && compare_findings (&from[end - 1], &from[end]) <= 0; end++)
              ;
          /* Among equal findings the left run's come first. */
          size_t a = i, b = mid, o = i;
          while (a < mid && b < end)
            to[o++] = compare_findings (&from[b], &from[a]) < 0 ? from[b++] : from[a++];
          while (a < mid)
            to[o++] = from[a++];
          while (b < end)
            to[o++] = from[b++];
          i = end;
        }
      struct finding *swap = from;
      from = to;
      to = swap;
      if (runs <= 1)
        break;
    }
  if (from != v)
    memcpy (v, from, n * sizeof *v);
  free (tmp);
  return true;
}

void
findings_sort (struct findings *f)
{
  if (f->n < 2)
    return;
  /* Detectors often report in body order already: then there is nothing to do. */
  bool sorted = true;
  for (size_t i = 1; i < f->n && sorted; i++)
    sorted = compare_findings (&f->v[i - 1], &f->v[i]) <= 0;
  if (!sorted && !merge_runs (f->v, f->n))
    qsort (f->v, f->n, sizeof *f->v, compare_findings);
  size_t kept = 1;
  for (size_t i = 1; i < f->n; i++)
    {
      struct finding *prev = &f->v[kept - 1];
      if (compare_findings (prev, &f->v[i]) == 0)
        finding_release (&f->v[i]);
      else
        f->v[kept++] = f->v[i];
    }
  f->n = kept;
}

size_t
findings_counted (const struct findings *f)
{
  size_t n = 0;
  for (size_t i = 0; i < f->n; i++)
    n += !(f->v[i].flags & (FIND_QUOTED | FIND_ALLOWED));
  return n;
}

char *
findings_escape (const char *s)
{
  size_t len = 0;
  for (const char *p = s; *p; p++)
    len += (*p == '\\' || *p == '\t' || *p == '\n' || *p == '\r') ? 2 : 1;
  char *out = malloc (len + 1), *q = out;
  if (!out)
    return NULL;
  for (const char *p = s; *p; p++)
    switch (*p)
      {
      case '\\': *q++ = '\\'; *q++ = '\\'; break;
      case '\t': *q++ = '\\'; *q++ = 't'; break;
      case '\n': *q++ = '\\'; *q++ = 'n'; break;
      case '\r': *q++ = '\\'; *q++ = 'r'; break;
      default: *q++ = *p;
      }
  *q = '\0';
  return out;
}

void
findings_unescape (char *s)
{
  char *q = s;
  for (char *p = s; *p; p++)
    {
      if (*p == '\\' && p[1])
        {
          p++;
          *q++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
        }
      else
        *q++ = *p;
    }
  *q = '\0';
}

static const char *
flags_name (unsigned flags)
{
  switch (flags & (FIND_QUOTED | FIND_ALLOWED))
    {
    case FIND_QUOTED: return "quoted";
    case FIND_ALLOWED: return "allowed";
    case FIND_QUOTED | FIND_ALLOWED: return "quoted,allowed";
    default: return "-";
    }
}

/* Records on their way to OUT, gathered in BUF so that writing them costs an fwrite per few
   KB instead of a call per byte and a printf per number (a 1 MB message has tens of thousands
   of findings).  Nothing is allocated, so nothing can fail but the writing, which the caller
   learns from ferror. */
struct tsv_out
{
  FILE *out;
  size_t n;
  char buf[4096];
};

/* Start gathering records for OUT.  Not an initializer: that would clear the 4 KB buffer on
   every call, which cost more than writing a verdict record. */
static void
tsv_begin (struct tsv_out *o, FILE *out)
{
  o->out = out;
  o->n = 0;
}

static void
tsv_put (struct tsv_out *o, const char *s, size_t n)
{
  if (n > sizeof o->buf - o->n)
    {
      fwrite (o->buf, 1, o->n, o->out);
      o->n = 0;
      if (n > sizeof o->buf)
        {
          fwrite (s, 1, n, o->out);
          return;
        }
    }
  memcpy (o->buf + o->n, s, n);
  o->n += n;
}

static void
tsv_puts (struct tsv_out *o, const char *s)
{
  tsv_put (o, s, strlen (s));
}

/* Add S escaped for a TSV field (backslash, tab, newline and carriage return as \\, \t, \n,
   \r): a field must never break the one-record-per-line promise. */
static void
tsv_field (struct tsv_out *o, const char *s)
{
  for (;;)
    {
      size_t run = strcspn (s, "\\\t\n\r");
      tsv_put (o, s, run);
      s += run;
      switch (*s)
        {
        case '\0': return;
        case '\\': tsv_put (o, "\\\\", 2); break;
        case '\t': tsv_put (o, "\\t", 2); break;
        case '\n': tsv_put (o, "\\n", 2); break;
        default: tsv_put (o, "\\r", 2); break;
        }
      s++;
    }
}

/* Add V in decimal, as %lu writes it. */
static void
tsv_ulong (struct tsv_out *o, unsigned long v)
{
  char digits[32];
  size_t at = sizeof digits;
  do
    {
      digits[--at] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v);
  tsv_put (o, digits + at, sizeof digits - at);
}

int
findings_write_tsv (FILE *out, const char *label, const char *tool, const struct findings *f)
{
  struct tsv_out o;
  tsv_begin (&o, out);
  /* Most findings share their weight with the one before: print it when it changes. */
  char weight_text[64] = "";
  double weight_of_text = 0;
  bool have_weight = false;
  for (size_t i = 0; i < f->n; i++)
    {
      const struct finding *x = &f->v[i];
      if (!have_weight || memcmp (&weight_of_text, &x->weight, sizeof x->weight) != 0)
        {
          findings_format_g (weight_text, sizeof weight_text, x->weight);
          weight_of_text = x->weight;
          have_weight = true;
        }
      tsv_put (&o, "F\t", 2);
      tsv_field (&o, label);
      tsv_put (&o, "\t", 1);
      tsv_ulong (&o, x->line);
      tsv_put (&o, ":", 1);
      tsv_ulong (&o, x->col);
      tsv_put (&o, "\t", 1);
      tsv_field (&o, tool);
      tsv_put (&o, "\t", 1);
      tsv_field (&o, x->rule);
      tsv_put (&o, "\t", 1);
      tsv_field (&o, x->cls);
      tsv_put (&o, "\t", 1);
      tsv_puts (&o, severity_name (x->severity));
      tsv_put (&o, "\t", 1);
      tsv_puts (&o, flags_name (x->flags));
      tsv_put (&o, "\t", 1);
      tsv_puts (&o, weight_text);
      tsv_put (&o, "\t", 1);
      tsv_field (&o, x->match);
      tsv_put (&o, "\n", 1);
    }
  fwrite (o.buf, 1, o.n, out);
  return ferror (out) ? -1 : 0;
}

int
findings_write_verdict_tsv (FILE *out, const char *label, const char *tool,
                            const char *verdict, double score, const char *details)
{
  struct tsv_out o;
  tsv_begin (&o, out);
  char score_text[64], number[32];
  int n = findings_format_fixed (number, sizeof number, score, 1);
  if (n >= 0 && (size_t) n < sizeof number)
    {
      score_text[0] = '\t';
      memcpy (score_text + 1, number, n);
      memcpy (score_text + 1 + n, "\t", 2);
    }
  else
    snprintf (score_text, sizeof score_text, "\t%.1f\t", score);
  tsv_put (&o, "V\t", 2);
  tsv_field (&o, label);
  tsv_put (&o, "\t", 1);
  tsv_field (&o, tool);
  tsv_put (&o, "\t", 1);
  tsv_field (&o, verdict);
  tsv_puts (&o, score_text);
  tsv_field (&o, details ? details : "");
  tsv_put (&o, "\n", 1);
  fwrite (o.buf, 1, o.n, out);
  return ferror (out) ? -1 : 0;
}

/* In the human format a match is shown on one line: line breaks become spaces. */
static void
put_oneline (FILE *out, const char *s)
{
  for (; *s; s++)
    putc (*s == '\n' || *s == '\t' || *s == '\r' ? ' ' : *s, out);
}

int
findings_write_text (FILE *out, const char *label, const struct findings *f)
{
  for (size_t i = 0; i < f->n; i++)
    {
      const struct finding *x = &f->v[i];
      fprintf (out, "%s:%lu:%lu: %s: ", label, x->line, x->col, x->rule);
      put_oneline (out, x->match);
      if (x->flags & (FIND_QUOTED | FIND_ALLOWED))
        fprintf (out, " (%s)", flags_name (x->flags));
      putc ('\n', out);
    }
  return ferror (out) ? -1 : 0;
}

static void
put_json_string (FILE *out, const char *s)
{
  putc ('"', out);
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        fprintf (out, "\\%c", *p);
      else if (*p == '\n')
        fputs ("\\n", out);
      else if (*p == '\t')
        fputs ("\\t", out);
      else if (*p < 0x20)
        fprintf (out, "\\u%04x", *p);
      else
        putc (*p, out);
    }
  putc ('"', out);
}

int
findings_write_json (FILE *out, const char *label, const char *tool, const struct findings *f)
{
  for (size_t i = 0; i < f->n; i++)
    {
      const struct finding *x = &f->v[i];
      fputs ("{\"file\":", out);
      put_json_string (out, label);
      fprintf (out, ",\"line\":%lu,\"column\":%lu,\"tool\":", x->line, x->col);
      put_json_string (out, tool);
      fputs (",\"rule\":", out);
      put_json_string (out, x->rule);
      fputs (",\"class\":", out);
      put_json_string (out, x->cls);
      fprintf (out, ",\"severity\":\"%s\",\"quoted\":%s,\"allowed\":%s,\"weight\":%g,\"match\":",
               severity_name (x->severity), x->flags & FIND_QUOTED ? "true" : "false",
               x->flags & FIND_ALLOWED ? "true" : "false", x->weight);
      put_json_string (out, x->match);
      fputs ("}\n", out);
    }
  return ferror (out) ? -1 : 0;
}

int
findings_write_verdict_json (FILE *out, const char *label, const char *tool,
                             const char *verdict, double score, const char *details)
{
  fputs ("{\"file\":", out);
  put_json_string (out, label);
  fputs (",\"tool\":", out);
  put_json_string (out, tool);
  fputs (",\"verdict\":", out);
  put_json_string (out, verdict);
  fprintf (out, ",\"score\":%.1f,\"details\":", score);
  put_json_string (out, details ? details : "");
  fputs ("}\n", out);
  return ferror (out) ? -1 : 0;
}

/* Split LINE at tabs into at most MAX fields; return how many there were. */
static size_t
split_tabs (char *line, char **field, size_t max)
{
  size_t n = 0;
  field[n++] = line;
  for (char *p = line; *p && n < max; p++)
    if (*p == '\t')
      {
        *p = '\0';
        field[n++] = p + 1;
      }
  return n;
}

/* Read a 1-based line or column: digits only, no sign, no more than a file can have. */
static int
parse_position (const char *s, char **end, unsigned long *out)
{
  if (!c_isdigit (*s))
    return -1;
  errno = 0;
  unsigned long v = strtoul (s, end, 10);
  if (errno || v == 0 || v > FINDINGS_MAX_POSITION)
    return -1;
  *out = v;
  return 0;
}

int
findings_parse_line (char *line, struct findings_record *r)
{
  memset (r, 0, sizeof *r);
  if (line[0] == '\0' || line[0] == '#')
    return 0;
  char *field[10];
  size_t n = split_tabs (line, field, 10);
  for (size_t i = 0; i < n; i++)
    findings_unescape (field[i]);
  if (strcmp (field[0], "F") == 0 && n == 10)
    {
      char *end;
      r->kind = 'F';
      r->label = field[1];
      if (parse_position (field[2], &end, &r->f.line) < 0 || *end != ':'
          || parse_position (end + 1, &end, &r->f.col) < 0 || *end)
        return -1;
      r->tool = field[3];
      r->f.rule = field[4];
      r->f.cls = field[5];
      if (severity_from_name (field[6], &r->f.severity) < 0)
        return -1;
      r->f.flags = (strstr (field[7], "quoted") ? FIND_QUOTED : 0)
                   | (strstr (field[7], "allowed") ? FIND_ALLOWED : 0);
      r->f.weight = strtod (field[8], &end);
      if (*end)
        return -1;
      r->f.match = field[9];
      return 1;
    }
  if (strcmp (field[0], "V") == 0 && n == 6)
    {
      char *end;
      r->kind = 'V';
      r->label = field[1];
      r->tool = field[2];
      r->verdict = field[3];
      r->score = strtod (field[4], &end);
      if (*end)
        return -1;
      r->details = field[5];
      return 1;
    }
  return -1;
}
