/* annotate.c: the pass-through copy of a message with score-outreach's X-Outreach-* fields. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "annotate.h"
#include "strbuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "c-ctype.h"
#include "c-strcase.h"

/* Columns a continuation line's leading tab is counted as (the widest reading of 78 columns). */
#define TAB_COLUMNS 8

/* Longest rule id written into a header; longer ones (only from a findings stream) are cut. */
#define ID_MAX 64

/* Longest RFC 2047 encoded word written: it must fit after a report line's indentation. */
#define ENCODED_WORD_MAX 60

/* A plain word longer than this is written as encoded words so it can be split across lines. */
#define PLAIN_WORD_MAX 60

/* A header field being written, folded as it grows. */
struct folder
{
  struct strbuf *b;
  const char *eol;
  const char *indent;           /* what a continuation line has after its tab */
  size_t col;                   /* columns on the current line so far */
};

enum sep
{
  SEP_NONE,                     /* glued to what precedes: never a line break here */
  SEP_SPACE,                    /* a space, or a line break and a tab instead of it */
  SEP_BREAK,                    /* nothing, or a line break and a tab */
};

/* Append TOKEN after separator SEP, folding first if it would not fit on the current line and
   the line holds more than its indentation. */
static void
fold_put (struct folder *f, enum sep sep, const char *token, size_t len)
{
  size_t sep_len = sep == SEP_SPACE;
  size_t line_start = TAB_COLUMNS + strlen (f->indent);
  if (sep != SEP_NONE && f->col > line_start
      && f->col + sep_len + len > ANNOTATE_FOLD_WIDTH)
    {
      strbuf_str (f->b, f->eol);
      strbuf_add (f->b, "\t", 1);
      strbuf_str (f->b, f->indent);
      f->col = line_start;
    }
  else if (sep == SEP_SPACE)
    {
      strbuf_add (f->b, " ", 1);
      f->col++;
    }
  strbuf_add (f->b, token, len);
  f->col += len;
}

/* Start a new line of the current field, beginning with a tab and then INDENT. */
static void
fold_newline (struct folder *f, const char *indent)
{
  strbuf_str (f->b, f->eol);
  strbuf_add (f->b, "\t", 1);
  strbuf_str (f->b, indent);
  f->col = TAB_COLUMNS + strlen (indent);
}

/* Copy rule id ID into OUT (ID_MAX + 1 bytes) keeping only characters that cannot break the
   field's syntax, so an id read from a findings stream cannot inject header lines. */
static size_t
safe_id (const char *id, char *out)
{
  size_t n = 0;
  for (; *id && n < ID_MAX; id++)
    out[n++] = (c_isalnum (*id) || *id == '_' || *id == '-' || *id == '.') ? *id : '_';
  if (n == 0)
    out[n++] = '_';
  out[n] = '\0';
  return n;
}

static void
write_status (struct folder *f, const struct annotate_fields *a)
{
  char num[32], token[64];
  f->indent = "";
  const char *word = score_verdict_word (a->verdict);
  strbuf_str (f->b, "X-Outreach-Status: ");
  strbuf_str (f->b, word);
  strbuf_add (f->b, ",", 1);
  f->col = strlen ("X-Outreach-Status: ") + strlen (word) + 1;
  snprintf (token, sizeof token, "score=%s", score_format (a->score, num));
  fold_put (f, SEP_SPACE, token, strlen (token));
  snprintf (token, sizeof token, "required=%s", score_format (a->required, num));
  fold_put (f, SEP_SPACE, token, strlen (token));
  if (a->nhits == 0)
    fold_put (f, SEP_SPACE, "tests=none", strlen ("tests=none"));
  for (size_t i = 0; i < a->nhits; i++)
    {
      /* "tests=" stays glued to the first id, each comma to the id before it. */
      char item[ID_MAX + 16];
      size_t n = 0;
      if (i == 0)
        {
          memcpy (item, "tests=", 6);
          n = 6;
        }
      n += safe_id (a->hits[i].rule, item + n);
      if (i + 1 < a->nhits)
        item[n++] = ',';
      fold_put (f, i == 0 ? SEP_SPACE : SEP_BREAK, item, n);
    }
  strbuf_str (f->b, f->eol);
}

/* Whether the byte may stand for itself inside a Q-encoded word (RFC 2047 5(3), conservatively). */
static bool
q_literal (unsigned char c)
{
  return c_isalnum (c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

/* Write S[0..LEN) as UTF-8 Q-encoded words, splitting only between characters. */
static void
put_encoded (struct folder *f, const char *s, size_t len)
{
  static const char prefix[] = "=?UTF-8?Q?";
  static const char hex[] = "0123456789ABCDEF";
  char word[ENCODED_WORD_MAX + 1];
  size_t i = 0;
  while (i < len)
    {
      size_t n = sizeof prefix - 1;
      memcpy (word, prefix, n);
      /* Add whole characters while the word and its "?=" still fit. */
      while (i < len)
        {
          size_t clen = 1;
          if ((unsigned char) s[i] >= 0xC0)
            while (clen < 4 && i + clen < len && ((unsigned char) s[i + clen] & 0xC0) == 0x80)
              clen++;
          char piece[12];
          size_t plen = 0;
          for (size_t k = 0; k < clen; k++)
            {
              unsigned char c = s[i + k];
              if (c == ' ')
                piece[plen++] = '_';
              else if (q_literal (c))
                piece[plen++] = c;
              else
                {
                  piece[plen++] = '=';
                  piece[plen++] = hex[c >> 4];
                  piece[plen++] = hex[c & 15];
                }
            }
          if (n + plen + 2 > ENCODED_WORD_MAX && n > sizeof prefix - 1)
            break;
          memcpy (word + n, piece, plen);
          n += plen;
          i += clen;
        }
      word[n++] = '?';
      word[n++] = '=';
      /* White space between two encoded words vanishes when decoded, so breaking here is free. */
      fold_put (f, SEP_SPACE, word, n);
    }
}

static bool
plain_word (const char *s, size_t len)
{
  if (len > PLAIN_WORD_MAX)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = s[i];
      if (c < 0x21 || c > 0x7e || (c == '=' && i + 1 < len && s[i + 1] == '?'))
        return false;
    }
  return true;
}

static bool
is_space (unsigned char c)
{
  /* Control characters count as space: a description never carries line structure. */
  return c <= 0x20 || c == 0x7f;
}

/* Append the description TEXT as words, folding between them; runs of words that are not plain
   ASCII become encoded words together, so the spaces between them survive decoding. */
static void
put_description (struct folder *f, const char *text)
{
  const char *p = text;
  while (*p)
    {
      while (*p && is_space (*p))
        p++;
      if (!*p)
        break;
      const char *w = p;
      while (*p && !is_space (*p))
        p++;
      if (plain_word (w, p - w))
        {
          fold_put (f, SEP_SPACE, w, p - w);
          continue;
        }
      /* Extend the run over the following words that need encoding too. */
      const char *run_end = p;
      for (;;)
        {
          const char *q = run_end;
          while (*q && is_space (*q))
            q++;
          const char *e = q;
          while (*e && !is_space (*e))
            e++;
          if (e == q || plain_word (q, e - q))
            break;
          run_end = e;
        }
      /* Collapse the white space inside the run to single spaces. */
      size_t len = run_end - w;
      char *run = malloc (len + 1);
      if (!run)
        {
          f->b->failed = true;
          return;
        }
      size_t n = 0;
      for (const char *c = w; c < run_end; c++)
        if (!is_space (*c))
          run[n++] = *c;
        else if (n > 0 && run[n - 1] != ' ')
          run[n++] = ' ';
      put_encoded (f, run, n);
      free (run);
      p = run_end;
    }
}

static void
write_report (struct folder *f, const struct annotate_fields *a)
{
  strbuf_str (f->b, a->nhits ? "X-Outreach-Report:" : "X-Outreach-Report: none");
  int lang = a->lang == 1 ? 1 : 0;
  for (size_t i = 0; i < a->nhits; i++)
    {
      char num[32], id[ID_MAX + 1];
      /* A rule's text continues indented past the "* " of its first line. */
      f->indent = "";
      fold_newline (f, "* ");
      f->indent = "  ";
      score_format (a->hits[i].points, num);
      fold_put (f, SEP_NONE, num, strlen (num));
      fold_put (f, SEP_SPACE, id, safe_id (a->hits[i].rule, id));
      const struct rule *r = a->rules ? rules_find (a->rules, a->hits[i].rule) : NULL;
      const char *text = r ? (r->describe[lang] ? r->describe[lang] : r->describe[1 - lang]) : NULL;
      if (text)
        put_description (f, text);
    }
  strbuf_str (f->b, f->eol);
}

/* The line end style of a single terminator S[0..LEN) ("\r\n", "\n" or "\r"), or NULL. */
static const char *
eol_of (const char *s, size_t len)
{
  if (len >= 2 && s[len - 2] == '\r' && s[len - 1] == '\n')
    return "\r\n";
  if (len >= 1 && s[len - 1] == '\n')
    return "\n";
  if (len >= 1 && s[len - 1] == '\r')
    return "\r";
  return NULL;
}

/* The line end for the inserted fields.  It must be the blank line's: a lone CR written before a
   blank line of "\n" would make the two one CRLF, and the header would swallow the body.  With no
   blank line, the last field's line end, else the first line's, else LF. */
static const char *
insert_eol (const struct msg *m, size_t pos)
{
  const char *eol = pos < m->header_len ? eol_of (m->raw + pos, m->header_len - pos) : NULL;
  if (!eol && pos > 0)
    eol = eol_of (m->raw, pos);
  for (size_t i = 0; !eol && i < m->header_len; i++)
    if (m->raw[i] == '\n')
      eol = "\n";
    else if (m->raw[i] == '\r')
      eol = i + 1 < m->header_len && m->raw[i + 1] == '\n' ? "\r\n" : "\r";
  return eol ? eol : "\n";
}

static bool
owned_field (const struct msg *m, const struct msg_field *fld)
{
  /* Judge by the raw bytes, not the decoded name, so every spelling on the wire is caught. */
  size_t n = strlen (ANNOTATE_FIELD_PREFIX);
  return fld->raw_len >= n && c_strncasecmp (m->raw + fld->raw_off, ANNOTATE_FIELD_PREFIX, n) == 0;
}

void
annotate_fields_from_result (struct annotate_fields *a, const struct score_result *res)
{
  memset (a, 0, sizeof *a);
  a->verdict = res->verdict;
  a->score = res->score;
  a->required = res->threshold;
  a->hits = res->hits;
  a->nhits = res->nhits;
}

int
annotate_build (const struct msg *m, const struct annotate_fields *a, char **out, size_t *out_len)
{
  struct strbuf b = { 0 };
  *out = NULL;
  *out_len = 0;
  int added = m->kind == MSG_MAIL && m->header_len > 0 && m->nfields > 0;

  if (added)
    {
      /* msg.c promises sorted, disjoint field ranges inside the header block; check, since a
         broken promise here would corrupt mail instead of merely misreading it. */
      size_t pos = 0;
      if (m->header_len > m->raw_len)
        goto invalid;
      for (size_t i = 0; i < m->nfields; i++)
        {
          const struct msg_field *fld = &m->fields[i];
          if (fld->raw_off < pos || fld->raw_len > m->header_len
              || fld->raw_off > m->header_len - fld->raw_len)
            goto invalid;
          pos = fld->raw_off + fld->raw_len;
        }
    }

  if (!added)
    strbuf_add (&b, m->raw, m->raw_len);
  else
    {
      size_t pos = 0, last_kept = 0;
      for (size_t i = 0; i < m->nfields; i++)
        {
          const struct msg_field *fld = &m->fields[i];
          strbuf_add (&b, m->raw + pos, fld->raw_off - pos);
          if (!owned_field (m, fld))
            {
              last_kept = b.len;
              strbuf_add (&b, m->raw + fld->raw_off, fld->raw_len);
            }
          pos = fld->raw_off + fld->raw_len;
        }
      const char *eol = insert_eol (m, pos);
      struct strbuf fields = { 0 };
      struct folder f = { &fields, eol, "", 0 };
      write_status (&f, a);
      char num[32];
      strbuf_str (&fields, "X-Outreach-Score: ");
      strbuf_str (&fields, score_format (a->score, num));
      strbuf_str (&fields, eol);
      if (a->report)
        write_report (&f, a);
      fields.failed |= !fields.s;
      b.failed |= fields.failed;
      if (b.len > 0 && b.s[b.len - 1] != '\n' && b.s[b.len - 1] != '\r' && !b.failed)
        {
          /* A header-only message may end inside its last field.  The new fields go before
             that field, so that the output is still the input plus whole added lines. */
          size_t tail = b.len - last_kept;
          strbuf_add (&b, fields.s, fields.len);
          if (!b.failed)
            {
              memmove (b.s + last_kept + fields.len, b.s + last_kept, tail);
              memcpy (b.s + last_kept, fields.s, fields.len);
            }
        }
      else
        strbuf_add (&b, fields.s, fields.len);
      free (fields.s);
      strbuf_add (&b, m->raw + pos, m->raw_len - pos);
    }

  if (!b.s && !b.failed && !(b.s = malloc (1)))
    b.failed = true;
  if (b.failed)
    {
      free (b.s);
      errno = ENOMEM;
      return -1;
    }
  *out = b.s;
  *out_len = b.len;
  return added ? 0 : 1;

invalid:
  errno = EINVAL;
  return -1;
}

int
annotate_write (FILE *out, const struct msg *m, const struct annotate_fields *a)
{
  char *s;
  size_t len;
  int r = annotate_build (m, a, &s, &len);
  if (r < 0)
    return -1;
  size_t written = len ? fwrite (s, 1, len, out) : 0;
  int saved = errno;
  free (s);
  if (written != len)
    {
      errno = saved ? saved : EIO;
      return -1;
    }
  return r;
}
