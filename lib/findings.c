/* findings.c: the findings record, its tab-separated stream, the GNU-style and JSON forms. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "findings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "c-ctype.h"
#include "severity-names.h"

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
  x->rule = strdup (rule);
  x->cls = strdup (cls ? cls : "");
  x->match = copy_range (body ? body + off : "", body ? len : 0);
  if (!x->rule || !x->cls || !x->match)
    {
      free (x->rule);
      free (x->cls);
      free (x->match);
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

static void
finding_release (struct finding *x)
{
  free (x->rule);
  free (x->cls);
  free (x->match);
}

void
findings_clear (struct findings *f)
{
  for (size_t i = 0; i < f->n; i++)
    finding_release (&f->v[i]);
  f->n = 0;
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

void
findings_sort (struct findings *f)
{
  if (f->n < 2)
    return;
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

/* Write S escaped for a TSV field; a field must never break the one-record-per-line promise. */
static int
put_field (FILE *out, const char *s)
{
  for (; *s; s++)
    {
      int r;
      switch (*s)
        {
        case '\\': r = fputs ("\\\\", out); break;
        case '\t': r = fputs ("\\t", out); break;
        case '\n': r = fputs ("\\n", out); break;
        case '\r': r = fputs ("\\r", out); break;
        default: r = putc (*s, out);
        }
      if (r == EOF)
        return -1;
    }
  return 0;
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

int
findings_write_tsv (FILE *out, const char *label, const char *tool, const struct findings *f)
{
  for (size_t i = 0; i < f->n; i++)
    {
      const struct finding *x = &f->v[i];
      fputs ("F\t", out);
      put_field (out, label);
      fprintf (out, "\t%lu:%lu\t", x->line, x->col);
      put_field (out, tool);
      putc ('\t', out);
      put_field (out, x->rule);
      putc ('\t', out);
      put_field (out, x->cls);
      fprintf (out, "\t%s\t%s\t%g\t", severity_name (x->severity), flags_name (x->flags), x->weight);
      put_field (out, x->match);
      if (putc ('\n', out) == EOF)
        return -1;
    }
  return ferror (out) ? -1 : 0;
}

int
findings_write_verdict_tsv (FILE *out, const char *label, const char *tool,
                            const char *verdict, double score, const char *details)
{
  fputs ("V\t", out);
  put_field (out, label);
  putc ('\t', out);
  put_field (out, tool);
  putc ('\t', out);
  put_field (out, verdict);
  fprintf (out, "\t%.1f\t", score);
  put_field (out, details ? details : "");
  putc ('\n', out);
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
