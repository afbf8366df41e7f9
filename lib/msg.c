/* msg.c: read plain text, RFC 5322 mail and mbox input; decode each message into analysable text. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include "msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uninorm.h>
#include <unistr.h>

#include "c-ctype.h"
#include "c-strcase.h"
#include "charset.h"
#include "mime.h"

/* msg_header's index of the fields: a name's bucket by its first and last byte and length.
   Setting bit 0x20 lower-cases a letter (and merges a few other bytes, which only shares
   buckets), with no call per byte. */
#define FIELD_BUCKETS 64

static inline unsigned
field_bucket (const char *name, size_t len)
{
  return (((unsigned char) name[0] | 0x20u) * 7 + ((unsigned char) name[len - 1] | 0x20u) * 3
          + (unsigned) len) & (FIELD_BUCKETS - 1);
}

struct msg_private
{
  char *field_text;             /* every field's name and value, NUL-terminated, end to end */
  /* Field I + 1 is the first of its bucket in bucket[], the next after it in chain[I] (0 ends):
     the detectors ask for about 25 names a message, which a walk over all fields compared
     with each of them. */
  uint32_t bucket[FIELD_BUCKETS];
  uint32_t *chain;              /* after the fields, in their allocation */
  uint32_t *line_start;         /* raw offsets where lines begin, built on the second lookup */
  size_t nlines;
  bool lines_built;
  bool looked_up;               /* a position was asked for: the next lookup builds the index */
  bool cr_only;                 /* no LF in raw: CR ends lines */
  /* The last column computed, so that lookups in offset order along one long line stay linear. */
  bool col_valid;
  size_t col_line, col_raw;
  unsigned long col;
};

/* What scan_header_block found at the start of a message. */
struct header_scan
{
  struct mime_field_list fields;
  size_t header_len;
  int mail;                     /* scan_header_block's answer: 1, 0 or -1 */
};

struct msg_input
{
  char *owned;                  /* the buffer read by msg_input_open, or NULL */
  void *map;                    /* or the file mapped by msg_input_open, of map_len bytes */
  size_t map_len;
  size_t released;              /* map bytes below this are no longer wanted in memory */
  const char *data;
  size_t len;
  size_t pos;                   /* where the next message (or its "From " line) starts */
  unsigned long line;           /* line number of data[pos] */
  size_t index;
  bool mbox;
  bool done;
  /* Finding where an mbox message ends means reading the header of the next one; it is kept
     (for the message whose raw bytes start at AHEAD_AT, SIZE_MAX if none) so that parsing that
     message need not read it again. */
  struct header_scan ahead, current;
  size_t ahead_at;
  struct charset_pool charsets; /* iconv descriptors kept from message to message */
};

/* ---- Telling mail from text ---- */

static bool
common_field_name (const char *name, size_t len)
{
  static const char *const names[] = {
    "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "Received", "Return-Path",
    "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Delivered-To", "Reply-To",
    "Sender", "In-Reply-To", "References", "DKIM-Signature", "Authentication-Results",
    "Envelope-To", "User-Agent", "Organization", "Precedence", "Thread-Topic", "Thread-Index",
    "Importance", "Resent-From", "Resent-To", "Resent-Date", "Received-SPF", "Status",
  };
  if (len > 2 && c_strncasecmp (name, "X-", 2) == 0)
    return true;
  if (len > 5 && c_strncasecmp (name, "List-", 5) == 0)
    return true;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strlen (names[i]) == len && c_strncasecmp (name, names[i], len) == 0)
      return true;
  return false;
}

/* Whether BUF starts with a header block: 1 if so, with its length including the blank line
   in *HEADER_LEN, else 0.  The fields are appended to FIELDS unless it is NULL; -1 with errno
   ENOMEM if that fails. */
static int
scan_header_block (const char *buf, size_t len, size_t *header_len,
                   struct mime_field_list *fields)
{
  struct mime_field f;
  size_t pos = 0, body;
  bool blank;
  size_t nfields = 0;
  bool common = false;
  while (mime_header_next (buf, len, &pos, &f, &body, &blank))
    {
      nfields++;
      if (!common && common_field_name (buf + f.off, f.name_len))
        common = true;
      /* Past the first messages the list has room: storing the field here spares a call for
         each of a corpus run's 144,000 fields. */
      if (fields && fields->n < fields->cap)
        fields->v[fields->n++] = f;
      else if (fields && mime_field_list_add (fields, &f) < 0)
        return -1;
    }
  /* The block ends with a blank line or the end of the input, never in a line of prose. */
  if (nfields == 0 || !(blank || body == len))
    return 0;
  if (!common && nfields < 2)
    return 0;
  *header_len = body;
  return 1;
}

bool
msg_looks_like_mail (const char *buf, size_t len)
{
  size_t header_len;
  return buf && scan_header_block (buf, len, &header_len, NULL) > 0;
}

/* ---- Decoding one message ---- */

/* Line ends in S[0..LEN): every LF (a CRLF is one), or every CR in a file without any LF (old
   Mac files).  A stray CR in an LF file is no line end, as for sed and editors. */
static unsigned long
count_line_ends (const char *s, size_t len, bool cr_only)
{
  unsigned long n = 0;
  char eol = cr_only ? '\r' : '\n';
  size_t i = 0;
#ifdef CHARSET_SSE2
  /* memchr per line cost a call per line of every message.  Here each of sixteen byte
     counters takes one from a compare's all-ones per match, four blocks a round (the loop's
     own instructions spread over 64 bytes), and they are summed before any can pass 255. */
  const __m128i want = _mm_set1_epi8 (eol), zero = _mm_setzero_si128 ();
  while (len - i >= 64)
    {
      size_t rounds = (len - i) / 64;
      if (rounds > 63)
        rounds = 63;
      __m128i counts = zero;
      for (const char *p = s + i, *stop = p + rounds * 64; p < stop; p += 64)
        {
          __m128i a = _mm_cmpeq_epi8 (_mm_loadu_si128 ((const __m128i *) p), want);
          __m128i b = _mm_cmpeq_epi8 (_mm_loadu_si128 ((const __m128i *) (p + 16)), want);
          __m128i c = _mm_cmpeq_epi8 (_mm_loadu_si128 ((const __m128i *) (p + 32)), want);
          __m128i d = _mm_cmpeq_epi8 (_mm_loadu_si128 ((const __m128i *) (p + 48)), want);
          counts = _mm_sub_epi8 (counts, _mm_add_epi8 (_mm_add_epi8 (a, b), _mm_add_epi8 (c, d)));
        }
      i += rounds * 64;
      __m128i sums = _mm_sad_epu8 (counts, zero);
      n += (unsigned long) _mm_cvtsi128_si32 (sums)
        + (unsigned long) _mm_cvtsi128_si32 (_mm_srli_si128 (sums, 8));
    }
  /* Up to three whole blocks are left: a byte at a time they cost a message about as much as
     the rounds of a short one. */
  if (len - i >= 16)
    {
      __m128i counts = zero;
      for (; len - i >= 16; i += 16)
        counts = _mm_sub_epi8 (counts, _mm_cmpeq_epi8 (_mm_loadu_si128 ((const __m128i *) (s + i)),
                                                       want));
      __m128i sums = _mm_sad_epu8 (counts, zero);
      n += (unsigned long) _mm_cvtsi128_si32 (sums)
        + (unsigned long) _mm_cvtsi128_si32 (_mm_srli_si128 (sums, 8));
    }
#endif
  for (; i < len; i++)
    n += s[i] == eol;
  return n;
}

/* Decode the header fields of RAW[0..HEADER_LEN), as scan_header_block found them, into
   M->fields.  The text has no source offsets: positions in a field come from its raw bytes. */
static int
decode_fields (struct msg *m, struct mime_ctx *c, const struct mime_field_list *found)
{
  const char *s = m->raw;
  struct mtext text = { 0 };
  struct mbuf scratch = { 0 };

  if (found->n)
    {
      /* msg_header's chain of the fields comes after them in the same block. */
      m->fields = malloc (found->n * (sizeof *m->fields + sizeof *m->priv->chain));
      /* Decoded values are about as long as the header; reserving that spares regrowth. */
      if (!m->fields || mtext_reserve (&text, m->header_len + 64) < 0)
        goto fail;
    }
  /* Until the text stops growing, a field's raw_off holds where its name starts in the text
     (its value follows the name's NUL); raw_off and raw_len are set from FOUND at the end.
     Two arrays of offsets cost two allocations a message. */
  for (size_t k = 0; k < found->n; k++)
    {
      const struct mime_field *f = &found->v[k];
      m->fields[k].raw_off = text.len;
      if (mtext_reserve (&text, f->name_len + 1) < 0)
        goto fail;
      memcpy (text.s + text.len, s + f->off, f->name_len);
      text.len += f->name_len;
      text.s[text.len++] = '\0';
      if (mime_decode_header_text (&text, s + f->value_off, f->end - f->value_off, &scratch,
                                   &c->cache, &c->warn) < 0)
        goto fail;
      m->nfields++;
    }
  for (size_t i = 0; i < m->nfields; i++)
    {
      const struct mime_field *f = &found->v[i];
      struct msg_field *mf = &m->fields[i];
      mf->name = text.s + mf->raw_off;
      mf->value = mf->name + f->name_len + 1;
      mf->raw_off = f->off;
      mf->raw_len = f->end - f->off;
    }
  /* msg_header relies on each value following its name's NUL in this text. */
  m->priv->field_text = text.s;
  if (m->nfields)
    {
      uint32_t *chain = (uint32_t *) (m->fields + found->n);
      for (size_t i = m->nfields; i-- > 0;)
        {
          unsigned b = field_bucket (m->fields[i].name, found->v[i].name_len);
          chain[i] = m->priv->bucket[b];
          m->priv->bucket[b] = (uint32_t) i + 1;
        }
      m->priv->chain = chain;
    }
  mbuf_free (&scratch);
  return 0;
fail:
  free (text.s);
  mbuf_free (&scratch);
  free (m->fields);
  m->fields = NULL;
  m->nfields = 0;
  return -1;
}

/* Whether NFC leaves code point UC alone whatever surrounds it: no canonical decomposition,
   combining class 0, never the second half of a composition.  A few common blocks suffice to
   keep the costly normalisation away from most mail (typographic quotes, euro sign, CJK). */
static bool
nfc_inert (uint32_t uc)
{
  return uc < 0x300 || (uc >= 0x400 && uc <= 0x482) || (uc >= 0x48A && uc <= 0x4FF)
    || (uc >= 0x2010 && uc <= 0x205F) || (uc >= 0x20A0 && uc <= 0x20CF)
    || (uc >= 0x3041 && uc <= 0x3096) || (uc >= 0x30A1 && uc <= 0x30FA)
    || (uc >= 0x4E00 && uc <= 0x9FFF) || (uc >= 0xAC00 && uc <= 0xD7A3) || uc == 0xFFFD
    || (uc >= 0x1F300 && uc <= 0x1FAFF);
}

/* Whether the valid UTF-8 text S is in NFC for sure, judged character by character. */
static bool
trivially_nfc (const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *) s;
  for (size_t i = 0; i < len;)
    {
      if (u[i] < 0xCC)
        {
          i++;
          continue;
        }
      ucs4_t uc;
      int n = u8_mbtouc_unsafe (&uc, u + i, len - i);
      if (!nfc_inert (uc))
        return false;
      i += n > 0 ? n : 1;
    }
  return true;
}

/* Whether S is valid UTF-8; faster than u8_check on mostly ASCII text. */
static bool
valid_utf8 (const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *) s;
  for (size_t i = 0; i < len;)
    {
      if (u[i] < 0x80)
        {
          i++;
          continue;
        }
      size_t n = charset_utf8_len (u + i, len - i);
      if (!n)
        return false;
      i += n;
    }
  return true;
}

/* Whether S is valid UTF-8 made only of characters that NFC leaves alone in any context, so
   that it is in NFC already: one pass instead of the NFC check, the normalisation and the
   validity check, and exact where the quick check above only knows a few blocks. */
static bool
valid_stable_nfc (const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *) s;
  for (size_t i = 0; i < len;)
    {
      i += charset_ascii_run (u + i, len - i);
      if (i >= len)
        break;
      size_t n = charset_utf8_len (u + i, len - i);
      if (!n)
        return false;
      if (u[i] >= 0xCC)
        {
          /* U+0300 and above: the combining marks start there. */
          uint32_t uc = n == 2 ? (uint32_t) (u[i] & 0x1F) << 6 | (u[i + 1] & 0x3F)
            : n == 3 ? (uint32_t) (u[i] & 0x0F) << 12 | (uint32_t) (u[i + 1] & 0x3F) << 6
                       | (u[i + 2] & 0x3F)
            : (uint32_t) (u[i] & 0x07) << 18 | (uint32_t) (u[i + 1] & 0x3F) << 12
              | (uint32_t) (u[i + 2] & 0x3F) << 6 | (u[i + 3] & 0x3F);
          if (!charset_nfc_stable (uc))
            return false;
        }
      i += n;
    }
  return true;
}

/* Bring B into NFC.  An ASCII character never composes with what precedes it, so the text is
   normalised in runs that start at an ASCII character, and each run maps its output characters
   to its input characters' offsets in order. */
static int
normalize_nfc (struct mbuf *b)
{
  if (trivially_nfc (b->s, b->len))
    return 0;
  size_t nlen;
  uint8_t *whole = u8_normalize (UNINORM_NFC, (const uint8_t *) b->s, b->len, NULL, &nlen);
  if (!whole)
    return -1;
  bool same = nlen == b->len && memcmp (whole, b->s, nlen) == 0;
  free (whole);
  if (same)
    return 0;

  struct mbuf out = { 0 };
  if (mbuf_reserve (&out, nlen) < 0)
    return -1;
  for (size_t i = 0; i < b->len;)
    {
      size_t j = i + 1;
      while (j < b->len && (unsigned char) b->s[j] >= 0x80)
        j++;
      if (j == i + 1 || trivially_nfc (b->s + i, j - i))
        {
          if (mbuf_reserve (&out, j - i) < 0)
            goto fail;
          memcpy (out.s + out.len, b->s + i, j - i);
          memcpy (out.src + out.len, b->src + i, (j - i) * sizeof *b->src);
          out.len += j - i;
          i = j;
          continue;
        }
      uint8_t small[256];
      size_t rlen = sizeof small;
      uint8_t *r = u8_normalize (UNINORM_NFC, (const uint8_t *) b->s + i, j - i, small, &rlen);
      if (!r)
        goto fail;
      if (mbuf_reserve (&out, rlen) < 0)
        {
          if (r != small)
            free (r);
          goto fail;
        }
      /* Output character K comes from input character K (the last one if there are fewer). */
      size_t in_pos = i;
      for (size_t k = 0; k < rlen;)
        {
          int n = u8_mblen (r + k, rlen - k);
          if (n <= 0)
            n = 1;
          for (int t = 0; t < n; t++)
            mbuf_put (&out, (char) r[k + t], b->src[in_pos]);
          k += n;
          int in_n = u8_mblen ((const uint8_t *) b->s + in_pos, j - in_pos);
          if (in_n > 0 && in_pos + in_n < j)
            in_pos += in_n;
        }
      if (r != small)
        free (r);
      i = j;
    }
  mbuf_free (b);
  *b = out;
  return 0;
fail:
  mbuf_free (&out);
  return -1;
}

/* The most body bytes parse_message reserves before decoding. */
#define BODY_RESERVE_MAX (256 * 1024)

/* Decode RAW[0..RAW_LEN) into *M, as msg_parse does.  KNOWN, if not NULL, is what
   scan_header_block says of RAW (a header block, mail is 1), found while reading the input. */
static int
parse_message (struct msg *m, const char *raw, size_t raw_len, const struct header_scan *known,
               struct charset_pool *charsets)
{
  memset (m, 0, sizeof *m);
  if (raw_len >= UINT32_MAX - 1)
    {
      errno = EOVERFLOW;
      return -1;
    }
  if (!raw)
    raw = "";
  m->raw = raw;
  m->raw_len = raw_len;
  m->first_line = 1;
  m->priv = calloc (1, sizeof *m->priv);
  if (!m->priv)
    return -1;

  struct mbuf body = { 0 };
  struct mime_ctx c;
  memset (&c, 0, sizeof c);
  c.raw = raw;
  c.raw_len = raw_len;
  c.body = &body;
  c.cache.pool = charsets;

  struct header_scan own = { { NULL, 0, 0 }, 0, 0 };
  const struct header_scan *scan = known;
  if (!scan)
    {
      own.mail = scan_header_block (raw, raw_len, &own.header_len, &own.fields);
      if (own.mail < 0)
        goto fail;
      scan = &own;
    }
  bool mail = scan->mail > 0;
  size_t header_len = mail ? scan->header_len : 0;
  /* Decode only the beginning of a huge body, cut at a line end. */
  size_t analysed_len = raw_len;
  if (raw_len - header_len > MSG_ANALYSIS_MAX)
    {
      analysed_len = header_len + MSG_ANALYSIS_MAX;
      const char *nl = memrchr (raw + header_len, '\n', MSG_ANALYSIS_MAX);
      if (nl)
        analysed_len = nl + 1 - raw;
      c.raw_len = analysed_len;
      mwarn_add (&c.warn, "only the first 2 MiB of the body were analysed");
    }
  /* The body is about as long as the text it is decoded from (shorter for HTML or base64):
     reserving that at once spares growing it, and copying it, a dozen times for a mail of a
     few kilobytes.  Beyond BODY_RESERVE_MAX it grows as needed. */
  size_t expected = analysed_len - header_len;
  if (mbuf_reserve (&body, (expected < BODY_RESERVE_MAX ? expected : BODY_RESERVE_MAX) + 64) < 0)
    goto fail;
  if (mail)
    {
      m->kind = MSG_MAIL;
      m->header_len = header_len;
      if (decode_fields (m, &c, &scan->fields) < 0
          || mime_decode_scanned (&c, scan->fields.v, scan->fields.n, header_len, analysed_len)
          < 0)
        goto fail;
    }
  else
    {
      m->kind = MSG_TEXT;
      if (mime_decode_text (&c, 0, analysed_len) < 0)
        goto fail;
    }
  /* Most text is valid and in NFC as it stands; that takes one pass to know. */
  bool settled = valid_stable_nfc (body.s, body.len);
  if ((!settled && normalize_nfc (&body) < 0) || mbuf_reserve (&body, 1) < 0)
    goto fail;
  /* Everything was built from valid pieces; check anyway, the promise is absolute. */
  if (!settled && !valid_utf8 (body.s, body.len))
    {
      struct mspan sp = { body.s, body.src, 0, body.len };
      struct mbuf fixed = { 0 };
      if (charset_to_utf8 (&fixed, &sp, NULL, 0, &c.cache, &c.warn) < 0
          || mbuf_reserve (&fixed, 1) < 0)
        {
          mbuf_free (&fixed);
          goto fail;
        }
      mbuf_free (&body);
      body = fixed;
    }
  body.s[body.len] = '\0';
  body.src[body.len] = body.len ? (body.src[body.len - 1] < raw_len ? body.src[body.len - 1] + 1
                                   : (uint32_t) raw_len) : (uint32_t) m->header_len;
  m->body = body.s;
  m->src = body.src;
  m->body_len = body.len;
  m->body_from_html = c.body_from_html;
  m->warning = c.warn.s;
  mime_ctx_release (&c);
  mime_field_list_free (&own.fields);
  return 0;

fail:
  {
    int saved = errno;
    mime_field_list_free (&own.fields);
    mbuf_free (&body);
    free (c.warn.s);
    mime_ctx_release (&c);
    msg_free (m);
    errno = saved ? saved : ENOMEM;
  }
  return -1;
}

int
msg_parse (struct msg *m, const char *raw, size_t raw_len)
{
  return parse_message (m, raw, raw_len, NULL, NULL);
}

void
msg_free (struct msg *m)
{
  if (!m)
    return;
  free (m->fields);
  free (m->body);
  free (m->src);
  free (m->warning);
  if (m->priv)
    {
      free (m->priv->field_text);
      free (m->priv->line_start);
      free (m->priv);
    }
  memset (m, 0, sizeof *m);
}

/* Whether field I of M is called NAME, in any case; the first letters are compared first. */
static bool
field_named (const struct msg *m, size_t i, const char *name)
{
  return c_tolower (m->fields[i].name[0]) == c_tolower (name[0])
    && c_strcasecmp (m->fields[i].name, name) == 0;
}

const char *
msg_header (const struct msg *m, const char *name)
{
  size_t len = strlen (name);
  if (m->priv && m->priv->chain && len > 0)
    {
      /* In the text decode_fields lays out a field's value follows its name's NUL, so the
         name's length comes free. */
      const struct msg_private *p = m->priv;
      for (uint32_t j = p->bucket[field_bucket (name, len)]; j; j = p->chain[j - 1])
        {
          const struct msg_field *f = &m->fields[j - 1];
          if ((size_t) (f->value - f->name) != len + 1)
            continue;
          size_t k = 0;
          while (k < len && c_tolower (f->name[k]) == c_tolower (name[k]))
            k++;
          if (k == len)
            return f->value;
        }
      return NULL;
    }
  for (size_t i = 0; i < m->nfields; i++)
    if (field_named (m, i, name))
      return m->fields[i].value;
  return NULL;
}

/* ---- Positions ---- */

static void
build_line_index (const struct msg *m)
{
  struct msg_private *p = m->priv;
  p->lines_built = true;
  p->cr_only = memchr (m->raw, '\n', m->raw_len) == NULL;
  char eol = p->cr_only ? '\r' : '\n';
  size_t n = 1 + count_line_ends (m->raw, m->raw_len, p->cr_only);
  p->line_start = malloc (n * sizeof *p->line_start);
  if (!p->line_start)
    return;
  size_t k = 0;
  p->line_start[k++] = 0;
  const char *q = m->raw, *end = m->raw + m->raw_len;
  while ((q = memchr (q, eol, end - q)) != NULL)
    {
      q++;
      p->line_start[k++] = (uint32_t) (q - m->raw);
    }
  p->nlines = k;
}

/* Characters in RAW[FROM..TO): UTF-8 sequences, each invalid byte counting as one. */
static unsigned long
count_columns (const char *raw, size_t from, size_t to)
{
  unsigned long n = 0;
  for (size_t i = from; i < to;)
    {
      size_t run = charset_ascii_run ((const unsigned char *) raw + i, to - i);
      n += run;
      i += run;
      if (i >= to)
        break;
      size_t len = charset_utf8_len ((const unsigned char *) raw + i, to - i);
      i += len ? len : 1;
      n++;
    }
  return n;
}

struct msg_pos
msg_position (const struct msg *m, size_t off)
{
  if (!m->raw)
    return (struct msg_pos) { m->first_line, 1 };
  if (off > m->body_len)
    off = m->body_len;
  return msg_raw_position (m, m->src ? m->src[off] : 0);
}

struct msg_pos
msg_field_position (const struct msg *m, const char *name)
{
  for (size_t i = 0; i < m->nfields; i++)
    if (field_named (m, i, name))
      {
        /* The value starts after the colon and the blanks that follow it. */
        size_t o = m->fields[i].raw_off, end = o + m->fields[i].raw_len;
        while (o < end && m->raw[o] != ':')
          o++;
        if (o < end)
          o++;
        while (o < end && (m->raw[o] == ' ' || m->raw[o] == '\t'))
          o++;
        return msg_raw_position (m, o);
      }
  return msg_position (m, 0);
}

struct msg_pos
msg_raw_position (const struct msg *m, size_t o)
{
  struct msg_pos pos = { m->first_line, 1 };
  if (!m->raw)
    return pos;
  if (o > m->raw_len)
    o = m->raw_len;

  struct msg_private *p = m->priv;
  size_t line_idx, line_begin;
  /* A single lookup, the common case, is cheaper without the index of all lines. */
  if (p && !p->lines_built && p->looked_up)
    build_line_index (m);
  if (p)
    p->looked_up = true;
  if (p && p->line_start)
    {
      size_t lo = 0, hi = p->nlines;       /* last start <= o */
      /* Lookups mostly go forward through the text: start from the line of the last one and
         widen the step until the line of O is bracketed. */
      if (p->col_valid && p->col_line < p->nlines && p->line_start[p->col_line] <= o)
        {
          lo = p->col_line;
          for (size_t step = 1; lo + step < p->nlines && p->line_start[lo + step] <= o;
               step *= 2)
            lo += step;
          for (size_t step = 1; lo + step < hi; step *= 2)
            if (p->line_start[lo + step] > o)
              {
                hi = lo + step;
                break;
              }
        }
      while (hi - lo > 1)
        {
          size_t mid = lo + (hi - lo) / 2;
          if (p->line_start[mid] <= o)
            lo = mid;
          else
            hi = mid;
        }
      line_idx = lo;
      line_begin = p->line_start[lo];
    }
  else
    {
      bool cr_only = memchr (m->raw, '\n', m->raw_len) == NULL;
      char eol = cr_only ? '\r' : '\n';
      line_idx = count_line_ends (m->raw, o, cr_only);
      line_begin = o;
      while (line_begin > 0 && m->raw[line_begin - 1] != eol)
        line_begin--;
    }
  pos.line = m->first_line + line_idx;
  if (p && p->col_valid && p->col_line == line_idx && p->col_raw <= o)
    pos.col = p->col + count_columns (m->raw, p->col_raw, o);
  else
    pos.col = 1 + count_columns (m->raw, line_begin, o);
  if (p)
    {
      p->col_valid = true;
      p->col_line = line_idx;
      p->col_raw = o;
      p->col = pos.col;
    }
  return pos;
}

/* ---- Input ---- */

/* An mbox starts with a "From " line followed by a header block.  The header read to know goes
   to IN's look-ahead.  (The message will end before the next "From " line, after a blank line
   that ends this header block at the latest, so reading the header within the message alone
   gives the same fields.) */
static bool
mbox_from_line_at (struct msg_input *in, const char *s, size_t pos, size_t len)
{
  in->ahead_at = SIZE_MAX;
  if (len - pos < 5 || memcmp (s + pos, "From ", 5) != 0)
    return false;
  const char *nl = memchr (s + pos, '\n', len - pos);
  if (!nl)
    return false;
  size_t next = nl - s + 1;
  in->ahead.fields.n = 0;
  int mail = scan_header_block (s + next, len - next, &in->ahead.header_len, &in->ahead.fields);
  if (mail < 0)
    return msg_looks_like_mail (s + next, len - next);      /* no memory to keep it */
  in->ahead.mail = mail;
  if (mail)
    in->ahead_at = next;
  return mail > 0;
}

static struct msg_input *
input_new (const char *data, size_t len, char *owned)
{
  struct msg_input *in = calloc (1, sizeof *in);
  if (!in)
    return NULL;
  in->owned = owned;
  in->data = data ? data : "";
  in->len = data ? len : 0;
  in->line = 1;
  in->mbox = mbox_from_line_at (in, in->data, 0, in->len);
  return in;
}

struct msg_input *
msg_input_from_buffer (const char *buf, size_t len)
{
  return input_new (buf, len, NULL);
}

enum
{
  /* Regular files from this size on are mapped rather than read: an mbox of many megabytes
     then costs memory only for the pages of the message being read (msg_input_next gives
     back the ones behind it), not a copy of the whole file.  Smaller files, such as the one
     message of a mail hook, are simply read.  (A mapped file that another program truncates
     while we read it would fault; mbox writers append or replace the file, which is safe.) */
  MAP_FROM_BYTES = 256 * 1024,
};

/* Map the regular file FD of SIZE bytes as a new input; NULL if that is not possible. */
static struct msg_input *
input_map (int fd, size_t size)
{
  void *map = mmap (NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED)
    return NULL;
  posix_madvise (map, size, POSIX_MADV_SEQUENTIAL);
  struct msg_input *in = input_new (map, size, NULL);
  if (!in)
    {
      munmap (map, size);
      return NULL;
    }
  in->map = map;
  in->map_len = size;
  return in;
}

/* Drop from memory the mapped pages wholly before offset POS: the messages there are done.
   They stay readable (a private read-only mapping reads them from the file again), so
   msg_input_data and earlier messages' raw pointers stay valid; this only bounds the memory
   a long mbox keeps resident. */
static void
release_behind (struct msg_input *in, size_t pos)
{
  if (!in->map)
    return;
  long pagesize = sysconf (_SC_PAGESIZE);
  size_t page = pagesize > 0 ? (size_t) pagesize : 4096;
  size_t upto = pos / page * page;
  if (upto >= in->released + 16 * page)
    {
      madvise ((char *) in->map + in->released, upto - in->released, MADV_DONTNEED);
      in->released = upto;
    }
}

struct msg_input *
msg_input_open (const char *path)
{
  bool use_stdin = !path || strcmp (path, "-") == 0;
  int fd = use_stdin ? STDIN_FILENO : open (path, O_RDONLY);
  if (fd < 0)
    return NULL;
  size_t cap = 65536, len = 0;
  struct stat st;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0
      && (uintmax_t) st.st_size < SIZE_MAX - 2)
    {
      cap = (size_t) st.st_size + 1;
      struct msg_input *mapped = !use_stdin && cap > MAP_FROM_BYTES
        ? input_map (fd, cap - 1) : NULL;
      if (mapped)
        {
          close (fd);
          return mapped;
        }
    }
  char *buf = malloc (cap);
  if (!buf)
    goto fail;
  for (;;)
    {
      if (len == cap)
        {
          size_t ncap = cap < SIZE_MAX / 2 ? cap * 2 : SIZE_MAX;
          if (ncap == cap)
            {
              errno = ENOMEM;
              goto fail;
            }
          char *nb = realloc (buf, ncap);
          if (!nb)
            goto fail;
          buf = nb;
          cap = ncap;
        }
      ssize_t r = read (fd, buf + len, cap - len);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          goto fail;
        }
      if (r == 0)
        break;
      len += r;
    }
  if (!use_stdin)
    close (fd);
  struct msg_input *in = input_new (buf, len, buf);
  if (!in)
    free (buf);
  return in;
fail:
  {
    int saved = errno;
    free (buf);
    if (!use_stdin)
      close (fd);
    errno = saved;
  }
  return NULL;
}

bool
msg_input_is_mbox (const struct msg_input *in)
{
  return in->mbox;
}

const char *
msg_input_data (const struct msg_input *in, size_t *len)
{
  if (len)
    *len = in->len;
  return in->data;
}

/* The first "\nFrom " in S[POS..LEN), or NULL.  An 'F' is rare enough in mail that looking for
   it with memchr beats memmem; where it is not (a text of capitals), memmem takes over. */
static const char *
find_from_line (const char *s, size_t pos, size_t len)
{
  const char *p = s + pos + 1, *end = s + len, *start = p;
  size_t misses = 0;
  while (p + 5 <= end)
    {
      p = memchr (p, 'F', end - 4 - p);
      if (!p)
        return NULL;
      if (p[-1] == '\n' && memcmp (p, "From ", 5) == 0)
        return p - 1;
      p++;
      if (++misses > 64 && (size_t) (p - start) < misses * 16)
        return memmem (p - 1, end - (p - 1), "\nFrom ", 6);
    }
  return NULL;
}

/* The start of the next mbox "From " line after POS: at the start of a line that follows an
   empty line and is followed by a header block, so a "From " sentence in a body stays put. */
static size_t
next_mbox_message (struct msg_input *in, const char *s, size_t pos, size_t len)
{
  while (pos < len)
    {
      const char *q = find_from_line (s, pos, len);
      if (!q)
        return len;
      size_t at = q - s + 1;
      size_t before = q - s;    /* the '\n' ending the previous line */
      bool blank_before = (before >= 1 && s[before - 1] == '\n')
        || (before >= 2 && s[before - 1] == '\r' && s[before - 2] == '\n');
      if (blank_before && mbox_from_line_at (in, s, at, len))
        return at;
      pos = at;
    }
  return len;
}

int
msg_input_next (struct msg_input *in, struct msg *m)
{
  if (in->done)
    return 0;
  if (!in->mbox)
    {
      in->done = true;
      return msg_parse (m, in->data, in->len) < 0 ? -1 : 1;
    }
  if (in->pos >= in->len)
    {
      in->done = true;
      return 0;
    }
  const char *s = in->data;
  size_t from = in->pos;
  release_behind (in, from);
  const char *nl = memchr (s + from, '\n', in->len - from);
  size_t raw_start = nl ? (size_t) (nl - s) + 1 : in->len;
  /* The header of this message was read to find where the previous one ends. */
  bool known = in->ahead_at == raw_start;
  if (known)
    {
      struct header_scan t = in->current;
      in->current = in->ahead;
      in->ahead = t;
      in->ahead_at = SIZE_MAX;
    }
  size_t end = next_mbox_message (in, s, raw_start, in->len);
  unsigned long from_line_no = in->line;
  if (parse_message (m, s + raw_start, end - raw_start, known ? &in->current : NULL,
                     &in->charsets) < 0)
    return -1;
  m->from_line = s + from;
  m->from_line_len = raw_start - from;
  m->first_line = from_line_no + count_line_ends (s + from, raw_start - from, false);
  m->index = in->index++;
  in->line = m->first_line + count_line_ends (s + raw_start, end - raw_start, false);
  in->pos = end;
  if (end >= in->len)
    in->done = true;
  return 1;
}

void
msg_input_close (struct msg_input *in)
{
  if (!in)
    return;
  free (in->owned);
  mime_field_list_free (&in->ahead.fields);
  mime_field_list_free (&in->current.fields);
  charset_pool_free (&in->charsets);
  if (in->map)
    munmap (in->map, in->map_len);
  free (in);
}
