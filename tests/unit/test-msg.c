/* test-msg.c: unit tests for the msg module: input kinds, MIME decoding, charsets, positions. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "base64.h"
#include "c-ctype.h"
#include "c-strcase.h"
#include "charset.h"
#include "mime.h"
#include "msg.h"

static int failures;

#define CHECK(cond)                                                     \
  do                                                                    \
    {                                                                   \
      if (!(cond))                                                      \
        {                                                               \
          printf ("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
          failures++;                                                   \
        }                                                               \
    }                                                                   \
  while (0)

#define CHECK_STR(got, want)                                            \
  do                                                                    \
    {                                                                   \
      const char *g_ = (got), *w_ = (want);                             \
      if (!g_ || strcmp (g_, w_) != 0)                                  \
        {                                                               \
          printf ("%s:%d: %s\n  got:  \"%s\"\n  want: \"%s\"\n", __FILE__, __LINE__, #got, \
                  g_ ? g_ : "(null)", w_);                              \
          failures++;                                                   \
        }                                                               \
    }                                                                   \
  while (0)

#define CHECK_POS(m, word, want_line, want_col)                         \
  do                                                                    \
    {                                                                   \
      const char *w_ = strstr ((m)->body, (word));                      \
      if (!w_)                                                          \
        {                                                               \
          printf ("%s:%d: \"%s\" not in body\n", __FILE__, __LINE__, (word)); \
          failures++;                                                   \
          break;                                                        \
        }                                                               \
      struct msg_pos p_ = msg_position ((m), w_ - (m)->body);           \
      if (p_.line != (want_line) || p_.col != (want_col))               \
        {                                                               \
          printf ("%s:%d: position of \"%s\": got %lu:%lu, want %d:%d\n", __FILE__, __LINE__, \
                  (word), p_.line, p_.col, (want_line), (want_col));   \
          failures++;                                                   \
        }                                                               \
    }                                                                   \
  while (0)

/* Parse S and check the invariants every decoded message must keep. */
static void
parse_len (struct msg *m, const char *s, size_t len)
{
  if (msg_parse (m, s, len) != 0)
    {
      printf ("msg_parse failed on \"%.40s\"\n", s);
      failures++;
      memset (m, 0, sizeof *m);
      m->body = (char *) "";
      return;
    }
  CHECK (m->body[m->body_len] == '\0');
  CHECK (u8_check ((const uint8_t *) m->body, m->body_len) == NULL);
  CHECK (memchr (m->body, '\r', m->body_len) == NULL);
  CHECK (strlen (m->body) == m->body_len);
  for (size_t i = 0; i <= m->body_len; i++)
    if (m->src[i] > len)
      {
        printf ("src[%zu] = %u beyond %zu\n", i, m->src[i], len);
        failures++;
        break;
      }
  for (size_t i = 0; i < m->nfields; i++)
    CHECK (u8_check ((const uint8_t *) m->fields[i].value, strlen (m->fields[i].value)) == NULL);
}

static void
parse (struct msg *m, const char *s)
{
  parse_len (m, s, strlen (s));
}

static void
done (struct msg *m)
{
  if (m->src)
    msg_free (m);
}

static void
test_detection (void)
{
  static const char *const dms[] = {
    "Hallo: kurze Frage\n\nHast du Zeit?\n",
    "Re: dein Profil\n\nIch habe dein Profil gesehen.\n",
    "Hey Kora: bist du noch auf der Suche?\n",
    "Hallo: kurze Frage\n",
  };
  struct msg m;
  for (size_t i = 0; i < sizeof dms / sizeof *dms; i++)
    {
      parse (&m, dms[i]);
      CHECK (m.kind == MSG_TEXT);
      CHECK (m.header_len == 0);
      CHECK (m.nfields == 0);
      CHECK_STR (m.body, dms[i]);
      CHECK (!msg_looks_like_mail (dms[i], strlen (dms[i])));
      done (&m);
    }

  const char *mail = "From: Anna <anna@example.org>\nTo: kora@example.org\n"
    "Subject: Hallo\nDate: Mon, 2 Mar 2026 10:00:00 +0100\n\nHallo Kora,\nwie geht's?\n";
  parse (&m, mail);
  CHECK (m.kind == MSG_MAIL);
  CHECK (m.header_len == (size_t) (strstr (mail, "\n\n") + 2 - mail));
  CHECK (m.nfields == 4);
  CHECK_STR (m.body, "Hallo Kora,\nwie geht's?\n");
  CHECK_STR (msg_header (&m, "subject"), "Hallo");
  CHECK_STR (msg_header (&m, "FROM"), "Anna <anna@example.org>");
  CHECK (msg_header (&m, "Cc") == NULL);
  CHECK (m.fields[1].raw_off == strlen ("From: Anna <anna@example.org>\n"));
  CHECK (m.fields[1].raw_len == strlen ("To: kora@example.org\n"));
  CHECK_STR (m.fields[1].name, "To");
  done (&m);

  /* A header block that reaches the end of the input is still one. */
  parse (&m, "From: a@example.org\nSubject: nur Kopf\n");
  CHECK (m.kind == MSG_MAIL);
  CHECK (m.body_len == 0);
  done (&m);

  /* Field-like lines running straight into prose without a blank line are text. */
  parse (&m, "From: a@example.org\nSubject: Frage\nHallo, wie geht's?\n");
  CHECK (m.kind == MSG_TEXT);
  CHECK (m.body_len == strlen ("From: a@example.org\nSubject: Frage\nHallo, wie geht's?\n"));
  done (&m);

  /* Two fields of any name make a header block; one uncommon one does not. */
  CHECK (msg_looks_like_mail ("Foo: 1\nBar: 2\n\nbody", 19));
  CHECK (!msg_looks_like_mail ("Foo: 1\n\nbody", 12));
  CHECK (msg_looks_like_mail ("X-Mailer: 1\n\nbody", 17));
  CHECK (!msg_looks_like_mail ("", 0));
  CHECK (!msg_looks_like_mail ("\nFrom: a\n\n", 10));

  /* Continuation lines are unfolded. */
  parse (&m, "Subject: eine\n  lange\n\tZeile\nFrom: x\n\nText\n");
  CHECK (m.kind == MSG_MAIL);
  CHECK_STR (msg_header (&m, "Subject"), "eine  lange Zeile");
  CHECK (m.fields[0].raw_len == strlen ("Subject: eine\n  lange\n\tZeile\n"));
  done (&m);

  /* Empty input is an empty text. */
  parse_len (&m, "", 0);
  CHECK (m.kind == MSG_TEXT && m.body_len == 0);
  done (&m);
}

static void
test_transfer_encodings (void)
{
  struct msg m;
  parse (&m, "Subject: a\nContent-Transfer-Encoding: 7bit\n\nplain words\n");
  CHECK_STR (m.body, "plain words\n");
  done (&m);

  parse (&m, "Subject: a\nContent-Type: text/plain; charset=utf-8\n"
         "Content-Transfer-Encoding: 8bit\n\nGr\xc3\xbc\xc3\x9f" "e\n");
  CHECK_STR (m.body, "Grüße\n");
  done (&m);

  parse (&m, "Subject: a\nContent-Type: text/plain; charset=utf-8\n"
         "Content-Transfer-Encoding: quoted-printable\n\n"
         "Gr=C3=BC=C3=9Fe aus der Stadt, die sehr lang=\n"
         "e Zeilen hat. 1+1=3D2 =ZZ bleibt =\r\nso=20\n=\n");
  CHECK_STR (m.body, "Grüße aus der Stadt, die sehr lange Zeilen hat. 1+1=2 =ZZ bleibt so \n");
  done (&m);

  /* Lower-case hex and a lone '=' at the very end. */
  parse (&m, "Subject: a\nContent-Transfer-Encoding: Quoted-Printable\n\nx=3dy z=");
  CHECK_STR (m.body, "x=y z");
  done (&m);

  parse (&m, "Subject: a\nContent-Type: text/plain; charset=utf-8\n"
         "Content-Transfer-Encoding: base64\n\nSGFsbG8gV2VsdCwg\nR3LDvMOfZSE=\n");
  CHECK_STR (m.body, "Hallo Welt, Grüße!");
  done (&m);

  /* Truncated: the last quantum lacks its padding and a whole line is missing. */
  parse (&m, "Subject: a\nContent-Transfer-Encoding: base64\n\nSGFsbG8gV2VsdA");
  CHECK_STR (m.body, "Hallo Welt");
  done (&m);
  parse (&m, "Subject: a\nContent-Transfer-Encoding: base64\n\nSGFsbG8!!gV2V\nsdA*\n");
  CHECK_STR (m.body, "Hallo Welt");
  done (&m);
  /* Garbage after padding must not crash or lose what came before. */
  parse (&m, "Subject: a\nContent-Transfer-Encoding: base64\n\nSGk=\nSGk=\n====\nA\n");
  CHECK (strncmp (m.body, "HiHi", 4) == 0);
  done (&m);
}

static void
test_charsets (void)
{
  struct msg m;
  parse (&m, "Subject: a\nContent-Type: text/plain; charset=\"ISO-8859-1\"\n\nSch\xf6n, \x80 5\n");
  CHECK_STR (m.body, "Schön, € 5\n");
  CHECK (m.warning == NULL);
  done (&m);

  /* Unlabelled 8-bit text that is not UTF-8 is Windows-1252. */
  parse (&m, "Subject: a\n\n\x93Gr\xfc\xdf" "e\x94 \x96 Anna\n");
  CHECK_STR (m.body, "“Grüße” – Anna\n");
  done (&m);
  parse (&m, "Hallo M\xfcller,\nwie geht\x92s?\n");
  CHECK (m.kind == MSG_TEXT);
  CHECK_STR (m.body, "Hallo Müller,\nwie geht’s?\n");
  done (&m);

  /* A us-ascii label on UTF-8 bytes: the bytes win. */
  parse (&m, "Subject: a\nContent-Type: text/plain; charset=us-ascii\n\nK\xc3\xb6ln\n");
  CHECK_STR (m.body, "Köln\n");
  done (&m);

  /* Bogus labels fall back and say so. */
  parse (&m, "Subject: a\nContent-Type: text/plain; charset=default_charset\n\nK\xf6ln\n");
  CHECK_STR (m.body, "Köln\n");
  CHECK (m.warning && strstr (m.warning, "unknown charset default_charset"));
  done (&m);
  parse (&m, "Subject: a\nContent-Type: text/plain; charset=unknown-8bit\n\nK\xc3\xb6ln\n");
  CHECK_STR (m.body, "Köln\n");
  CHECK (m.warning != NULL);
  done (&m);
  parse (&m, "Subject: a\nContent-Type: text/plain; charset=x-unknown\n\nabc\n");
  CHECK_STR (m.body, "abc\n");
  done (&m);

  /* Other charsets go through iconv; a bad byte becomes U+FFFD, not an error. */
  parse (&m, "Subject: a\nContent-Type: text/plain; charset=koi8-r\n\n\xf0\xd2\xc9\xd7\xc5\xd4!\n");
  CHECK_STR (m.body, "Привет!\n");
  done (&m);
  parse (&m, "Subject: a\nContent-Type: text/plain; charset=shift_jis\n\n\x82\xa0x\x81\n");
  CHECK (strncmp (m.body, "あx", strlen ("あx")) == 0);
  done (&m);

  /* UTF-8 with one stray Latin-1 byte keeps its UTF-8. */
  parse (&m, "Gr\xc3\xbc\xc3\x9f" "e und \xe4 und \xc3\xa4\xc3\xb6\n");
  CHECK_STR (m.body, "Grüße und ä und äö\n");
  done (&m);

  /* NFC: a decomposed umlaut is composed. */
  parse (&m, "Mu\xcc\x88ller und Me\xcc\x81lanie\n");
  CHECK_STR (m.body, "Müller und Mélanie\n");
  CHECK_POS (&m, "und", 1, 9);
  CHECK_POS (&m, "Mélanie", 1, 13);
  done (&m);

  /* NUL bytes go, CRLF and lone CR become '\n'. */
  parse_len (&m, "a\0b\r\nc\rd\n", 9);
  CHECK_STR (m.body, "ab\nc\nd\n");
  done (&m);
}

/* charset_nfc_stable against the tables of the libunistring linked in, for every code point:
   a stable character has combining class 0, NFC maps it to itself, it is never the second half
   of a composition, and neither is the first character of its decomposition. */
static void
test_nfc_stable_table (void)
{
  enum { CODE_POINTS = 0x110000 };
  bool *second = calloc (CODE_POINTS, sizeof *second);
  if (!second)
    {
      puts ("test_nfc_stable_table: out of memory");
      failures++;
      return;
    }
  for (ucs4_t p = 0; p < CODE_POINTS; p++)
    {
      ucs4_t parts[UC_DECOMPOSITION_MAX_LENGTH];
      int tag;
      if (uc_decomposition (p, &tag, parts) == 2 && tag == UC_DECOMP_CANONICAL
          && uc_composition (parts[0], parts[1]) == p)
        second[parts[1]] = true;
    }
  unsigned long stable = 0, bad = 0;
  for (ucs4_t uc = 0; uc < CODE_POINTS; uc++)
    {
      if (uc >= 0xD800 && uc < 0xE000)
        continue;
      if (!charset_nfc_stable (uc))
        continue;
      stable++;
      bool ok = uc_combining_class (uc) == 0 && !second[uc];
      ucs4_t full[UC_DECOMPOSITION_MAX_LENGTH];
      if (ok && uc_canonical_decomposition (uc, full) > 0)
        {
          uint8_t in[4], out[16];
          int n = u8_uctomb (in, uc, sizeof in);
          size_t outlen = sizeof out;
          uint8_t *r = u8_normalize (UNINORM_NFC, in, n, out, &outlen);
          ok = r && outlen == (size_t) n && memcmp (r, in, n) == 0
            && uc_combining_class (full[0]) == 0 && !second[full[0]];
          if (r && r != out)
            free (r);
        }
      if (!ok && bad++ < 10)
        printf ("charset_nfc_stable (U+%04X) is true, but NFC may change it\n", (unsigned) uc);
    }
  if (bad)
    failures++;
  /* Everything up to U+02FF, and most of the rest, is stable; the marks are not. */
  CHECK (stable > 1000000);
  CHECK (charset_nfc_stable ('a') && charset_nfc_stable (0xE9) && charset_nfc_stable (0x3002));
  CHECK (!charset_nfc_stable (0x301) && !charset_nfc_stable (0x212B)
         && !charset_nfc_stable (0x1161) && !charset_nfc_stable (0x0958));
  free (second);
}

static void
test_nfc (void)
{
  struct msg m;
  test_nfc_stable_table ();

  /* Text in NFC stays as it is, every character keeping its offset, also characters beyond
     the common blocks (ideographic full stop, not-equal sign, Vietnamese letters). */
  static const char qp[] = "Content-Transfer-Encoding: quoted-printable\n\n"
    "a=E3=80=82b=E2=89=A0c=E1=BB=87\n";
  parse (&m, qp);
  CHECK_STR (m.body, "a\xe3\x80\x82" "b\xe2\x89\xa0" "c\xe1\xbb\x87\n");
  size_t body_at = strstr (qp, "a=E3") - qp;
  for (size_t i = 1; i < 4; i++)
    CHECK (m.src[i] == body_at + 1);
  CHECK (m.src[4] == body_at + 10 && m.src[5] == body_at + 11);
  done (&m);

  /* What NFC changes is changed: compositions, singletons, exclusions, reordered marks, Hangul
     jamo, also next to characters that are stable. */
  parse (&m, "e\xcc\x81 \xe2\x84\xab \xe0\xa5\x98 \xc3\xa9\xcc\xa3 "
         "\xe1\x84\x80\xe1\x85\xa1 \xe3\x80\x82\n");
  CHECK_STR (m.body, "\xc3\xa9 \xc3\x85 \xe0\xa4\x95\xe0\xa4\xbc \xe1\xba\xb9\xcc\x81 "
             "\xea\xb0\x80 \xe3\x80\x82\n");
  done (&m);
}

/* Check that body byte I of M came from raw offset WANT[I], for every byte and the end. */
static void
check_src (const struct msg *m, const unsigned *want, size_t n, int line)
{
  if (m->body_len + 1 != n)
    {
      printf ("%s:%d: body of %zu bytes, want %zu\n", __FILE__, line, m->body_len, n - 1);
      failures++;
      return;
    }
  for (size_t i = 0; i < n; i++)
    if (m->src[i] != want[i])
      {
        printf ("%s:%d: src[%zu] = %u, want %u\n", __FILE__, line, i, m->src[i], want[i]);
        failures++;
        return;
      }
}

#define CHECK_SRC(m, want) check_src ((m), (want), sizeof (want) / sizeof *(want), __LINE__)

/* The paths that copy runs at once give what byte-by-byte decoding gave, offsets included. */
static void
test_runs (void)
{
  struct msg m;

  /* Quoted-printable: text between escapes is copied; bad escapes stay as they are. */
  parse (&m, "From: a@b\nContent-Transfer-Encoding: quoted-printable\n\n"
         "a=3Db=\nc =XZ x=4 =\n=C3=A4 end=");
  CHECK_STR (m.body, "a=bc =XZ x=4 \xc3\xa4 end");
  static const unsigned qp_src[] = {
    55, 56, 59, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 74, 74, 80, 81, 82, 83, 84,
  };
  CHECK_SRC (&m, qp_src);
  done (&m);

  /* HTML: quotes after '=' protect '>', other quotes do not; words and the spaces between
     them keep their offsets. */
  parse (&m, "From: a@b\nContent-Type: text/html\n\n"
         "<a href=\"x>y\">one</a> <a b='>'>two</a> <a title=\"q>three\n"
         "<p c=d e=\"f\"'g'>four</p><x =\">\">five");
  CHECK_STR (m.body, "one two four\n\nfive\n");
  static const unsigned html_src[] = {
    49, 50, 51, 56, 66, 67, 68, 73, 108, 109, 110, 111, 112, 112, 124, 125, 126, 127, 127, 128,
  };
  CHECK_SRC (&m, html_src);
  done (&m);

  /* A multibyte charset: ASCII runs are copied, other bytes go through iconv one character at
     a time, bad ones becoming U+FFFD. */
  parse (&m, "From: a@b\nContent-Type: text/plain; charset=gbk\n\n"
         "AB\xd6\xd0" "C \xff\xfe D\xd6");
  CHECK_STR (m.body, "AB\xe4\xb8\xad" "C \xef\xbf\xbd\xef\xbf\xbd D\xef\xbf\xbd");
  static const unsigned gbk_src[] = {
    49, 50, 51, 51, 51, 53, 54, 55, 55, 55, 56, 56, 56, 57, 58, 59, 59, 59, 60,
  };
  CHECK_SRC (&m, gbk_src);
  done (&m);

  /* Plain header values: tabs and folds become spaces, leading blanks go, and '=' starts no
     encoded word unless '?' follows. */
  parse (&m, "From: a@b\nSubject:   lead\t tab\r\n  folded = not =?x\nX-Eq: a=?b\n\nbody\n");
  CHECK_STR (msg_header (&m, "Subject"), "lead  tab  folded = not =?x");
  CHECK_STR (msg_header (&m, "X-Eq"), "a=?b");
  done (&m);
}

/* msg_header finds fields through an index by first and last letter and length: it must give
   what a walk over all fields gives, the first of repeated fields, whatever the case, for
   names that share a bucket (X-Mailer and X-Sender share letters and length; X-Ab, a prefix
   of X-Abcda, lands in its bucket too) and for names that are not there. */
static unsigned header_index_state = 7;

static unsigned
header_index_gen (unsigned n)
{
  header_index_state = header_index_state * 1103515245u + 12345u;
  return (header_index_state >> 8) % n;
}

static void
test_header_index (void)
{
  static const char *const names[] = {
    "From", "To", "Cc", "Subject", "Received", "Reply-To", "X-Mailer", "X-Sender", "X-Spam",
    "X-Scan", "Date", "Dkim", "List-Id", "List-Ix", "X", "Y", "XX", "In-Reply-To", "References",
    "Content-Type", "Precedence", "X-Autoreply", "X-Autorespond", "Auto-Submitted",
    "X-Ab", "X-Abcda",
  };
  enum { NNAMES = sizeof names / sizeof *names };
  int mismatches = 0;
  for (int round = 0; round < 2000; round++)
    {
      char mail[8192];
      size_t len = 0;
      unsigned nfields = 1 + header_index_gen (round < 1000 ? 12 : 80);
      for (unsigned f = 0; f < nfields; f++)
        {
          const char *name = names[header_index_gen (NNAMES)];
          for (const char *c = name; *c; c++)
            mail[len++] = header_index_gen (3) == 0 ? (char) c_toupper (*c)
              : header_index_gen (2) ? (char) c_tolower (*c) : *c;
          len += (size_t) snprintf (mail + len, sizeof mail - len, ": v%u\n", f);
        }
      len += (size_t) snprintf (mail + len, sizeof mail - len, "\nbody\n");
      struct msg m;
      parse_len (&m, mail, len);
      for (unsigned q = 0; q < NNAMES + 4; q++)
        {
          char ask[32];
          static const char *const absent[] = { "Fro", "Fromm", "", "-" };
          const char *name = q < NNAMES ? names[q] : absent[q - NNAMES];
          size_t n = strlen (name);
          for (size_t k = 0; k <= n; k++)
            ask[k] = header_index_gen (2) ? (char) c_toupper (name[k]) : name[k];
          const char *want = NULL;
          for (size_t i = 0; i < m.nfields && !want; i++)
            if (c_strcasecmp (m.fields[i].name, ask) == 0)
              want = m.fields[i].value;
          if (msg_header (&m, ask) != want)
            mismatches++;
        }
      done (&m);
    }
  CHECK (mismatches == 0);
}

/* Messages of an mbox, whose headers are read while finding where the message before ends,
   decode as the same bytes do alone. */
static void
test_mbox_lookahead (void)
{
  const char *mbox =
    "From a Thu Jan  1 00:00:00 2026\nFrom: a@b\nSubject: one\n\tfolded\n\nbody\n\n"
    "From b Thu Jan  1 00:00:00 2026\nFrom: c@d\rSubject: lone CR\r\rbody\n\n"
    "From c Thu Jan  1 00:00:00 2026\nX-A: 1\nX-B: 2\n\n"
    "From d Thu Jan  1 00:00:00 2026\r\nFrom: e@f\r\nSubject: =?utf-8?Q?=C3=A4?=\r\n\r\nx\r\n";
  struct msg_input *in = msg_input_from_buffer (mbox, strlen (mbox));
  CHECK (in != NULL);
  if (!in)
    return;
  struct msg m, alone;
  int n = 0;
  while (msg_input_next (in, &m) > 0)
    {
      n++;
      CHECK (msg_parse (&alone, m.raw, m.raw_len) == 0);
      CHECK (m.kind == alone.kind && m.header_len == alone.header_len);
      CHECK (m.nfields == alone.nfields);
      for (size_t i = 0; i < m.nfields && i < alone.nfields; i++)
        {
          CHECK_STR (m.fields[i].name, alone.fields[i].name);
          CHECK_STR (m.fields[i].value, alone.fields[i].value);
          CHECK (m.fields[i].raw_off == alone.fields[i].raw_off
                 && m.fields[i].raw_len == alone.fields[i].raw_len);
        }
      CHECK (m.body_len == alone.body_len && memcmp (m.body, alone.body, m.body_len) == 0
             && memcmp (m.src, alone.src, (m.body_len + 1) * sizeof *m.src) == 0);
      msg_free (&alone);
      msg_free (&m);
    }
  CHECK (n == 4);
  msg_input_close (in);
}

static void
test_rfc2047 (void)
{
  struct msg m;
  parse (&m, "Subject: =?UTF-8?B?SGFsbMO2?= Welt\n"
         "From: =?iso-8859-1?Q?J=FCrgen_M=FCller?= <j@example.org>\n"
         "To: =?iso-8859-1?Q?Gr=FC=DFe_aus?=\n =?iso-8859-1?Q?_Berlin?=\n"
         "Cc: Re: =?utf-8?q?Caf=C3=A9?= morgen =?bogus?x?y?= =?\n"
         "X-Raw: Gr\xfc\xdf" "e\n\nbody\n");
  CHECK_STR (msg_header (&m, "Subject"), "Hallö Welt");
  CHECK_STR (msg_header (&m, "From"), "Jürgen Müller <j@example.org>");
  CHECK_STR (msg_header (&m, "To"), "Grüße aus Berlin");
  CHECK_STR (msg_header (&m, "Cc"), "Re: Café morgen =?bogus?x?y?= =?");
  CHECK_STR (msg_header (&m, "X-Raw"), "Grüße");
  done (&m);

  /* Plain ASCII values take a shorter path; it must trim, unfold and turn tabs into spaces as
     the general one does, and leave "=?", control bytes and 8-bit bytes to the general one. */
  parse (&m, "Subject: \t Hallo\tWelt  \t\r\n"
         "X-Fold: a\r\n\tb\r\n  c\r\n"
         "X-Empty: \t \r\n"
         "X-Eq: a=b ?=? x=\r\n"
         "X-Ctl: a\x01b\r\n"
         "From: x@example.org\r\n\r\nbody\r\n");
  CHECK_STR (msg_header (&m, "Subject"), "Hallo Welt");
  CHECK_STR (msg_header (&m, "X-Fold"), "a b  c");
  CHECK_STR (msg_header (&m, "X-Empty"), "");
  CHECK_STR (msg_header (&m, "X-Eq"), "a=b ?=? x=");
  CHECK_STR (msg_header (&m, "X-Ctl"), "a\x01b");
  done (&m);
}

static void
test_multipart (void)
{
  struct msg m;
  const char *alt =
    "Subject: a\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"b1\"\n\n"
    "preamble\n--b1\nContent-Type: text/html; charset=utf-8\n\n<p>HTML version</p>\n"
    "--b1\nContent-Type: text/plain; charset=utf-8\n\nPlain version\n--b1--\nepilogue\n";
  parse (&m, alt);
  CHECK_STR (m.body, "Plain version");
  CHECK (!m.body_from_html);
  done (&m);

  /* An empty plain alternative gives way to the HTML one. */
  parse (&m, "Subject: a\nContent-Type: multipart/alternative; boundary=b2\n\n--b2\n"
         "Content-Type: text/plain\n\n \n--b2\nContent-Type: text/html\n\n<b>Fett</b> &amp; gut\n"
         "--b2--\n");
  CHECK_STR (m.body, "Fett & gut\n");
  CHECK (m.body_from_html);
  done (&m);

  /* Nested: mixed(alternative(plain, html), text attachment, image, message/rfc822). */
  parse (&m, "Subject: a\nContent-Type: multipart/mixed; boundary=\"outer\"\n\n--outer\n"
         "Content-Type: multipart/alternative; boundary=\"outer-inner\"\n\n--outer-inner\n"
         "Content-Type: text/plain\n\nInner plain\n--outer-inner\nContent-Type: text/html\n\n"
         "<p>Inner html</p>\n--outer-inner--\n\n--outer\n"
         "Content-Type: text/plain; name=x.txt\nContent-Disposition: attachment; filename=x.txt\n\n"
         "Attached text\n--outer\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n"
         "iVBORw0KGgo=\n--outer\nContent-Type: message/rfc822\n\nSubject: fwd\nFrom: b\n\n"
         "Forwarded text\n--outer--\n");
  CHECK_STR (m.body, "Inner plain\n\nForwarded text");
  CHECK (m.warning == NULL);
  done (&m);

  /* No closing boundary: the last part runs to the end, with a warning. */
  parse (&m, "Subject: a\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n\nerster Teil\n"
         "--zz\nContent-Type: text/plain\n\nzweiter Teil ohne Ende\n");
  CHECK_STR (m.body, "erster Teil\n\nzweiter Teil ohne Ende\n");
  CHECK (m.warning && strstr (m.warning, "closing boundary"));
  done (&m);

  /* Boundary parameter missing, or never used: the body is shown as text. */
  parse (&m, "Subject: a\nContent-Type: multipart/mixed\n\nnur Text\n");
  CHECK_STR (m.body, "nur Text\n");
  CHECK (m.warning != NULL);
  done (&m);
  parse (&m, "Subject: a\nContent-Type: multipart/mixed; boundary=nie\n\nnur Text\n");
  CHECK_STR (m.body, "nur Text\n");
  done (&m);

  /* Malformed parameters: RFC 2231 continuations, quotes, escapes, junk. */
  parse (&m, "Subject: a\nContent-Type: multipart/mixed; foo; boundary*0=\"ab\";\n"
         " boundary*1*=c%64; charset*=utf-8''x\n\n--abcd\n\nTeil\n--abcd--\n");
  CHECK_STR (m.body, "Teil");
  done (&m);
  parse (&m, "Subject: a\nContent-Type: multipart/mixed; boundary=\"a\\\"b\n\n--a\"b\n\nTeil\n");
  CHECK_STR (m.body, "Teil\n");
  done (&m);
  parse (&m, "Subject: a\nContent-Type: text/plain; charset=\"\nContent-Type: ;;;=;\"\n\nok\n");
  CHECK_STR (m.body, "ok\n");
  done (&m);
  parse (&m, "Subject: a\nContent-Type: text\n\nok\n");
  CHECK_STR (m.body, "ok\n");
  done (&m);

  /* 10,000 nested multiparts: the deepest are ignored with a warning. */
  {
    size_t depth = 10000, cap = depth * 80 + 100, len = 0;
    char *s = malloc (cap);
    len += sprintf (s + len, "Subject: deep\nContent-Type: multipart/mixed; boundary=b0\n\n");
    for (size_t i = 1; i <= depth; i++)
      len += sprintf (s + len, "--b%zu\nContent-Type: multipart/mixed; boundary=b%zu\n\n",
                      i - 1, i);
    len += sprintf (s + len, "--b%zu\n\ndeep text\n", depth);
    parse_len (&m, s, len);
    CHECK (m.body_len == 0);
    CHECK (m.warning && strstr (m.warning, "nested deeper"));
    done (&m);
    free (s);
  }
}

static void
test_html (void)
{
  struct msg m;
  parse (&m, "Subject: a\nContent-Type: text/html; charset=iso-8859-1\n\n"
         "<html><head><title>T</title><style>p { color: red }</style></head>\n"
         "<body><script>alert('x')</script><p>Gr&uuml;&szlig;e,&nbsp;M&Auml;dchen &amp; "
         "&#228;&#x00FC; &lt;ok&gt;</p><p>Zeile<br>neue   Zeile\n&euro;5 \xe4 &bogus; &#0;"
         "</p><!-- <p>nicht</p> --><div>Ende</div></body></html>\n");
  CHECK_STR (m.body, "Grüße, MÄdchen & äü <ok>\n\nZeile\nneue Zeile €5 ä &bogus; \uFFFD\n\nEnde\n");
  CHECK (m.body_from_html);
  CHECK_POS (&m, "neue", 5, 120);
  done (&m);

  /* Without a Content-Type, a body that starts as HTML is read as HTML. */
  parse (&m, "Subject: a\n\n<HTML><BODY>Hallo <b>Welt</b></BODY></HTML>\n");
  CHECK_STR (m.body, "Hallo Welt\n");
  done (&m);

  /* Broken HTML must not swallow the text or crash. */
  parse (&m, "Subject: a\nContent-Type: text/html\n\n<head><p>Text a<b<i>b</x \"q> < c &#99999999; &#x;"
         "<a href=\"x>y\">link</a>");
  CHECK (strstr (m.body, "Text a") != NULL);
  done (&m);
  parse (&m, "Subject: a\nContent-Type: text/html\n\nvor<script>nie");
  CHECK_STR (m.body, "vor\n");
  done (&m);
}

static void
test_mbox (void)
{
  const char *mbox =
    "From anna@example.org Mon Mar  2 10:00:00 2026\n"
    "From: anna@example.org\nSubject: eins\n\nErste Nachricht.\n\n"
    "From this moment on, not a separator.\n\n"
    "From bernd@example.org Mon Mar  2 11:00:00 2026\n"
    "From: bernd@example.org\nSubject: zwei\n\nZweite Nachricht.\n>From escaped.\n\n"
    "From carla@example.org Mon Mar  2 12:00:00 2026\n"
    "From: carla@example.org\nSubject: drei\n\nDritte Nachricht.\n";
  struct msg_input *in = msg_input_from_buffer (mbox, strlen (mbox));
  CHECK (in != NULL);
  if (!in)
    return;
  CHECK (msg_input_is_mbox (in));
  struct msg m;
  static const char *const subjects[] = { "eins", "zwei", "drei" };
  static const unsigned long first_lines[] = { 2, 10, 17 };
  int n = 0, r;
  while ((r = msg_input_next (in, &m)) > 0)
    {
      if (n < 3)
        {
          CHECK_STR (msg_header (&m, "Subject"), subjects[n]);
          CHECK (m.first_line == first_lines[n]);
          CHECK (m.index == (size_t) n);
          CHECK (m.from_line && strncmp (m.from_line, "From ", 5) == 0);
          CHECK (m.kind == MSG_MAIL);
        }
      if (n == 0)
        {
          CHECK (strstr (m.body, "From this moment") != NULL);
          CHECK_POS (&m, "moment", 7, 11);
        }
      if (n == 1)
        {
          CHECK (strstr (m.body, ">From escaped.") != NULL);
          CHECK_POS (&m, "Zweite", 13, 1);
        }
      if (n == 2)
        CHECK_POS (&m, "Nachricht", 20, 8);
      n++;
      msg_free (&m);
    }
  CHECK (r == 0);
  CHECK (n == 3);
  msg_input_close (in);

  /* A text that merely starts with "From " is no mbox. */
  const char *text = "From what I saw, you are great.\nLet's talk.\n";
  in = msg_input_from_buffer (text, strlen (text));
  CHECK (!msg_input_is_mbox (in));
  CHECK (msg_input_next (in, &m) == 1);
  CHECK (m.kind == MSG_TEXT);
  CHECK_STR (m.body, text);
  msg_free (&m);
  CHECK (msg_input_next (in, &m) == 0);
  msg_input_close (in);
}

static void
test_positions (void)
{
  struct msg m;
  /* Plain text: columns count characters, not bytes. */
  parse (&m, "Erste Zeile\nÄÖÜ schöne Grüße\n\n  Wort am Ende");
  CHECK_POS (&m, "Erste", 1, 1);
  CHECK_POS (&m, "schöne", 2, 5);
  CHECK_POS (&m, "Grüße", 2, 12);
  CHECK_POS (&m, "Wort", 4, 3);
  {
    struct msg_pos end = msg_position (&m, m.body_len);
    CHECK (end.line == 4);
  }
  done (&m);

  /* Quoted-printable: the word after a soft line break is on the next raw line. */
  parse (&m, "Subject: qp\nContent-Transfer-Encoding: quoted-printable\n\n"
         "Hallo K=C3=B6ln und ein sehr langer Satz, der umbricht mit=\n"
         "ten im Wort, und danach Stra=C3=9Fe.\n");
  CHECK_POS (&m, "Köln", 4, 7);
  CHECK_POS (&m, "mitten", 4, 56);
  CHECK_POS (&m, "ten im", 5, 1);
  CHECK_POS (&m, "im Wort", 5, 5);
  CHECK_POS (&m, "Straße", 5, 25);
  CHECK_POS (&m, "ße.", 5, 29);
  done (&m);

  /* Base64: at least the raw line is right. */
  parse (&m, "Subject: b64\nContent-Transfer-Encoding: base64\n\n"
         "ZXJzdGUgWmVpbGUK\nendlaXRlIFplaWxlCg==\n");
  CHECK_STR (m.body, "erste Zeile\nzweite Zeile\n");
  {
    struct msg_pos p = msg_position (&m, strstr (m.body, "zweite") - m.body);
    CHECK (p.line == 5);
  }
  done (&m);

  /* CRLF and CR-only files count lines like LF files. */
  parse (&m, "Subject: crlf\r\nFrom: a\r\n\r\nerste\r\nzweite Zeile\r\n");
  CHECK (m.kind == MSG_MAIL);
  CHECK_STR (m.body, "erste\nzweite Zeile\n");
  CHECK_POS (&m, "Zeile", 5, 8);
  done (&m);
  parse (&m, "eins\rzwei drei\r\rvier");
  CHECK_STR (m.body, "eins\nzwei drei\n\nvier");
  CHECK_POS (&m, "drei", 2, 6);
  CHECK_POS (&m, "vier", 4, 1);
  done (&m);

  /* A stray CR in an LF file ends no line, as for sed; the body still breaks there. */
  parse (&m, "eins\rzwei\ndrei vier\n");
  CHECK_STR (m.body, "eins\nzwei\ndrei vier\n");
  CHECK_POS (&m, "vier", 2, 6);
  CHECK_POS (&m, "zwei", 1, 6);
  done (&m);

  /* Lookups out of order and past the end stay correct. */
  parse (&m, "a b c\nd e f\n");
  CHECK_POS (&m, "f", 2, 5);
  CHECK_POS (&m, "b", 1, 3);
  CHECK_POS (&m, "e", 2, 3);
  {
    struct msg_pos p = msg_position (&m, 1000);
    CHECK (p.line == 3 && p.col == 1);
  }
  done (&m);
}

static void
test_robustness (void)
{
  struct msg m;
  /* A 1 MB single line, NUL bytes inside. */
  size_t len = 1 << 20;
  char *s = malloc (len);
  for (size_t i = 0; i < len; i++)
    s[i] = i % 1000 == 999 ? '\0' : "abc \xc3\xa4"[i % 6];
  parse_len (&m, s, len);
  CHECK (m.kind == MSG_TEXT);
  CHECK (m.body_len > len / 2);
  {
    struct msg_pos p = msg_position (&m, m.body_len - 1);
    CHECK (p.line == 1 && p.col > 500000);
  }
  done (&m);

  /* Random bytes after a header must come out as valid UTF-8. */
  unsigned seed = 12345;
  memcpy (s, "Subject: x\nContent-Type: multipart/mixed; boundary=q\n\n", 55);
  for (size_t i = 55; i < 100000; i++)
    {
      seed = seed * 1103515245 + 12345;
      s[i] = (seed >> 16) % 7 == 0 ? "\n-q=<&\r"[(seed >> 8) % 7] : (char) (seed >> 16);
    }
  parse_len (&m, s, 100000);
  done (&m);
  free (s);
}

/* ---- The block scans against plain models, on generated input ---- */

static unsigned long gen_state = 12345;

static unsigned
gen (unsigned n)
{
  gen_state = gen_state * 6364136223846793005UL + 1442695040888963407UL;
  return (unsigned) (gen_state >> 33) % n;
}

/* The sixteen-byte scans have a block part and a tail (or an overlapping last block): lengths
   of every size around those, and line ends, folds and specials at every offset. */

/* Line counting: each message of an mbox starts at the line the plain count says. */
/* Messages of one input share the iconv descriptors of their charsets (charset_pool): each
   must still decode as it does alone.  Twelve charsets in turn, more than the pool keeps, so
   descriptors are parked, taken back and closed; an ISO-2022-JP message that ends shifted
   before one that does not; pieces of bytes that are invalid in some of them. */
static void
test_charset_pool (void)
{
  static const char *const charsets[] = {
    "ISO-8859-2", "KOI8-R", "windows-1251", "GBK", "Big5", "EUC-KR", "ISO-2022-JP",
    "ISO-8859-15", "windows-1254", "ISO-8859-9", "windows-1256", "ISO-8859-3",
  };
  enum { NCHARSETS = sizeof charsets / sizeof *charsets, MESSAGES = 60 };
  size_t cap = 1 << 16, len = 0;
  char *mbox = malloc (cap);
  CHECK (mbox != NULL);
  if (!mbox)
    return;
  unsigned seed = 7;
  for (int k = 0; k < MESSAGES; k++)
    {
      const char *cs = charsets[(k * 5) % NCHARSETS];
      len += (size_t) snprintf (mbox + len, cap - len,
                                "From x Thu Jan  1 00:00:00 2026\nFrom: a@b\n"
                                "Subject: =?%s?Q?=B0=A1=C8=FE?= %d\n"
                                "Content-Type: text/plain; charset=%s\n\n", cs, k, cs);
      bool jis = strcmp (cs, "ISO-2022-JP") == 0;
      if (jis)
        len += (size_t) snprintf (mbox + len, cap - len, "%s",
                                  k % 2 ? "ab \x1b$B0!0\"\x1b(B cd\n" : "\x1b$B0!0\"4A\n");
      for (int i = 0; i < 120 && !jis; i++)
        {
          seed = seed * 1103515245u + 12345u;
          unsigned r = seed >> 16;
          /* Mostly pairs from the double-byte charsets' common rows, some ASCII, some bytes
             that are invalid in one charset or another. */
          if (r % 5 == 0)
            mbox[len++] = (char) ('a' + r % 26);
          else if (r % 7 == 0)
            mbox[len++] = (char) (0x80 + r % 32);
          else
            {
              mbox[len++] = (char) (0xB0 + r % 24);
              mbox[len++] = (char) (0xA1 + (r >> 5) % 94);
            }
          if (i % 30 == 29)
            mbox[len++] = '\n';
        }
      mbox[len++] = '\n';
      mbox[len++] = '\n';
    }
  struct msg_input *in = msg_input_from_buffer (mbox, len);
  CHECK (in != NULL);
  int n = 0;
  struct msg m, alone;
  while (in && msg_input_next (in, &m) > 0)
    {
      n++;
      CHECK (msg_parse (&alone, m.raw, m.raw_len) == 0);
      CHECK (m.body_len == alone.body_len && memcmp (m.body, alone.body, m.body_len) == 0
             && memcmp (m.src, alone.src, (m.body_len + 1) * sizeof *m.src) == 0);
      CHECK (m.nfields == alone.nfields);
      for (size_t i = 0; i < m.nfields && i < alone.nfields; i++)
        CHECK_STR (m.fields[i].value, alone.fields[i].value);
      CHECK_STR (m.warning ? m.warning : "", alone.warning ? alone.warning : "");
      msg_free (&alone);
      msg_free (&m);
    }
  CHECK (n == MESSAGES);
  msg_input_close (in);
  free (mbox);
}

static void
test_scan_line_counts (void)
{
  for (int round = 0; round < 40; round++)
    {
      size_t cap = 1 << 17, len = 0;
      char *buf = malloc (cap);
      if (!buf)
        return;
      int nmsg = 1 + gen (6);
      for (int k = 0; k < nmsg && len < cap - 12000; k++)
        {
          len += sprintf (buf + len, "%sFrom x@y Mon Jan 1 00:00:00 2001\nSubject: m%d\n\n",
                          k ? "\n\n" : "", k);
          /* Up to about 10 KB, past the 63 rounds after which the counters are summed. */
          size_t body = gen (4) == 0 ? gen (10000) : gen (300);
          /* Line ends only: every byte counter fills up as fast as it can. */
          bool all_lf = gen (5) == 0;
          for (size_t i = 0; i < body; i++)
            {
              if (all_lf)
                {
                  buf[len++] = '\n';
                  continue;
                }
              static const char alphabet[] = "ab F\r\n\n\t=";
              char c = alphabet[gen (sizeof alphabet - 1)];
              /* No line of the body starts with 'F': the message count stays NMSG. */
              if (c == 'F' && buf[len - 1] == '\n')
                c = 'G';
              buf[len++] = c;
            }
        }
      struct msg_input *in = msg_input_from_buffer (buf, len);
      struct msg m;
      int r, seen = 0;
      while (in && (r = msg_input_next (in, &m)) > 0)
        {
          unsigned long want = 1;
          for (const char *p = buf; p < m.raw; p++)
            want += *p == '\n';
          if (m.first_line != want)
            {
              printf ("%s:%d: round %d message %d: first line %lu, want %lu\n", __FILE__,
                      __LINE__, round, seen, m.first_line, want);
              failures++;
            }
          seen++;
          msg_free (&m);
        }
      CHECK (seen == nmsg);
      msg_input_close (in);
      free (buf);
    }
}

/* Plain header values: unfolded, tabs as spaces, trimmed, as the plain model says; and every
   field found where the plain line split says. */
static void
test_scan_header_values (void)
{
  static const char *const pieces[] = {
    "a", "b", "xyz", "0123456789abcdef", " ", "  ", "\t", "=", ":", "?", "<>", "\n ", "\n\t",
    "\r\n ", "\n  x",
  };
  for (int round = 0; round < 3000; round++)
    {
      char value[400];
      size_t vlen = 0, want_pieces = gen (24);
      for (size_t k = 0; k < want_pieces; k++)
        {
          const char *piece = pieces[gen (sizeof pieces / sizeof *pieces)];
          size_t n = strlen (piece);
          /* "=?" may open an encoded word: the general path, which this model is not. */
          if (vlen && value[vlen - 1] == '=' && piece[0] == '?')
            continue;
          memcpy (value + vlen, piece, n);
          vlen += n;
        }
      value[vlen] = '\0';
      /* The model: a line break followed by a blank vanishes, a tab is a space, and spaces
         at either end go. */
      char want[400];
      size_t w = 0;
      for (size_t i = 0; i < vlen; i++)
        {
          char c = value[i];
          if ((c == '\r' || c == '\n') && i + 1 < vlen
              && (value[i + 1] == '\n' || value[i + 1] == ' ' || value[i + 1] == '\t'))
            continue;
          want[w++] = c == '\t' || c == '\r' || c == '\n' ? ' ' : c;
        }
      size_t a = 0;
      while (a < w && want[a] == ' ')
        a++;
      while (w > a && want[w - 1] == ' ')
        w--;
      want[w] = '\0';

      char mail[600];
      int n = snprintf (mail, sizeof mail, "From: a@b\nX-Test:%s\nSubject: s\n\nbody\n", value);
      struct msg m;
      parse_len (&m, mail, (size_t) n);
      CHECK (m.kind == MSG_MAIL && m.nfields == 3);
      const char *got = msg_header (&m, "X-Test");
      if (!got || strcmp (got, want + a) != 0)
        {
          printf ("%s:%d: value \"%s\": got \"%s\", want \"%s\"\n", __FILE__, __LINE__, value,
                  got ? got : "(null)", want + a);
          failures++;
        }
      CHECK_STR (msg_header (&m, "Subject"), "s");
      CHECK_STR (msg_header (&m, "sUBJECT"), "s");
      CHECK (msg_header (&m, "Subjekt") == NULL && msg_header (&m, "Subjec") == NULL
             && msg_header (&m, "Subjects") == NULL && msg_header (&m, "x-test") == got);
      if (m.nfields == 3)
        CHECK (m.fields[1].raw_off == 10 && m.fields[1].raw_len == 8 + vlen);
      done (&m);
    }
}

/* mime_decode_header_text's plain path (blocks stored before they are checked, a tail judged by
   an overlapping load or a padded copy) against mime_decode_header, whose plain path still
   copies run by run with offsets: every byte value at every offset of values of every length
   around the sixteen-byte blocks, folds, '=' and "=?" near the ends, leading and trailing
   blanks.  Each value sits in a buffer of exactly its length, so that a read past it shows
   under the address sanitizer. */
static void
test_scan_header_text (void)
{
  static const char *const pieces[] = {
    "a", "Zz", "xyz", "0123456789abcdef", "0123456789", " ", "  ", "\t", "=", "==", "?=",
    "\n ", "\n\t", "\r\n ", "\r\n\t", "\n", "\r", "~",
  };
  /* Bytes that send a value to the general path. */
  static const char *const specials[] = { "=?", "\x7f", "\xc3\xa4", "\x80", "\x01", "\xff" };
  struct charset_cache cache;
  memset (&cache, 0, sizeof cache);
  size_t wrong = 0, plain = 0;
  for (int round = 0; round < 40000; round++)
    {
      char value[256];
      size_t vlen = 0;
      if (round < 256 * 40)
        {
          /* Byte value ROUND % 256 at one offset of a plain value of length 1 to 40. */
          size_t n = 1 + (size_t) (round / 256), at = gen ((unsigned) n);
          for (size_t i = 0; i < n; i++)
            value[i] = (char) ('a' + gen (26));
          value[at] = (char) (round % 256);
          if (gen (4) == 0)
            value[0] = ' ';
          if (gen (4) == 0)
            value[n - 1] = ' ';
          vlen = n;
        }
      else
        {
          size_t want_pieces = gen (30);
          for (size_t k = 0; k < want_pieces; k++)
            {
              const char *piece = pieces[gen (sizeof pieces / sizeof *pieces)];
              size_t n = strlen (piece);
              if (vlen + n > 200)
                break;
              memcpy (value + vlen, piece, n);
              vlen += n;
            }
          if (gen (4) == 0)
            {
              const char *sp = specials[gen (sizeof specials / sizeof *specials)];
              size_t n = strlen (sp), at = gen ((unsigned) vlen + 1);
              memmove (value + at + n, value + at, vlen - at);
              memcpy (value + at, sp, n);
              vlen += n;
            }
        }
      char *exact = malloc (vlen ? vlen : 1);
      if (!exact)
        abort ();
      memcpy (exact, value, vlen);

      struct mbuf want = { 0 };
      struct mwarn w1 = { 0 }, w2 = { 0 };
      int rc1 = mime_decode_header (&want, exact, vlen, &cache, &w1);
      /* Text before the value, so that it is appended at an offset, as decode_fields does. */
      struct mtext got = { 0 };
      struct mbuf scratch = { 0 };
      if (mtext_reserve (&got, 3) < 0)
        abort ();
      memcpy (got.s, "X:", 3);
      got.len = 3;
      int rc2 = mime_decode_header_text (&got, exact, vlen, &scratch, &cache, &w2);
      if (rc1 != 0 || rc2 != 0 || got.len != 3 + want.len + 1
          || memcmp (got.s + 3, want.s, want.len + 1) != 0
          || (w1.s == NULL) != (w2.s == NULL) || (w1.s && strcmp (w1.s, w2.s) != 0))
        {
          if (wrong++ < 5)
            printf ("%s:%d: header value of %zu bytes decodes differently\n", __FILE__,
                    __LINE__, vlen);
        }
      bool ascii = true;
      for (size_t i = 0; i < vlen; i++)
        {
          unsigned char c = (unsigned char) value[i];
          ascii &= ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\r' || c == '\n')
            && !(c == '=' && i + 1 < vlen && value[i + 1] == '?');
        }
      plain += ascii;
      free (exact);
      mbuf_free (&want);
      mbuf_free (&scratch);
      free (got.s);
      free (w1.s);
      free (w2.s);
    }
  charset_cache_close (&cache);
  CHECK (wrong == 0 && plain > 20000);
}

/* HTML text made of words, blanks, inline tags (some with a quoted '>') and "&amp;": what the
   plain model of emit_uc gives, offsets included. */
static void
test_scan_html_text (void)
{
  static const char *const pieces[] = {
    "a", "bc", "word", "0123456789abcdefghij", ".", " ", " ", "  ", "\t", "\n", " \n ", "<b>",
    "</b>", "<i class=\"x>y\">", "<a href='q' title=x>", "&amp;",
  };
  static const char head[] = "From: a@b\nContent-Type: text/html\n\n";
  const size_t hlen = sizeof head - 1;
  char *mail = malloc (hlen + 9000), *want = malloc (9000);
  unsigned *want_src = malloc (9000 * sizeof *want_src);
  if (!mail || !want || !want_src)
    {
      free (mail);
      free (want);
      free (want_src);
      return;
    }
  for (int round = 0; round < 2000; round++)
    {
      memcpy (mail, head, hlen);
      size_t len = hlen, w = 0;
      bool pending = false;
      unsigned pending_src = 0;
      /* Long texts too: copy_text_run stops every 4096 bytes. */
      size_t npieces = gen (8) == 0 ? 300 + gen (700) : gen (60);
      for (size_t k = 0; k < npieces; k++)
        {
          const char *piece = pieces[gen (sizeof pieces / sizeof *pieces)];
          size_t n = strlen (piece);
          if (piece[0] == '<')
            ;                   /* an inline tag: nothing */
          else if (piece[0] == '&' || piece[0] > ' ')
            {
              if (pending && w > 0)
                {
                  want[w] = ' ';
                  want_src[w++] = pending_src;
                }
              pending = false;
              for (size_t i = 0; i < n; i++)
                {
                  want[w] = piece[i];
                  want_src[w++] = (unsigned) (len + i);
                  if (piece[0] == '&')
                    break;
                }
            }
          else
            {
              if (!pending)
                pending_src = (unsigned) len;
              pending = true;
            }
          memcpy (mail + len, piece, n);
          len += n;
        }
      if (w > 0)
        {
          want[w] = '\n';
          want_src[w++] = (unsigned) len - 1;
        }
      want[w] = '\0';
      want_src[w] = w ? want_src[w - 1] + 1 : (unsigned) hlen;

      struct msg m;
      parse_len (&m, mail, len);
      if (strcmp (m.body, want) != 0)
        {
          printf ("%s:%d: round %d: HTML text differs from the model\n", __FILE__, __LINE__,
                  round);
          failures++;
        }
      else
        for (size_t i = 0; i <= w; i++)
          if (m.src[i] != want_src[i])
            {
              printf ("%s:%d: round %d: src[%zu] = %u, want %u\n", __FILE__, __LINE__, round, i,
                      m.src[i], want_src[i]);
              failures++;
              break;
            }
      done (&m);
    }
  free (mail);
  free (want);
  free (want_src);
}

/* Tags whose ends the one scan for '>' and '=' must find as the memchr calls did. */
static void
test_scan_tag_ends (void)
{
  struct msg m;
  /* A quote that never closes: the tag ends at its first '>'. */
  parse (&m, "Subject: a\nContent-Type: text/html\n\n<a href=\"x>one <b>two");
  CHECK_STR (m.body, "one two\n");
  done (&m);
  /* Closed quotes hide '>'; a quote not after '=' does not; '=' as the last byte. */
  parse (&m, "Subject: a\nContent-Type: text/html\n\n"
         "<p a='>' b=\">\" c=d>one<i x\">\">two<b c=");
  CHECK_STR (m.body, "one\">two\n");
  done (&m);
  /* A quoted '>' and then no '>' at all: the first '>' ends the tag. */
  parse (&m, "Subject: a\nContent-Type: text/html\n\n<q a=\"1>2\" three four");
  CHECK_STR (m.body, "2\" three four\n");
  done (&m);
  /* A tag that runs to the end of the input, '=' in the last block and the one before. */
  parse (&m, "Subject: a\nContent-Type: text/html\n\nx<p a=b c=d e=f g=h i=j k=l m=n o=p");
  CHECK_STR (m.body, "x\n");
  done (&m);
  /* Tags longer than a block, with the '>' in the overlapping last one. */
  parse (&m, "Subject: a\nContent-Type: text/html\n\n"
         "<table width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=0>x"
         "<td style=\"font-family: Arial, sans-serif; color:#333\" align=center>y");
  CHECK_STR (m.body, "x y\n");
  done (&m);
}

/* Where a tag ends, by the rules tag_end keeps (the old scan: '>' or '=' one at a time, a
   quote right after '=' skipped to its closing one, and the first '>' if one never closes). */
static size_t
model_tag_end (const char *s, size_t pos, size_t len)
{
  size_t i = pos;
  for (;;)
    {
      while (i < len && s[i] != '>' && s[i] != '=')
        i++;
      if (i >= len)
        break;
      if (s[i] == '>')
        return i + 1;
      i++;
      if (i < len && (s[i] == '"' || s[i] == '\''))
        {
          const char *q = memchr (s + i + 1, s[i], len - i - 1);
          if (!q)
            break;
          i = q - s + 1;
        }
    }
  const char *gt = memchr (s + pos, '>', len - pos);
  return gt ? (size_t) (gt - s) + 1 : len;
}

/* Tags of '=', quotes and '>' right after the name (html_to_text looks for the end from there,
   and takes a '>' there without tag_end) and at every offset of gt_or_equals's sixteen-byte
   blocks: the text after the tag, which has no markup, shows where it ended. */
static void
test_scan_tag_ends_generated (void)
{
  static const char alphabet[] = "==\"\"''>xa";
  static const char head[] = "Subject: a\nContent-Type: text/html; charset=us-ascii\n\n";
  size_t wrong = 0, quoted = 0;
  for (int round = 0; round < 20000; round++)
    {
      char mail[256];
      size_t hlen = strlen (head), n = gen (90);
      memcpy (mail, head, hlen);
      memcpy (mail + hlen, "<b", 2);
      char *tag = mail + hlen;
      for (size_t k = 0; k < n; k++)
        tag[2 + k] = alphabet[gen (sizeof alphabet - 1)];
      size_t len = 2 + n;
      size_t end = model_tag_end (tag, 0, len);
      /* The text: what follows the tag, unchanged, and a line end. */
      char want[128];
      size_t w = len - end;
      memcpy (want, tag + end, w);
      if (w)
        want[w++] = '\n';
      want[w] = '\0';
      for (size_t k = 0; k + 1 < len && k < end; k++)
        quoted += tag[k] == '=' && (tag[k + 1] == '"' || tag[k + 1] == '\'') && k + 2 < end;
      struct msg m;
      parse_len (&m, mail, hlen + len);
      if (strcmp (m.body, want) != 0 && wrong++ < 5)
        printf ("%s:%d: tag \"%.*s\": got \"%s\", want \"%s\"\n", __FILE__, __LINE__,
                (int) len, tag, m.body, want);
      done (&m);
    }
  CHECK (wrong == 0 && quoted > 10000);
}

/* Whether the mail MAIL (LEN bytes, its header HLEN) parses to the body WANT (W bytes) with the
   offsets WANT_SRC; if not and SAY, print that WHAT differs. */
static bool
body_is (const char *mail, size_t len, size_t hlen, const char *want, const uint32_t *want_src,
         size_t w, const char *what, bool say)
{
  struct msg m;
  parse_len (&m, mail, len);
  bool same = m.body_len == w && memcmp (m.body, want, w) == 0
    && memcmp (m.src, want_src, w * sizeof *want_src) == 0;
  if (!same && say)
    printf ("%s:%d: %s of %zu bytes differs (got %zu bytes, want %zu)\n", __FILE__, __LINE__,
            what, len - hlen, m.body_len, w);
  done (&m);
  return same;
}

/* Quoted-printable lines of text runs of every length around the sixteen-byte blocks, valid and
   broken escapes, '=' at the ends, soft breaks, trailing blanks and CRLF: text and offsets as
   the plain byte-by-byte decoding (the model below, the old way) gives them. */
static size_t
model_qp (const char *s, size_t start, size_t end, char *out, uint32_t *src)
{
  size_t o = 0;
  for (size_t p = start; p < end;)
    {
      size_t le = p;
      while (le < end && s[le] != '\n' && s[le] != '\r')
        le++;
      size_t next = le == end ? end
        : s[le] == '\r' && le + 1 < end && s[le + 1] == '\n' ? le + 2 : le + 1;
      size_t te = le;
      while (te > p && (s[te - 1] == ' ' || s[te - 1] == '\t'))
        te--;
      bool soft = te > p && s[te - 1] == '=';
      if (soft)
        te--;
      for (size_t i = p; i < te; i++)
        {
          if (s[i] == '=' && i + 2 < te && c_isxdigit (s[i + 1]) && c_isxdigit (s[i + 2]))
            {
              char hex[3] = { s[i + 1], s[i + 2], 0 };
              out[o] = (char) strtol (hex, NULL, 16);
              src[o++] = (uint32_t) i;
              i += 2;
            }
          else
            {
              out[o] = s[i];
              src[o++] = (uint32_t) i;
            }
        }
      if (!soft && next > le)
        {
          out[o] = '\n';
          src[o++] = (uint32_t) le;
        }
      p = next;
    }
  return o;
}

static void
test_scan_qp_runs (void)
{
  static const char head[] =
    "Subject: q\nContent-Type: text/plain; charset=us-ascii\n"
    "Content-Transfer-Encoding: quoted-printable\n\n";
  static const char *const pieces[] = {
    "=41", "=7e", "=3D", "=", "==", "=4", "=G1", "=\n", "= \n", "=\r\n", " \n", "\t\n", "\n",
    "\r\n", " ", "  =20", "=20 ",
  };
  /* No hex digits: an escape of a byte above ASCII would leave the model (it is Windows-1252
     here); only the pieces escape. */
  static const char text[] = "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ .,;-";
  const size_t hlen = sizeof head - 1;
  size_t wrong = 0, long_runs = 0;
  for (int round = 0; round < 6000; round++)
    {
      char mail[2048], want[2048];
      uint32_t want_src[2048];
      memcpy (mail, head, hlen);
      size_t len = hlen;
      int npieces = 1 + (int) gen (16);
      for (int k = 0; k < npieces; k++)
        {
          if (gen (2))
            {
              size_t n = gen (40);
              long_runs += n >= 16;
              for (size_t j = 0; j < n; j++)
                mail[len++] = text[gen (sizeof text - 1)];
            }
          else
            {
              const char *piece = pieces[gen (sizeof pieces / sizeof *pieces)];
              memcpy (mail + len, piece, strlen (piece));
              len += strlen (piece);
            }
        }
      size_t w = model_qp (mail, hlen, len, want, want_src);
      wrong += !body_is (mail, len, hlen, want, want_src, w, "QP body", wrong < 5);
    }
  CHECK (wrong == 0 && long_runs > 10000);
}

/* HTML white space between words, tags and at the ends, in runs of every length from one to
   forty that start at every offset of a sixteen-byte block, of the five bytes ascii_space_end
   skips, beside the control bytes next to them (\v, \x1f), which are text: each run (or runs
   with only inline tags between them) becomes one space with the offset of its first byte,
   none at either end; every other byte stays, with its own offset. */
static void
test_scan_html_space_runs (void)
{
  static const char head[] = "Subject: a\nContent-Type: text/html; charset=us-ascii\n\n";
  static const char spaces[] = " \t\n\r\f";
  static const char letters[] = "ab\v\x1f!~";
  const size_t hlen = sizeof head - 1;
  size_t wrong = 0, long_runs = 0;
  for (int round = 0; round < 6000; round++)
    {
      char mail[2048], want[2048];
      uint32_t want_src[2048];
      memcpy (mail, head, hlen);
      size_t len = hlen, w = 0;
      size_t space_at = SIZE_MAX;      /* the first space byte since the last letter */
      int pieces = 1 + (int) gen (12);
      for (int k = 0; k < pieces; k++)
        {
          unsigned kind = gen (4);
          if (kind == 0)
            {
              const char *tag = gen (2) ? "<b>" : "</b>";
              memcpy (mail + len, tag, strlen (tag));
              len += strlen (tag);
            }
          else if (kind == 1)
            {
              size_t n = 1 + gen (40);
              long_runs += n >= 16;
              if (space_at == SIZE_MAX)
                space_at = len;
              for (size_t j = 0; j < n; j++)
                mail[len++] = spaces[gen (sizeof spaces - 1)];
            }
          else
            {
              size_t n = 1 + gen (20);
              if (space_at != SIZE_MAX && w > 0)
                {
                  want[w] = ' ';
                  want_src[w++] = (uint32_t) space_at;
                }
              space_at = SIZE_MAX;
              for (size_t j = 0; j < n; j++)
                {
                  want[w] = letters[gen (sizeof letters - 1)];
                  want_src[w++] = (uint32_t) len;
                  mail[len++] = want[w - 1];
                }
            }
        }
      if (w)
        {
          want[w] = '\n';
          want_src[w++] = (uint32_t) len - 1;
        }
      wrong += !body_is (mail, len, hlen, want, want_src, w, "html text", wrong < 5);
    }
  CHECK (wrong == 0 && long_runs > 1000);
}

/* Base64 bodies of whole lines, padded lines, lines with junk and odd lengths: the text is
   what feeding each line's digits to the gnulib decoder gives (the old way, one path for all
   lines), however the lines mix. */
static void
test_scan_base64_lines (void)
{
  static const char digits[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static const char head[] =
    "From: a@b\nContent-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: base64\n\n";
  const size_t hlen = sizeof head - 1;
  for (int round = 0; round < 1500; round++)
    {
      char mail[4096], cleaned[4096], want[4096];
      memcpy (mail, head, hlen);
      size_t len = hlen, want_len = 0;
      struct base64_decode_context ctx;
      base64_decode_ctx_init (&ctx);
      int nlines = 1 + gen (12);
      for (int l = 0; l < nlines; l++)
        {
          size_t line = len, n = 0;
          int kind = gen (10);
          size_t quanta = gen (20);
          for (size_t q = 0; q < quanta * 4; q++)
            mail[len++] = digits[gen (64)];
          if (kind == 0)
            mail[len++] = digits[gen (64)];                  /* not whole quanta */
          else if (kind == 1 && quanta)
            mail[len - 1] = '=';                             /* padded */
          else if (kind == 2 && quanta)
            mail[line + gen ((unsigned) (len - line))] = "!* -\t"[gen (5)];   /* junk */
          mail[len++] = gen (4) ? '\n' : '\r';
          if (mail[len - 1] == '\r')
            mail[len++] = '\n';
          for (size_t i = line; i < len; i++)
            if (c_isalnum (mail[i]) || mail[i] == '+' || mail[i] == '/' || mail[i] == '=')
              cleaned[n++] = mail[i];
          /* No call for a line without digits: gnulib takes an empty input as "flush". */
          if (n == 0)
            continue;
          idx_t out = (idx_t) (sizeof want - want_len);
          if (!base64_decode_ctx (&ctx, cleaned, n, want + want_len, &out))
            base64_decode_ctx_init (&ctx);
          want_len += out;
        }
      if (ctx.i == 2 || ctx.i == 3)
        {
          idx_t out = (idx_t) (sizeof want - want_len);
          base64_decode_ctx (&ctx, ctx.i == 2 ? "==" : "=", ctx.i == 2 ? 2 : 1, want + want_len,
                             &out);
          want_len += out;
        }
      /* As Latin-1 every byte is one character: compare the text byte for byte. */
      struct mspan sp = { want, NULL, 0, want_len };
      struct mbuf text = { 0 };
      struct charset_cache cache = { 0 };
      struct mwarn warn = { 0 };
      if (charset_to_utf8 (&text, &sp, "iso-8859-1", 10, &cache, &warn) < 0
          || mbuf_reserve (&text, 1) < 0)
        {
          mbuf_free (&text);
          continue;
        }
      text.s[text.len] = '\0';
      struct msg m;
      parse_len (&m, mail, len);
      /* The decoded text's NULs are dropped and CR LF made LF, as for any text. */
      size_t w = 0;
      for (size_t i = 0; i < text.len; i++)
        {
          if (text.s[i] == '\0')
            continue;
          if (text.s[i] == '\r')
            {
              text.s[w++] = '\n';
              if (i + 1 < text.len && text.s[i + 1] == '\n')
                i++;
              continue;
            }
          text.s[w++] = text.s[i];
        }
      text.s[w] = '\0';
      if (strcmp (m.body, text.s) != 0)
        {
          printf ("%s:%d: round %d: base64 text differs from the gnulib decoder's\n", __FILE__,
                  __LINE__, round);
          failures++;
        }
      done (&m);
      mbuf_free (&text);
      free (warn.s);
      charset_cache_close (&cache);
    }
}

/* Double-byte charsets: a lead byte once found incomplete alone is tried with two bytes at
   once after that, and a pair converted before is taken from a memo.  The model converts each
   character the plain way, a fresh descriptor for every try of one to eight bytes; text and
   offsets must agree, with lead bytes and whole pairs repeated, invalid pairs, stray bytes
   and a lead byte at the very end.  Runs of pairs (which some charsets convert in one call)
   are long and often broken by an invalid pair or a stray byte. */
static void
test_scan_double_byte (void)
{
  static const char *const charsets[] = { "GBK", "BIG5", "EUC-KR", "EUC-JP", "GB18030", "CP949",
                                          "BIG5-HKSCS", "CP936", "UHC", "EUC-CN" };
  for (size_t c = 0; c < sizeof charsets / sizeof *charsets; c++)
    for (int round = 0; round < 150; round++)
      {
        char text[2 * 120];       /* up to 120 pieces of at most two bytes */
        size_t len = 0, n = 1 + gen (120);
        static const unsigned char leads[] = { 0xb0, 0xc7, 0xd6, 0xa4, 0x8e, 0x8f, 0x81, 0xfe };
        for (size_t k = 0; k < n; k++)
          {
            unsigned kind = gen (8);
            if (kind < 2)
              text[len++] = "ab \n"[gen (4)];
            else if (kind < 6)
              {
                text[len++] = (char) leads[gen (sizeof leads)];
                text[len++] = (char) (0xa1 + gen (gen (2) ? 3 : 0x5e));   /* often repeated */
              }
            else if (kind == 6)
              text[len++] = (char) (0x80 + gen (0x80));        /* alone */
            else
              {
                text[len++] = (char) leads[gen (sizeof leads)];
                text[len++] = (char) (0x20 + gen (0x20));      /* not a trail byte */
              }
          }
        char want[1200];
        unsigned want_src[1200];
        size_t w = 0;
        for (size_t i = 0; i < len;)
          {
            if ((unsigned char) text[i] < 0x80)
              {
                want[w] = text[i];
                want_src[w++] = (unsigned) i++;
                continue;
              }
            bool done = false;
            for (size_t k = 1; k <= 8 && i + k <= len && !done; k++)
              {
                iconv_t cd = iconv_open ("UTF-8", charsets[c]);
                if (cd == (iconv_t) -1)
                  return;
                char *ip = text + i, out[64], *op = out;
                size_t ileft = k, oleft = sizeof out;
                size_t r = iconv (cd, &ip, &ileft, &op, &oleft);
                int err = errno;
                iconv_close (cd);
                if (r != (size_t) -1 || ileft == 0)
                  {
                    /* In NFC, as all text is (KS X 1001 has compatibility ideographs). */
                    uint8_t nfc[64];
                    size_t nlen = sizeof nfc;
                    uint8_t *q = u8_normalize (UNINORM_NFC, (const uint8_t *) out,
                                               (size_t) (op - out), nfc, &nlen);
                    for (size_t t = 0; q && t < nlen; t++)
                      {
                        want[w] = (char) q[t];
                        want_src[w++] = (unsigned) i;
                      }
                    if (q != nfc)
                      free (q);
                    i += k;
                    done = true;
                  }
                else if (err != EINVAL)
                  {
                    for (char *q = out; q < op; q++)
                      {
                        want[w] = *q;
                        want_src[w++] = (unsigned) i;
                      }
                    break;
                  }
              }
            if (!done)
              {
                memcpy (want + w, "\xef\xbf\xbd", 3);
                want_src[w] = want_src[w + 1] = want_src[w + 2] = (unsigned) i;
                w += 3;
                i++;
              }
          }
        want[w] = '\0';

        char mail[400];
        int hlen = snprintf (mail, sizeof mail,
                             "From: a@b\nContent-Type: text/plain; charset=%s\n\n", charsets[c]);
        memcpy (mail + hlen, text, len);
        struct msg m;
        parse_len (&m, mail, (size_t) hlen + len);
        bool same = m.body_len == w && memcmp (m.body, want, w) == 0;
        for (size_t i = 0; same && i < w; i++)
          same = m.src[i] == want_src[i] + (unsigned) hlen;
        if (!same)
          {
            printf ("%s:%d: %s round %d: text or offsets differ from the model\n", __FILE__,
                    __LINE__, charsets[c], round);
            failures++;
          }
        done (&m);
      }
}

/* charset_ascii_run tests four blocks at once, then one block, then eight bytes, then single
   bytes: every length up to 200, from every start within a block, with the first byte from
   0x80 on at every place (and none), and more such bytes after it. */
static void
test_scan_ascii_runs (void)
{
  unsigned char buf[256];
  int wrong = 0;
  for (size_t start = 0; start < 16; start++)
    for (size_t len = 0; len + start <= 216; len++)
      for (size_t high = 0; high <= len; high++)
        {
          for (size_t i = 0; i < len; i++)
            buf[start + i] = (unsigned char) (0x20 + gen (0x5F));
          if (high < len)
            {
              buf[start + high] = (unsigned char) (0x80 + gen (0x80));
              if (high + 1 < len && gen (2))
                buf[start + high + 1 + gen ((unsigned) (len - high - 1))] = 0xFF;
            }
          if (charset_ascii_run (buf + start, len) != high)
            wrong++;
        }
  CHECK (wrong == 0);
}

/* Tag names are classified by one switch on the lower-cased name packed into an integer:
   "a<NAME>b" must show each kind's separator for every listed name in any case, and nothing
   for names one letter off, a letter longer or shorter, or too long, whether the name ends
   the text or eight bytes follow it. */
static void
test_tag_kinds (void)
{
  static const struct
  {
    const char *name;
    const char *text;           /* the body of "a<NAME>b" */
  } tags[] = {
    { "p", "a\n\nb\n" }, { "h1", "a\n\nb\n" }, { "h2", "a\n\nb\n" }, { "h3", "a\n\nb\n" },
    { "h4", "a\n\nb\n" }, { "h5", "a\n\nb\n" }, { "h6", "a\n\nb\n" }, { "ul", "a\n\nb\n" },
    { "ol", "a\n\nb\n" }, { "hr", "a\n\nb\n" }, { "dl", "a\n\nb\n" }, { "table", "a\n\nb\n" },
    { "figure", "a\n\nb\n" }, { "address", "a\n\nb\n" }, { "blockquote", "a\n\nb\n" },
    { "pre", "a\n\nb\n" }, { "br", "a\nb\n" }, { "td", "a b\n" }, { "th", "a b\n" },
    { "li", "a\nb\n" }, { "tr", "a\nb\n" }, { "dt", "a\nb\n" }, { "dd", "a\nb\n" },
    { "div", "a\nb\n" }, { "nav", "a\nb\n" }, { "form", "a\nb\n" }, { "main", "a\nb\n" },
    { "body", "a\nb\n" }, { "html", "a\nb\n" }, { "menu", "a\nb\n" }, { "tbody", "a\nb\n" },
    { "thead", "a\nb\n" }, { "tfoot", "a\nb\n" }, { "aside", "a\nb\n" },
    { "center", "a\nb\n" }, { "header", "a\nb\n" }, { "footer", "a\nb\n" },
    { "option", "a\nb\n" }, { "legend", "a\nb\n" }, { "section", "a\nb\n" },
    { "article", "a\nb\n" }, { "caption", "a\nb\n" }, { "summary", "a\nb\n" },
    { "details", "a\nb\n" }, { "fieldset", "a\nb\n" }, { "xml", "a\n" }, { "style", "a\n" },
    { "title", "a\n" }, { "script", "a\n" }, { "template", "a\n" }, { "head", "ab\n" },
    { "b", "ab\n" }, { "font", "ab\n" }, { "h7", "ab\n" }, { "h0", "ab\n" }, { "x:p", "ab\n" },
    { "tablex", "ab\n" }, { "tabl", "ab\n" }, { "scripts", "ab\n" }, { "blockquot", "ab\n" },
    { "blockquotes", "ab\n" }, { "fieldsey", "ab\n" }, { "templatf", "ab\n" }, { "pp", "ab\n" },
    { "bq", "ab\n" }, { "d1", "ab\n" }, { "span", "ab\n" }, { "abbreviation", "ab\n" },
    { "br2", "ab\n" }, { "q", "ab\n" }, { "divs", "ab\n" }, { "details1", "ab\n" },
  };
  int wrong = 0;
  for (size_t k = 0; k < sizeof tags / sizeof *tags; k++)
    for (int variant = 0; variant < 24; variant++)
      {
        char name[16];
        size_t n = strlen (tags[k].name);
        for (size_t i = 0; i <= n; i++)
          name[i] = variant == 0 ? tags[k].name[i]
            : gen (2) ? (char) c_toupper (tags[k].name[i]) : tags[k].name[i];
        char mail[200];
        /* Odd variants put eight more bytes after the tag, even ones end the text there. */
        int len = snprintf (mail, sizeof mail, "From: a@b\nContent-Type: text/html\n\na<%s>b%s",
                            name, variant % 2 ? "<i></i> " : "");
        struct msg m;
        parse_len (&m, mail, (size_t) len);
        if (strcmp (m.body, tags[k].text) != 0)
          {
            if (wrong++ < 5)
              printf ("%s:%d: <%s> gives \"%s\"\n", __FILE__, __LINE__, name, m.body);
          }
        done (&m);
      }
  CHECK (wrong == 0);
}

/* charset_ascii_identity lets HTML skip decoding to UTF-8: wherever it says yes,
   charset_to_utf8 must append the input unchanged, with the offsets of the span, and warn of
   nothing; an unknown label (which warns) and iconv's charsets are no. */
static void
test_ascii_identity (void)
{
  static const char *const labels[] = {
    NULL, "us-ascii", "UTF-8", "iso-8859-1", "Windows-1252", "latin1", "\"utf-8\"", "",
    "x-unknown-charset", "default_charset", "koi8-r", "gb2312", "ISO-2022-JP", "utf-16",
  };
  static const char alphabet[] = "ab <>&;=\n\r\t\x01\x7f\xc3\xa4\x80\xff\x1b$B";
  int wrong = 0, yes = 0;
  for (int round = 0; round < 4000; round++)
    {
      char buf[80];
      size_t len = gen (sizeof buf);
      bool ascii_only = gen (3) != 0;
      for (size_t i = 0; i < len; i++)
        {
          buf[i] = alphabet[gen (sizeof alphabet - 1)];
          if (ascii_only && (unsigned char) buf[i] >= 0x80)
            buf[i] = 'x';
        }
      const char *label = labels[gen (sizeof labels / sizeof *labels)];
      size_t label_len = label ? strlen (label) : 0;
      uint32_t src[80];
      for (size_t i = 0; i < len; i++)
        src[i] = 1000 + 3 * (uint32_t) i;
      struct mspan in = { buf, gen (2) ? src : NULL, 77, len };
      if (!charset_ascii_identity (&in, label, label_len))
        {
          /* No to every label on text with a byte from 0x80 on. */
          bool ascii = true;
          for (size_t i = 0; i < len; i++)
            ascii &= (unsigned char) buf[i] < 0x80;
          if (!ascii)
            continue;
          if (label == NULL || strcmp (label, "UTF-8") == 0 || strcmp (label, "latin1") == 0)
            wrong++;            /* these classes must say yes to ASCII */
          continue;
        }
      yes++;
      struct mbuf out = { 0 };
      struct charset_cache cache;
      memset (&cache, 0, sizeof cache);
      struct mwarn w = { 0 };
      if (charset_to_utf8 (&out, &in, label, label_len, &cache, &w) < 0 || out.len != len
          || (len && memcmp (out.s, buf, len) != 0) || w.s != NULL)
        wrong++;
      else
        for (size_t i = 0; i < len; i++)
          if (out.src[i] != mspan_src (&in, i))
            wrong++;
      mbuf_free (&out);
      free (w.s);
      charset_cache_close (&cache);
    }
  CHECK (wrong == 0 && yes > 1000);
}

int
main (void)
{
  test_detection ();
  test_transfer_encodings ();
  test_charsets ();
  test_nfc ();
  test_rfc2047 ();
  test_multipart ();
  test_html ();
  test_mbox ();
  test_mbox_lookahead ();
  test_charset_pool ();
  test_header_index ();
  test_ascii_identity ();
  test_runs ();
  test_positions ();
  test_robustness ();
  test_scan_line_counts ();
  test_scan_header_values ();
  test_scan_header_text ();
  test_scan_html_text ();
  test_scan_tag_ends ();
  test_scan_tag_ends_generated ();
  test_scan_html_space_runs ();
  test_scan_qp_runs ();
  test_scan_base64_lines ();
  test_scan_double_byte ();
  test_scan_ascii_runs ();
  test_tag_kinds ();
  if (failures)
    {
      printf ("%d check(s) failed\n", failures);
      return 1;
    }
  puts ("test-msg: all checks passed");
  return 0;
}
