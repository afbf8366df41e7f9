/* test-annotate.c: the pass-through annotator: new fields, folding, line ends, forgeries, bytes. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "annotate.h"
#include "c-strcase.h"
#include "msg.h"
#include "unit.h"

/* Annotate RAW[0..LEN) as one message; return the output (NUL-terminated, free it), its length
   in *OUT_LEN and annotate_build's status in *STATUS. */
static char *
annotated (const char *raw, size_t len, const struct annotate_fields *a, size_t *out_len,
           int *status)
{
  struct msg m;
  if (msg_parse (&m, raw, len) < 0)
    {
      fprintf (stderr, "msg_parse failed\n");
      exit (1);
    }
  char *out;
  *status = annotate_build (&m, a, &out, out_len);
  msg_free (&m);
  if (*status < 0)
    return NULL;
  char *z = malloc (*out_len + 1);
  memcpy (z, out, *out_len);
  z[*out_len] = '\0';
  free (out);
  return z;
}

/* The header block of OUT (up to and including the first empty line, or all of it). */
static size_t
header_end (const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if ((s[i] == '\n' && i + 1 < len && s[i + 1] == '\n')
        || (i + 3 < len && memcmp (s + i, "\r\n\r\n", 4) == 0))
      return i;
  return len;
}

/* Check that every line of S[0..LEN) fits ANNOTATE_FOLD_WIDTH columns, a tab counted as 8. */
static bool
lines_fit (const char *s, size_t len)
{
  size_t col = 0;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '\n' || s[i] == '\r')
      col = 0;
    else if ((col += s[i] == '\t' ? 8 : 1) > ANNOTATE_FOLD_WIDTH)
      return false;
  return true;
}

/* The value of the field NAME in the header of S, unfolded (line ends removed); free it. */
static char *
unfolded_field (const char *s, const char *name)
{
  size_t n = strlen (name);
  const char *p = s;
  while (p && strncmp (p, name, n) != 0)
    {
      p = strchr (p, '\n');
      p = p ? p + 1 : NULL;
    }
  if (!p)
    return NULL;
  p += n;
  char *v = malloc (strlen (p) + 1);
  size_t k = 0;
  for (; *p; p++)
    {
      if (*p == '\r')
        continue;
      if (*p == '\n')
        {
          if (p[1] != '\t' && p[1] != ' ')
            break;
          continue;
        }
      v[k++] = *p;
    }
  v[k] = '\0';
  return v;
}

/* Whether field F of the message RAW is one of annotate's. */
static bool
owned (const char *raw, const struct msg_field *f)
{
  return f->raw_len >= 11 && c_strncasecmp (raw + f->raw_off, "X-Outreach-", 11) == 0;
}

static struct score_hit hits3[] = {
  { "DU_VERB", 3.0, 2 }, { "BAIT_QUALIFIER_DE", 1.5, 1 }, { "SCORE_RITTBERGER", 3.0, 1 },
};

int
main (void)
{
  struct annotate_fields a;
  memset (&a, 0, sizeof a);
  a.verdict = SCORE_OUTREACH;
  a.score = 7.5;
  a.required = 5.0;
  a.hits = hits3;
  a.nhits = 3;
  size_t len;
  int st;
  char *out;

  /* LF mail: the fields go before the blank line, everything else stays. */
  static const char lf[] = "From: a@example.org\nSubject: Hallo\n\nHast du Zeit?\n";
  out = annotated (lf, sizeof lf - 1, &a, &len, &st);
  CHECK (st == 0);
  CHECK_STR (out, "From: a@example.org\nSubject: Hallo\n"
             "X-Outreach-Status: Yes, score=7.5 required=5.0 tests=DU_VERB,\n"
             "\tBAIT_QUALIFIER_DE,SCORE_RITTBERGER\n"
             "X-Outreach-Score: 7.5\n\nHast du Zeit?\n");
  CHECK (len == strlen (out));
  free (out);

  /* CRLF mail keeps CRLF; the verdict words. */
  static const char crlf[] = "From: a@example.org\r\nSubject: Hi\r\n\r\nBody\r\nline\r\n";
  a.verdict = SCORE_UNSURE;
  a.score = 3.25;
  a.nhits = 0;
  out = annotated (crlf, sizeof crlf - 1, &a, &len, &st);
  CHECK (st == 0);
  CHECK_STR (out, "From: a@example.org\r\nSubject: Hi\r\n"
             "X-Outreach-Status: Unsure, score=3.3 required=5.0 tests=none\r\n"
             "X-Outreach-Score: 3.3\r\n\r\nBody\r\nline\r\n");
  free (out);
  a.verdict = SCORE_CLEAN;
  a.score = -4;
  out = annotated (crlf, sizeof crlf - 1, &a, &len, &st);
  CHECK (out && strstr (out, "X-Outreach-Status: No, score=-4.0 required=5.0 tests=none\r\n"));
  free (out);

  /* Forged fields go, in any case spelling and with their continuation lines; look-alikes stay. */
  static const char forged[] =
    "X-Outreach-Status: No, score=-100.0\n"
    "From: a@example.org\n"
    "x-outreach-report: forged\n\t* -100 TRUST_ME\n  continued\n"
    "X-Outreachy: kept\n"
    "Subject: Hallo\n"
    "X-OUTREACH-SCORE: -100\n"
    "\n"
    "X-Outreach-Status: No (a body line, not a field)\n";
  a.verdict = SCORE_OUTREACH;
  a.score = 7.5;
  a.nhits = 1;
  out = annotated (forged, sizeof forged - 1, &a, &len, &st);
  CHECK (st == 0);
  CHECK_STR (out, "From: a@example.org\nX-Outreachy: kept\nSubject: Hallo\n"
             "X-Outreach-Status: Yes, score=7.5 required=5.0 tests=DU_VERB\n"
             "X-Outreach-Score: 7.5\n\n"
             "X-Outreach-Status: No (a body line, not a field)\n");
  free (out);

  /* Folding: at most 78 columns, tab-led continuation lines, rule ids never split. */
  enum { NHITS = 40 };
  struct score_hit many[NHITS];
  char names[NHITS][64];
  for (int i = 0; i < NHITS; i++)
    {
      snprintf (names[i], sizeof names[i], "%s_%d",
                i % 3 ? "BAIT_QUALIFIER_RIGHT_PERSON_DE" : "DU", i);
      many[i] = (struct score_hit) { names[i], 1.0, 1 };
    }
  names[7][0] = '\0';           /* an empty id still leaves a well-formed list */
  strcpy (names[8], "EVIL,ID\nX-Injected: 1");
  a.hits = many;
  a.nhits = NHITS;
  a.score = -123.45;
  out = annotated (crlf, sizeof crlf - 1, &a, &len, &st);
  CHECK (st == 0);
  size_t hl = header_end (out, len);
  CHECK (lines_fit (out, hl));
  CHECK (!strstr (out, "X-Injected: 1\r\n"));
  CHECK (!strstr (out, "\r\n\r\n\t"));
  {
    /* Every continuation line starts with a tab, and every line ends in CRLF. */
    const char *status = strstr (out, "X-Outreach-Status: Yes, score=-123.5 required=5.0 ");
    CHECK (status != NULL);
    const char *score = strstr (out, "\r\nX-Outreach-Score: -123.5\r\n\r\n");
    CHECK (score != NULL);
    int folds = 0;
    for (const char *p = status; p && score && p < score; p++)
      if (*p == '\n')
        {
          CHECK (p[-1] == '\r' && p[1] == '\t');
          folds++;
        }
      else if (*p == '\r')
        CHECK (p[1] == '\n');
    CHECK (folds >= 10);
    char *v = unfolded_field (out, "X-Outreach-Status:");
    char *tests = v ? strstr (v, "tests=") : NULL;
    CHECK (tests != NULL);
    if (tests)
      {
        /* Unfolded, the list is the ids in order, separated by ',' and folding white space. */
        char *save, *item = strtok_r (tests + 6, ",", &save);
        for (int i = 0; i < NHITS; i++, item = strtok_r (NULL, ",", &save))
          {
            while (item && (*item == '\t' || *item == ' '))
              item++;
            const char *want = i == 7 ? "_" : i == 8 ? "EVIL_ID_X-Injected__1" : names[i];
            CHECK (item && strcmp (item, want) == 0);
          }
        CHECK (item == NULL);
      }
    free (v);
  }
  CHECK (strcmp (out + len - 12, "Body\r\nline\r\n") == 0);
  free (out);

  /* The report: one line per rule, German text as encoded words, still within 78 columns. */
  char rpath[] = "/tmp/rb-annotate-XXXXXX";
  int fd = mkstemp (rpath);
  if (fd < 0)
    return 77;
  static const char rules_text[] =
    "rule DU_VERB\ntool detect-duzen\nside beziehung\nweight 3\n"
    "describe-de Unaufgefordertes Du: der Absender duzt eine Fremde, für die er ein Fremder ist, "
    "und begründet es nicht; Grüße aus Köln ändern daran nichts.\n"
    "describe-en Unasked informal address: the sender uses du with a stranger.\n"
    "rule BAIT_QUALIFIER_DE\ntool detect-bait-question\nside selbst\nweight 1.5\n"
    "describe-de Qualifizierungsfrage.\ndescribe-en Qualifier question: "
    "https://example.org/a/very/long/address/that/does/not/fit/on/one/line/at/all/really\n";
  if (write (fd, rules_text, sizeof rules_text - 1) != (ssize_t) sizeof rules_text - 1)
    return 77;
  close (fd);
  struct ruleset rs = { 0 };
  char err[256];
  CHECK (rules_load_file (&rs, rpath, err, sizeof err) == 0);
  unlink (rpath);
  a.hits = hits3;
  a.nhits = 3;
  a.score = 7.5;
  a.report = true;
  a.rules = &rs;
  a.lang = 0;
  out = annotated (lf, sizeof lf - 1, &a, &len, &st);
  CHECK (st == 0);
  hl = header_end (out, len);
  CHECK (lines_fit (out, hl));
  for (size_t i = 0; i < hl; i++)
    CHECK ((unsigned char) out[i] < 0x80);
  CHECK (strstr (out, "\nX-Outreach-Report:\n\t* 3.0 DU_VERB Unaufgefordertes Du: der Absender"));
  char *report = unfolded_field (out, "X-Outreach-Report:");
  CHECK (report && strstr (report, "Fremde,\t  =?UTF-8?Q?f=C3=BCr?= die"));
  CHECK (report && strstr (report, "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus\t  "
                           "=?UTF-8?Q?K=C3=B6ln_=C3=A4ndern?="));
  free (report);
  CHECK (strstr (out, "\n\t* 1.5 BAIT_QUALIFIER_DE Qualifizierungsfrage.\n"
                 "\t* 3.0 SCORE_RITTBERGER\n\n"));
  CHECK (strstr (out, "\n\t  ") != NULL);      /* a rule's text continues indented */
  CHECK (strcmp (out + len - 16, "\n\nHast du Zeit?\n") == 0);
  free (out);
  a.lang = 1;
  out = annotated (lf, sizeof lf - 1, &a, &len, &st);
  hl = header_end (out, len);
  CHECK (lines_fit (out, hl));
  CHECK (strstr (out, "* 3.0 DU_VERB Unasked informal address: the sender uses du with a\n"
                 "\t  stranger.\n"));
  /* Too long to stay plain: split into encoded words, which decoders join without a space. */
  CHECK (strstr (out, "Qualifier question:\n\t  =?UTF-8?Q?https=3A//example=2Eorg/a/very/long/"
                 "address/that?=\n\t  =?UTF-8?Q?/does/not/"));
  free (out);
  a.nhits = 0;
  out = annotated (lf, sizeof lf - 1, &a, &len, &st);
  CHECK (strstr (out, "\nX-Outreach-Report: none\n\n"));
  free (out);
  a.report = false;
  a.rules = NULL;
  rules_free (&rs);

  /* Header only, no blank line: fields at the end, no body invented. */
  static const char header_only[] = "From: a@example.org\nSubject: x\n";
  out = annotated (header_only, sizeof header_only - 1, &a, &len, &st);
  CHECK (st == 0);
  CHECK_STR (out, "From: a@example.org\nSubject: x\n"
             "X-Outreach-Status: Yes, score=7.5 required=5.0 tests=none\nX-Outreach-Score: 7.5\n");
  free (out);
  static const char no_newline[] = "From: a@example.org\r\nSubject: x";
  out = annotated (no_newline, sizeof no_newline - 1, &a, &len, &st);
  CHECK (st == 0);
  /* The last field ends the input without a line end: the fields go before it, so that the
     output is the input plus whole lines and not one byte more. */
  CHECK_STR (out, "From: a@example.org\r\n"
             "X-Outreach-Status: Yes, score=7.5 required=5.0 tests=none\r\n"
             "X-Outreach-Score: 7.5\r\nSubject: x");
  free (out);
  static const char forged_last[] = "From: a@example.org\nX-Outreach-Status: No";
  out = annotated (forged_last, sizeof forged_last - 1, &a, &len, &st);
  CHECK_STR (out, "From: a@example.org\n"
             "X-Outreach-Status: Yes, score=7.5 required=5.0 tests=none\nX-Outreach-Score: 7.5\n");
  free (out);
  /* Empty body. */
  static const char no_body[] = "From: a@example.org\nSubject: x\n\n";
  out = annotated (no_body, sizeof no_body - 1, &a, &len, &st);
  CHECK (st == 0 && len > 2 && strcmp (out + len - 3, "5\n\n") == 0);
  free (out);

  /* Old Mac line ends. */
  static const char cr[] = "From: a@example.org\rSubject: x\r\rBody\r";
  out = annotated (cr, sizeof cr - 1, &a, &len, &st);
  CHECK (st == 0);
  CHECK_STR (out, "From: a@example.org\rSubject: x\r"
             "X-Outreach-Status: Yes, score=7.5 required=5.0 tests=none\rX-Outreach-Score: 7.5\r"
             "\rBody\r");
  free (out);

  /* Plain text has no header: unchanged, status 1. */
  static const char text[] = "Hallo Anna,\nhast du kurz Zeit?\nX-Outreach-Status: No\n";
  out = annotated (text, sizeof text - 1, &a, &len, &st);
  CHECK (st == 1 && len == sizeof text - 1 && memcmp (out, text, len) == 0);
  free (out);
  out = annotated ("", 0, &a, &len, &st);
  CHECK (st == 1 && len == 0);
  free (out);

  /* The body is copied byte for byte: NULs, invalid UTF-8, bare CRs, 1 MB without a line end. */
  size_t big = 1 << 20;
  char *odd = malloc (big + 64);
  size_t hlen = (size_t) sprintf (odd, "From: a@example.org\nSubject: y\n\n");
  for (size_t i = hlen; i < big; i++)
    odd[i] = (char) (i * 7919 % 251);
  out = annotated (odd, big, &a, &len, &st);
  CHECK (st == 0);
  size_t added = len - big;
  CHECK (len > big && memcmp (out, odd, hlen - 1) == 0
         && memcmp (out + hlen - 1 + added, odd + hlen - 1, big - hlen + 1) == 0);
  free (out);
  free (odd);

  /* mbox: each message is annotated alone; the caller writes the From line; ">From" stays. */
  static const char mbox[] =
    "From a@example.org Mon Jan  1 00:00:00 2026\nFrom: a@example.org\nSubject: 1\n\n"
    ">From the start\n\n"
    "From b@example.org Mon Jan  1 00:00:00 2026\nFrom: b@example.org\nSubject: 2\n\nzwei\n";
  struct msg_input *in = msg_input_from_buffer (mbox, sizeof mbox - 1);
  struct msg m;
  char *joined;
  size_t joined_len;
  FILE *mem = open_memstream (&joined, &joined_len);
  int n = 0;
  while (msg_input_next (in, &m) == 1)
    {
      fwrite (m.from_line, 1, m.from_line_len, mem);
      CHECK (annotate_write (mem, &m, &a) == 0);
      msg_free (&m);
      n++;
    }
  msg_input_close (in);
  fclose (mem);
  CHECK (n == 2);
  CHECK_STR (joined,
             "From a@example.org Mon Jan  1 00:00:00 2026\nFrom: a@example.org\nSubject: 1\n"
             "X-Outreach-Status: Yes, score=7.5 required=5.0 tests=none\nX-Outreach-Score: 7.5\n\n"
             ">From the start\n\n"
             "From b@example.org Mon Jan  1 00:00:00 2026\nFrom: b@example.org\nSubject: 2\n"
             "X-Outreach-Status: Yes, score=7.5 required=5.0 tests=none\nX-Outreach-Score: 7.5\n"
             "\nzwei\n");
  free (joined);

  /* Inconsistent field ranges: an error, and nothing written, so the caller can fall back. */
  CHECK (msg_parse (&m, lf, sizeof lf - 1) == 0);
  size_t saved = m.fields[1].raw_off;
  m.fields[1].raw_off = 2;
  mem = open_memstream (&joined, &joined_len);
  errno = 0;
  CHECK (annotate_write (mem, &m, &a) == -1 && errno == EINVAL && !ferror (mem));
  fclose (mem);
  CHECK (joined_len == 0);
  free (joined);
  m.fields[1].raw_off = saved;
  m.header_len = m.raw_len + 1;
  CHECK (annotate_build (&m, &a, &out, &len) == -1 && out == NULL);
  msg_free (&m);

  /* From a score result. */
  struct score_result res = { SCORE_UNSURE, 4.0, 6.0, 3.0, hits3, 2 };
  annotate_fields_from_result (&a, &res);
  CHECK (a.verdict == SCORE_UNSURE && a.score == 4.0 && a.required == 6.0 && a.nhits == 2
         && !a.report);
  out = annotated (lf, sizeof lf - 1, &a, &len, &st);
  CHECK (strstr (out, "X-Outreach-Status: Unsure, score=4.0 required=6.0 tests=DU_VERB,\n"
                 "\tBAIT_QUALIFIER_DE\n"));
  free (out);

  /* Random messages built from the pieces that matter (field starts, folds, every line end, forged
     names, NUL, 8-bit bytes): the output parses as mail with the input's other fields in order,
     byte for byte, exactly one X-Outreach-Status, and the input's body as its tail. */
  static const char *const pieces[] = {
    "From: a@b.c", "Subject: x", "X-Outreach-Status: Yes", "x-outreach-score: 1", "X-Outreachy: 2",
    "\n", "\r\n", "\r", "\n\t folded", "\r\n folded", "\n\n", "\r\n\r\n", "body", " ", ":",
    "\0", "\xc3\xa4", "\xff", "From ", "X-Outreach-", "a",
  };
  unsigned seed = 12345;
  a.report = true;
  int failures_before = unit_failures;
  for (int iter = 0; iter < 20000 && unit_failures == failures_before; iter++)
    {
      char in[512];
      size_t n = 0;
      int count = 1 + (seed = seed * 1103515245 + 12345) % 24;
      for (int k = 0; k < count; k++)
        {
          seed = seed * 1103515245 + 12345;
          const char *p = pieces[(seed >> 8) % (sizeof pieces / sizeof *pieces)];
          size_t plen = *p ? strlen (p) : 1;
          memcpy (in + n, p, plen);
          n += plen;
        }
      struct msg mi, mo;
      CHECK (msg_parse (&mi, in, n) == 0);
      char *o;
      size_t olen;
      st = annotate_build (&mi, &a, &o, &olen);
      CHECK (st == (mi.kind == MSG_MAIL ? 0 : 1));
      if (st == 1)
        CHECK (olen == n && memcmp (o, in, n) == 0);
      if (st == 0)
        {
          size_t body = mi.header_len;
          /* The body: whatever follows the header block, unchanged. */
          CHECK (olen >= n - body && memcmp (o + olen - (n - body), in + body, n - body) == 0);
          CHECK (msg_parse (&mo, o, olen) == 0);
          CHECK (mo.kind == MSG_MAIL);
          size_t statuses = 0, j = 0;
          for (size_t i = 0; i < mo.nfields; i++)
            {
              const struct msg_field *fo = &mo.fields[i];
              if (owned (o, fo))
                {
                  statuses += c_strncasecmp (o + fo->raw_off, "X-Outreach-Status:", 18) == 0;
                  continue;
                }
              while (j < mi.nfields && owned (in, &mi.fields[j]))
                j++;
              /* The same field, though the last one may have gained a line end. */
              const struct msg_field *fi = j < mi.nfields ? &mi.fields[j++] : NULL;
              CHECK (fi && fo->raw_len >= fi->raw_len
                     && memcmp (o + fo->raw_off, in + fi->raw_off, fi->raw_len) == 0);
            }
          while (j < mi.nfields && owned (in, &mi.fields[j]))
            j++;
          CHECK (j == mi.nfields);
          CHECK (statuses == 1);
          msg_free (&mo);
          if (unit_failures != failures_before)
            {
              fprintf (stderr, "random message %d:\n", iter);
              fwrite (in, 1, n, stderr);
              fprintf (stderr, "\n--- annotated:\n");
              fwrite (o, 1, olen, stderr);
            }
        }
      free (o);
      msg_free (&mi);
    }

  UNIT_EXIT ();
}
