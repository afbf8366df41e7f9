/* mime.c: walk a message's MIME tree, undo transfer encodings and collect its readable text. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include "mime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "c-ctype.h"
#include "c-strcase.h"
#include "html.h"

/* The offset of the first CR or LF in S[POS..END), or END. */
static inline size_t
first_line_break (const char *s, size_t pos, size_t end)
{
  size_t i = pos;
#ifdef CHARSET_SSE2
  if (end - pos >= 16)
    {
      const __m128i lf = _mm_set1_epi8 ('\n'), cr = _mm_set1_epi8 ('\r');
      for (; i + 16 <= end; i += 16)
        {
          __m128i x = _mm_loadu_si128 ((const __m128i *) (s + i));
          unsigned m = (unsigned) _mm_movemask_epi8 (_mm_or_si128 (_mm_cmpeq_epi8 (x, lf),
                                                                   _mm_cmpeq_epi8 (x, cr)));
          if (m)
            return i + (size_t) __builtin_ctz (m);
        }
      if (i == end)
        return end;
      /* The last block overlaps the one before: look at its bytes from I on only. */
      __m128i x = _mm_loadu_si128 ((const __m128i *) (s + end - 16));
      unsigned m = (unsigned) _mm_movemask_epi8 (_mm_or_si128 (_mm_cmpeq_epi8 (x, lf),
                                                               _mm_cmpeq_epi8 (x, cr)));
      m >>= 16 - (end - i);
      return m ? i + (size_t) __builtin_ctz (m) : end;
    }
#endif
  while (i < end && s[i] != '\n' && s[i] != '\r')
    i++;
  return i;
}

/* The end of the line starting at POS in S[..END) (before its CRLF, LF or lone CR); *NEXT is set
   to the start of the following line.  Inline in the loops over header, base64 and
   quoted-printable lines: a call for every line cost more than finding the short lines' ends. */
static inline size_t
line_end (const char *s, size_t pos, size_t end, size_t *next)
{
  /* One look for the first CR or LF: an LF ends the line, a CR too (with the LF after it, if
     any: CRLF; old Mac files end lines with a lone CR). */
  size_t at = first_line_break (s, pos, end);
  if (at == end)
    *next = end;
  else if (s[at] == '\r' && at + 1 < end && s[at + 1] == '\n')
    *next = at + 2;
  else
    *next = at + 1;
  return at;
}

static inline bool
is_wsp (char c)
{
  return c == ' ' || c == '\t';
}

/* The end of the run of field-name characters (printable ASCII but ':') at S[POS..END). */
static inline size_t
field_name_end (const char *s, size_t pos, size_t end)
{
  size_t i = pos;
#ifdef CHARSET_SSE2
  const __m128i space = _mm_set1_epi8 (' '), del = _mm_set1_epi8 (0x7F);
  const __m128i colon = _mm_set1_epi8 (':');
  for (; i + 16 <= end; i += 16)
    {
      __m128i x = _mm_loadu_si128 ((const __m128i *) (s + i));
      /* Signed: the bytes from 0x80 on are negative, so not greater than a space. */
      __m128i ok = _mm_andnot_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (x, del),
                                                   _mm_cmpeq_epi8 (x, colon)),
                                     _mm_cmpgt_epi8 (x, space));
      unsigned stop = ~(unsigned) _mm_movemask_epi8 (ok) & 0xFFFFu;
      if (stop)
        return i + (size_t) __builtin_ctz (stop);
    }
#endif
  while (i < end && (unsigned char) s[i] > 32 && (unsigned char) s[i] < 127 && s[i] != ':')
    i++;
  return i;
}

bool
mime_header_next (const char *s, size_t end, size_t *pos, struct mime_field *f, size_t *body,
                  bool *blank)
{
  size_t p = *pos, next;
  *blank = false;
  if (p >= end)
    {
      *body = end;
      return false;
    }
  size_t le = line_end (s, p, end, &next);
  if (le == p)
    {
      *body = next;
      *blank = true;
      return false;
    }
  /* RFC 5322 field name: printable ASCII except ':', at least one, then the colon. */
  size_t i = field_name_end (s, p, le);
  if (i == p || i >= le || s[i] != ':')
    {
      *body = p;
      return false;
    }
  f->off = p;
  f->name_len = i - p;
  f->value_off = i + 1;
  p = next;
  while (p < end && is_wsp (s[p]))
    {
      line_end (s, p, end, &next);
      p = next;
    }
  f->end = p;
  *pos = p;
  return true;
}

int
mime_field_list_add (struct mime_field_list *list, const struct mime_field *f)
{
  if (list->n == list->cap)
    {
      size_t cap = list->cap ? list->cap * 2 : 32;
      struct mime_field *v = realloc (list->v, cap * sizeof *v);
      if (!v)
        return -1;
      list->v = v;
      list->cap = cap;
    }
  list->v[list->n++] = *f;
  return 0;
}

void
mime_field_list_free (struct mime_field_list *list)
{
  free (list->v);
  list->v = NULL;
  list->n = list->cap = 0;
}

/* The value of each base64 digit, -1 for every other byte. */
static const signed char base64_value[256] = {
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
  52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
  -1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
  15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
  -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
  41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
};

/* Whether C is a base64 digit or the padding '=': what isbase64 (C) || C == '=' says, without
   a call per byte. */
static inline bool
base64_or_pad (char c)
{
  return base64_value[(unsigned char) c] >= 0 || c == '=';
}

/* ---- RFC 2047 ---- */

static int
decode_base64_bytes (struct mbuf *out, const char *s, size_t len, uint32_t src)
{
  struct base64_decode_context ctx;
  char buf[512];
  base64_decode_ctx_init (&ctx);
  size_t i = 0;
  while (i < len)
    {
      char in[256];
      size_t n = 0;
      while (i < len && n < sizeof in)
        {
          if (base64_or_pad (s[i]))
            in[n++] = s[i];
          i++;
        }
      idx_t outlen = sizeof buf;
      if (!base64_decode_ctx (&ctx, in, n, buf, &outlen))
        base64_decode_ctx_init (&ctx);
      if (mbuf_reserve (out, outlen) < 0)
        return -1;
      for (idx_t k = 0; k < outlen; k++)
        mbuf_put (out, buf[k], src);
    }
  if (ctx.i == 2 || ctx.i == 3)
    {
      /* Truncated: pad the last quantum so its bytes are not lost. */
      idx_t outlen = sizeof buf;
      base64_decode_ctx (&ctx, ctx.i == 2 ? "==" : "=", ctx.i == 2 ? 2 : 1, buf, &outlen);
      if (mbuf_reserve (out, outlen) < 0)
        return -1;
      for (idx_t k = 0; k < outlen; k++)
        mbuf_put (out, buf[k], src);
    }
  return 0;
}

static int
hexval (char c)
{
  if (c_isdigit (c))
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Parse the encoded word at S[I..LEN) ("=?charset?X?text?="); return its length or 0. */
static size_t
encoded_word (const char *s, size_t i, size_t len, size_t *cs_off, size_t *cs_len, char *enc,
              size_t *text_off, size_t *text_len)
{
  size_t p = i + 2;
  *cs_off = p;
  while (p < len && s[p] != '?' && !is_wsp (s[p]) && p - *cs_off < 64)
    p++;
  if (p + 3 >= len || s[p] != '?' || p == *cs_off)
    return 0;
  *cs_len = p - *cs_off;
  *enc = c_toupper (s[p + 1]);
  if ((*enc != 'B' && *enc != 'Q') || s[p + 2] != '?')
    return 0;
  *text_off = p + 3;
  /* Sloppy senders put blanks inside Q words; allow them, but not across too much text. */
  for (size_t q = *text_off; q + 1 < len && q - *text_off < 300; q++)
    if (s[q] == '?' && s[q + 1] == '=')
      {
        *text_len = q - *text_off;
        return q + 2 - i;
      }
  return 0;
}

/* Append S[0..LEN) sniffed (UTF-8 or Windows-1252) to OUT. */
static int
append_sniffed (struct mbuf *out, const char *s, size_t len, struct charset_cache *cache,
                struct mwarn *w)
{
  struct mspan sp = { s, NULL, 0, len };
  return charset_to_utf8 (out, &sp, NULL, 0, cache, w);
}

/* Whether one of the eight bytes of W is not printable ASCII or is '=': a byte
   mime_decode_header's plain path must look at. */
static inline bool
header_word_special (uint64_t w)
{
  const uint64_t ones = UINT64_C (0x0101010101010101), highs = UINT64_C (0x8080808080808080);
  uint64_t below_space = (w - ones * 0x20) & ~w;
  uint64_t del = w ^ (ones * 0x7F), eq = w ^ (ones * '=');
  uint64_t del_zero = (del - ones) & ~del, eq_zero = (eq - ones) & ~eq;
  return ((w | below_space | del_zero | eq_zero) & highs) != 0;
}

/* The length of the run of printable ASCII other than '=' at S[0..LEN). */
static size_t
header_plain_run (const char *s, size_t len)
{
  size_t i = 0;
#ifdef CHARSET_SSE2
  if (len >= 16)
    {
      /* Signed compares: the bytes from 0x80 on are negative, so below a space. */
      const __m128i space = _mm_set1_epi8 (' '), del = _mm_set1_epi8 (0x7F);
      const __m128i eq = _mm_set1_epi8 ('=');
      for (;; i += 16)
        {
          /* The last block overlaps the one before, so as not to read past LEN. */
          size_t at = i + 16 <= len ? i : len - 16;
          __m128i x = _mm_loadu_si128 ((const __m128i *) (s + at));
          __m128i special = _mm_or_si128 (_mm_cmplt_epi8 (x, space),
                                          _mm_or_si128 (_mm_cmpeq_epi8 (x, del),
                                                        _mm_cmpeq_epi8 (x, eq)));
          unsigned m = (unsigned) _mm_movemask_epi8 (special) >> (i - at);
          if (m)
            return i + (size_t) __builtin_ctz (m);
          if (i + 16 >= len)
            return len;
        }
    }
#else
  while (i + 8 <= len)
    {
      uint64_t w;
      memcpy (&w, s + i, 8);
      if (header_word_special (w))
        break;
      i += 8;
    }
#endif
  while (i < len && (unsigned char) s[i] >= 0x20 && (unsigned char) s[i] < 0x7F && s[i] != '=')
    i++;
  return i;
}

enum { HEADER_FOLD = -1, HEADER_GENERAL = -2 };

/* How plain_header_copy and plain_header_text read the byte S[K] of a header value (LEN
   bytes) that is not printable ASCII other than '=', or is '=': HEADER_FOLD for a line break
   that folds (CRLF + white space: it disappears), HEADER_GENERAL for what only the general
   path reads (a control byte, a byte above ASCII, "=?"), else the byte to write (a space for
   any other line break or a tab, '=' itself). */
static inline int
header_special (const char *s, size_t k, size_t len)
{
  unsigned char c = (unsigned char) s[k];
  if (c == '\r' || c == '\n')
    return k + 1 < len && (s[k + 1] == '\n' || is_wsp (s[k + 1])) ? HEADER_FOLD : ' ';
  if (c == '\t')
    return ' ';
  if (c < 0x20 || c > 0x7E || (c == '=' && k + 1 < len && s[k + 1] == '?'))
    return HEADER_GENERAL;
  return c;
}

/* Write the header value S[0..LEN) to DST as the general path of mime_decode_header would, if
   it is printable ASCII without an encoded word, as most values are; return the bytes written
   (a NUL follows them), or SIZE_MAX if the value needs the general path.  DST has room for
   LEN + 1 bytes: unfolding and trimming never lengthen a value.  DSRC, if not NULL, gets each
   byte's offset in S (plain_header_text below is the same without them, for decode_fields,
   which has no use for them).  One pass: the general path's search
   for encoded words, charset sniffing and unfolding cost three.  Runs of ordinary characters
   are copied at once. */
static inline size_t
plain_header_copy (char *dst, uint32_t *dsrc, const char *s, size_t len)
{
  size_t o = 0;
  for (size_t k = 0; k < len;)
    {
      size_t run = header_plain_run (s + k, len - k);
      if (run)
        {
          size_t from = k;
          if (o == 0)
            while (from < k + run && s[from] == ' ')
              from++;
          memcpy (dst + o, s + from, k + run - from);
          if (dsrc)
            mbuf_fill_src (dsrc + o, (uint32_t) from, k + run - from);
          o += k + run - from;
          k += run;
          if (k >= len)
            break;
        }
      int c = header_special (s, k, len);
      if (c == HEADER_GENERAL)
        return SIZE_MAX;
      if (c == HEADER_FOLD)
        {
          k++;
          continue;
        }
      if (!(c == ' ' && o == 0))
        {
          dst[o] = (char) c;
          if (dsrc)
            dsrc[o] = (uint32_t) k;
          o++;
        }
      k++;
    }
  while (o > 0 && dst[o - 1] == ' ')
    o--;
  dst[o] = '\0';
  return o;
}

#ifdef CHARSET_SSE2
/* The bytes of X that plain_header_text must look at (not printable ASCII, or '='), one bit
   each, first byte lowest. */
static inline unsigned
header_special_mask (__m128i x)
{
  /* Signed compares: the bytes from 0x80 on are negative, so below a space. */
  const __m128i space = _mm_set1_epi8 (' '), del = _mm_set1_epi8 (0x7F);
  const __m128i eq = _mm_set1_epi8 ('=');
  __m128i special = _mm_or_si128 (_mm_cmplt_epi8 (x, space),
                                  _mm_or_si128 (_mm_cmpeq_epi8 (x, del), _mm_cmpeq_epi8 (x, eq)));
  return (unsigned) _mm_movemask_epi8 (special);
}
#endif

/* Copy N bytes, N < 16, from SRC to DST by two overlapping moves at most, not a call. */
static inline void
copy_short (char *dst, const char *src, size_t n)
{
  if (n >= 8)
    {
      uint64_t a, b;
      memcpy (&a, src, 8);
      memcpy (&b, src + n - 8, 8);
      memcpy (dst, &a, 8);
      memcpy (dst + n - 8, &b, 8);
    }
  else if (n >= 4)
    {
      uint32_t a, b;
      memcpy (&a, src, 4);
      memcpy (&b, src + n - 4, 4);
      memcpy (dst, &a, 4);
      memcpy (dst + n - 4, &b, 4);
    }
  else if (n)
    {
      dst[0] = src[0];
      dst[n / 2] = src[n / 2];
      dst[n - 1] = src[n - 1];
    }
}

/* Copy the run of printable ASCII other than '=' at S[K..LEN), which starts with such a byte,
   to DST; return its length.  DST may be written up to DST[LEN - K): the whole blocks are
   stored before they are checked, and only their bytes up to the first one that ends the run
   count.  The rest, fewer than sixteen bytes, is judged by one load (overlapping the bytes
   before it, or from a padded copy when the value is shorter than sixteen) and copied by
   copy_short, not byte by byte. */
static inline size_t
copy_plain_run (char *dst, const char *s, size_t k, size_t len)
{
  size_t n = 0;
#ifdef CHARSET_SSE2
  for (; k + n + 16 <= len; n += 16)
    {
      __m128i x = _mm_loadu_si128 ((const __m128i *) (s + k + n));
      _mm_storeu_si128 ((__m128i *) (dst + n), x);
      unsigned m = header_special_mask (x);
      if (m)
        return n + (size_t) __builtin_ctz (m);
    }
  size_t rest = len - k - n;
  if (rest == 0)
    return n;
  unsigned m;
  if (len >= 16)
    m = header_special_mask (_mm_loadu_si128 ((const __m128i *) (s + len - 16))) >> (16 - rest);
  else
    {
      /* The padding is NULs, which end the run where the value does. */
      char pad[16] = { 0 };
      copy_short (pad, s + k + n, rest);
      m = header_special_mask (_mm_loadu_si128 ((const __m128i *) pad));
    }
  size_t tail = m ? (size_t) __builtin_ctz (m) : rest;
  if (tail > rest)
    tail = rest;
  copy_short (dst + n, s + k + n, tail);
  return n + tail;
#else
  while (k + n + 8 <= len)
    {
      uint64_t w;
      memcpy (&w, s + k + n, 8);
      if (header_word_special (w))
        break;
      memcpy (dst + n, &w, 8);
      n += 8;
    }
  while (k + n < len && (unsigned char) s[k + n] >= 0x20 && (unsigned char) s[k + n] < 0x7F
         && s[k + n] != '=')
    {
      dst[n] = s[k + n];
      n++;
    }
  return n;
#endif
}

/* plain_header_copy without source offsets, for mime_decode_header_text: the same bytes, but
   each run is written as it is checked (copy_plain_run), so that it costs neither a call of
   memcpy nor a second pass.  The output never gets ahead of the input, so DST[0..LEN] is room
   enough. */
static inline size_t
plain_header_text (char *dst, const char *s, size_t len)
{
  size_t o = 0, k = 0;
  while (k < len)
    {
      char c = s[k];
      if ((unsigned char) c >= 0x20 && (unsigned char) c < 0x7F && c != '=')
        {
          if (c == ' ' && o == 0)
            {
              k++;
              continue;
            }
          size_t run = copy_plain_run (dst + o, s, k, len);
          o += run;
          k += run;
          continue;
        }
      int special = header_special (s, k, len);
      if (special == HEADER_GENERAL)
        return SIZE_MAX;
      if (special == HEADER_FOLD)
        {
          k++;
          continue;
        }
      if (!(special == ' ' && o == 0))
        dst[o++] = (char) special;
      k++;
    }
  while (o > 0 && dst[o - 1] == ' ')
    o--;
  dst[o] = '\0';
  return o;
}

/* Append the header value S[0..LEN) to OUT by plain_header_copy: return 1 if done, 0 if the
   value needs the general path (OUT unchanged), -1 if out of memory. */
static int
append_plain_header (struct mbuf *out, const char *s, size_t len)
{
  if (mbuf_reserve (out, len) < 0)
    return -1;
  size_t n = plain_header_copy (out->s + out->len, out->src + out->len, s, len);
  if (n == SIZE_MAX)
    return 0;
  out->len += n;
  return 1;
}

int
mime_decode_header (struct mbuf *out, const char *s, size_t len, struct charset_cache *cache,
                    struct mwarn *w)
{
  int plain = append_plain_header (out, s, len);
  if (plain != 0)
    return plain < 0 ? -1 : 0;

  size_t mark = out->len;
  struct mbuf word = { 0 };
  int rc = 0;
  size_t i = 0, plain_start = 0;
  bool after_word = false;

  while (i < len)
    {
      const char *q = memmem (s + i, len - i, "=?", 2);
      if (!q)
        break;
      size_t at = q - s;
      size_t cs_off, cs_len, text_off, text_len;
      char enc;
      size_t wlen = encoded_word (s, at, len, &cs_off, &cs_len, &enc, &text_off, &text_len);
      if (!wlen)
        {
          i = at + 2;
          continue;
        }
      /* Text between two encoded words that is only white space is dropped (RFC 2047 6.2). */
      bool only_space = true;
      for (size_t k = plain_start; k < at; k++)
        if (!(is_wsp (s[k]) || s[k] == '\r' || s[k] == '\n'))
          only_space = false;
      if (!(after_word && only_space)
          && append_sniffed (out, s + plain_start, at - plain_start, cache, w) < 0)
        goto fail;
      word.len = 0;
      if (enc == 'B')
        {
          if (decode_base64_bytes (&word, s + text_off, text_len, 0) < 0)
            goto fail;
        }
      else
        {
          if (mbuf_reserve (&word, text_len) < 0)
            goto fail;
          for (size_t k = text_off; k < text_off + text_len; k++)
            {
              int hi, lo;
              if (s[k] == '_')
                mbuf_put (&word, ' ', 0);
              else if (s[k] == '=' && k + 2 < text_off + text_len
                       && (hi = hexval (s[k + 1])) >= 0 && (lo = hexval (s[k + 2])) >= 0)
                {
                  mbuf_put (&word, (char) (hi * 16 + lo), 0);
                  k += 2;
                }
              else
                mbuf_put (&word, s[k], 0);
            }
        }
      struct mspan sp = { word.s, NULL, 0, word.len };
      if (charset_to_utf8 (out, &sp, s + cs_off, cs_len, cache, w) < 0)
        goto fail;
      i = plain_start = at + wlen;
      after_word = true;
    }
  if (append_sniffed (out, s + plain_start, len - plain_start, cache, w) < 0)
    goto fail;

  /* Unfold, turn control line breaks and tabs into spaces, drop NULs, trim. */
  {
    size_t o = mark;
    for (size_t k = mark; k < out->len; k++)
      {
        char c = out->s[k];
        if (c == '\0')
          continue;
        if (c == '\r' || c == '\n')
          {
            /* A fold is CRLF + WSP: the line break itself disappears. */
            if (k + 1 < out->len && (out->s[k + 1] == '\n' || is_wsp (out->s[k + 1])))
              continue;
            c = ' ';
          }
        if (c == '\t')
          c = ' ';
        if (c == ' ' && (o == mark))
          continue;
        out->s[o++] = c;
      }
    while (o > mark && out->s[o - 1] == ' ')
      o--;
    out->len = o;
  }
  if (mbuf_reserve (out, 1) < 0)
    goto fail;
  out->s[out->len] = '\0';
  mbuf_free (&word);
  return rc;
fail:
  mbuf_free (&word);
  return -1;
}

int
mime_decode_header_text (struct mtext *out, const char *s, size_t len, struct mbuf *scratch,
                         struct charset_cache *cache, struct mwarn *w)
{
  if (mtext_reserve (out, len + 1) < 0)
    return -1;
  size_t n = plain_header_text (out->s + out->len, s, len);
  if (n == SIZE_MAX)
    {
      scratch->len = 0;
      if (mime_decode_header (scratch, s, len, cache, w) < 0)
        return -1;
      n = scratch->len;
      if (mtext_reserve (out, n + 1) < 0)
        return -1;
      memcpy (out->s + out->len, scratch->s, n);
      out->s[out->len + n] = '\0';
    }
  out->len += n + 1;
  return 0;
}

int
mtext_grow (struct mtext *t, size_t extra)
{
  if (extra > SIZE_MAX / 2 - t->len)
    {
      errno = ENOMEM;
      return -1;
    }
  size_t cap = t->cap ? t->cap : 256;
  while (cap < t->len + extra)
    cap = cap / 2 * 3 + 64;
  char *s = realloc (t->s, cap);
  if (!s)
    return -1;
  t->s = s;
  t->cap = cap;
  return 0;
}

/* ---- Content-Type and friends ---- */

struct part_info
{
  size_t body_start, end;
  char type[32], subtype[64];
  char charset[48];
  bool has_charset;
  char boundary[256];
  bool has_boundary;
  bool has_type;
  bool attachment;
  enum { CTE_IDENTITY, CTE_QP, CTE_BASE64 } cte;
};

/* Copy the string SRC into DST of SIZE bytes, cut if need be. */
static void
copy_cut (char *dst, size_t size, const char *src)
{
  size_t n = strlen (src);
  if (n >= size)
    n = size - 1;
  memcpy (dst, src, n);
  dst[n] = '\0';
}

static bool
is_space_or_eol (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copy the first token of the value S[0..LEN), lower-cased, to OUT. */
static size_t
first_token (const char *s, size_t len, char *out, size_t outsize)
{
  size_t i = 0, n = 0;
  while (i < len && (is_space_or_eol (s[i]) || s[i] == '"'))
    i++;
  while (i < len && !is_space_or_eol (s[i]) && s[i] != ';' && s[i] != '"' && s[i] != '('
         && s[i] != '/')
    {
      if (n + 1 < outsize)
        out[n++] = c_tolower (s[i]);
      i++;
    }
  out[n] = '\0';
  return i;
}

/* One parameter value as written: a quoted string (escapes removed) or a token. */
static size_t
read_param_value (const char *s, size_t i, size_t len, char *out, size_t outsize, size_t *outlen)
{
  size_t n = 0;
  if (i < len && s[i] == '"')
    {
      i++;
      while (i < len && s[i] != '"')
        {
          if (s[i] == '\\' && i + 1 < len)
            i++;
          if (s[i] != '\r' && s[i] != '\n' && n + 1 < outsize)
            out[n++] = s[i];
          i++;
        }
      if (i < len)
        i++;
    }
  else
    while (i < len && s[i] != ';' && !is_space_or_eol (s[i]))
      {
        if (n + 1 < outsize)
          out[n++] = s[i];
        i++;
      }
  out[n] = '\0';
  *outlen = n;
  return i;
}

/* Undo RFC 2231 percent encoding in place; with CHARSET_PREFIX skip "charset'lang'" first. */
static size_t
rfc2231_decode (char *v, size_t len, bool charset_prefix)
{
  size_t i = 0, o = 0;
  if (charset_prefix)
    {
      char *q1 = memchr (v, '\'', len);
      char *q2 = q1 ? memchr (q1 + 1, '\'', len - (q1 + 1 - v)) : NULL;
      if (q2)
        i = q2 + 1 - v;
    }
  for (; i < len; i++)
    {
      int hi, lo;
      if (v[i] == '%' && i + 2 < len && (hi = hexval (v[i + 1])) >= 0
          && (lo = hexval (v[i + 2])) >= 0)
        {
          v[o++] = (char) (hi * 16 + lo);
          i += 2;
        }
      else
        v[o++] = v[i];
    }
  v[o] = '\0';
  return o;
}

/* Find parameter NAME in the Content-Type-like value S[0..LEN) and copy its value to OUT,
   joining RFC 2231 continuations (name*0, name*1*, ...).  Return true if it was there. */
static bool
get_param (const char *s, size_t len, const char *name, char *out, size_t outsize)
{
  enum { MAX_PIECES = 16 };
  char pieces[MAX_PIECES][64];
  size_t piece_len[MAX_PIECES];
  bool have_piece[MAX_PIECES] = { false };
  bool found_plain = false, found_ext = false, found_pieces = false;
  size_t name_len = strlen (name);
  size_t i = 0;

  /* Skip the type itself. */
  while (i < len && s[i] != ';')
    {
      if (s[i] == '"')
        {
          const char *q = memchr (s + i + 1, '"', len - i - 1);
          i = q ? (size_t) (q - s) : len;
        }
      i++;
    }
  while (i < len)
    {
      while (i < len && (s[i] == ';' || is_space_or_eol (s[i])))
        i++;
      size_t attr = i;
      while (i < len && s[i] != '=' && s[i] != ';' && !is_space_or_eol (s[i]))
        i++;
      size_t attr_len = i - attr;
      while (i < len && is_space_or_eol (s[i]))
        i++;
      if (i >= len || s[i] != '=')
        {
          /* A token without a value: skip to the next ';'. */
          while (i < len && s[i] != ';')
            i++;
          continue;
        }
      i++;
      while (i < len && is_space_or_eol (s[i]))
        i++;
      char value[256];
      size_t vlen;
      i = read_param_value (s, i, len, value, sizeof value, &vlen);
      if (attr_len < name_len || c_strncasecmp (s + attr, name, name_len) != 0)
        continue;
      const char *rest = s + attr + name_len;
      size_t rest_len = attr_len - name_len;
      if (rest_len == 0)
        {
          if (!found_plain)
            copy_cut (out, outsize, value);
          found_plain = true;
        }
      else if (rest_len == 1 && rest[0] == '*')
        {
          vlen = rfc2231_decode (value, vlen, true);
          copy_cut (out, outsize, value);
          found_ext = true;
        }
      else if (rest[0] == '*' && c_isdigit (rest[1]))
        {
          unsigned idx = 0;
          size_t k = 1;
          while (k < rest_len && c_isdigit (rest[k]) && idx < 1000)
            idx = idx * 10 + (rest[k++] - '0');
          bool extended = k < rest_len && rest[k] == '*';
          if (k + extended != rest_len || idx >= MAX_PIECES)
            continue;
          if (extended)
            vlen = rfc2231_decode (value, vlen, idx == 0);
          copy_cut (pieces[idx], sizeof pieces[idx], value);
          piece_len[idx] = strlen (pieces[idx]);
          have_piece[idx] = true;
          found_pieces = true;
        }
    }
  if (found_pieces && !found_ext)
    {
      size_t n = 0;
      for (size_t k = 0; k < MAX_PIECES && have_piece[k]; k++)
        for (size_t j = 0; j < piece_len[k] && n + 1 < outsize; j++)
          out[n++] = pieces[k][j];
      out[n] = '\0';
      return true;
    }
  return found_plain || found_ext;
}

static void
parse_content_type (struct part_info *pi, const char *v, size_t len)
{
  char token[128];
  size_t i = first_token (v, len, token, sizeof token);
  /* "type/subtype"; anything else counts as text/plain, as RFC 2045 says. */
  if (i < len && v[i] == '/' && token[0])
    {
      copy_cut (pi->type, sizeof pi->type, token);
      first_token (v + i + 1, len - i - 1, token, sizeof token);
      copy_cut (pi->subtype, sizeof pi->subtype, token);
      pi->has_type = true;
    }
  pi->has_charset = get_param (v, len, "charset", pi->charset, sizeof pi->charset);
  pi->has_boundary = get_param (v, len, "boundary", pi->boundary, sizeof pi->boundary)
    && pi->boundary[0];
}

static bool
field_is_n (const char *s, const struct mime_field *f, const char *name, size_t name_len)
{
  return f->name_len == name_len && c_toupper (s[f->off]) == name[0]
    && c_strncasecmp (s + f->off, name, name_len) == 0;
}

/* Whether field F of S is called NAME (a string literal), in any case. */
#define field_is(s, f, name) field_is_n (s, f, name, sizeof name - 1)

/* The defaults of a part before its header is read: text/plain, or message/rfc822 in a digest. */
static void
part_info_init (struct part_info *pi, bool digest, size_t end)
{
  memset (pi, 0, sizeof *pi);
  strcpy (pi->type, digest ? "message" : "text");
  strcpy (pi->subtype, digest ? "rfc822" : "plain");
  pi->end = end;
}

/* Take what header field F of RAW says about the part into PI. */
static void
part_info_field (struct part_info *pi, const char *s, const struct mime_field *f)
{
  const char *v = s + f->value_off;
  size_t vlen = f->end - f->value_off;
  if (field_is (s, f, "Content-Type"))
    parse_content_type (pi, v, vlen);
  else if (field_is (s, f, "Content-Transfer-Encoding"))
    {
      char token[32];
      first_token (v, vlen, token, sizeof token);
      pi->cte = strcmp (token, "base64") == 0 ? CTE_BASE64
        : strcmp (token, "quoted-printable") == 0 ? CTE_QP : CTE_IDENTITY;
    }
  else if (field_is (s, f, "Content-Disposition"))
    {
      char token[32];
      first_token (v, vlen, token, sizeof token);
      pi->attachment = strcmp (token, "attachment") == 0;
    }
}

/* Whether a field whose name is LEN bytes long may be one part_info_field looks at
   (Content-Type, Content-Disposition, Content-Transfer-Encoding): a mail has two dozen
   fields, nearly all of other lengths, and this spares them the call. */
static inline bool
part_field_length (size_t len)
{
  return len == sizeof "Content-Type" - 1 || len == sizeof "Content-Disposition" - 1
    || len == sizeof "Content-Transfer-Encoding" - 1;
}

/* Read the header of the entity RAW[START..END). */
static void
parse_part_header (const struct mime_ctx *c, size_t start, size_t end, bool digest,
                   struct part_info *pi)
{
  struct mime_field f;
  size_t pos = start;
  bool blank;
  part_info_init (pi, digest, end);
  while (mime_header_next (c->raw, end, &pos, &f, &pi->body_start, &blank))
    if (part_field_length (f.name_len))
      part_info_field (pi, c->raw, &f);
}

/* ---- Transfer encodings ---- */

/* Copy the text of a quoted-printable line at S[I..TE) up to its first '=' (or all of it) to DST;
   return the bytes copied.  DST may be written up to DST[TE - I): sixteen-byte blocks are stored
   before they are checked, as far as the input has whole blocks (decoding never lengthens the
   text, so the output has that room), and the rest is judged by one load of the sixteen bytes
   that end at TE and copied by copy_short.  A memchr and a memcpy call for every run between two
   '=' cost more than the short runs of a QP line. */
static inline size_t
copy_qp_run (char *dst, const char *s, size_t i, size_t te)
{
  size_t n = 0;
#ifdef CHARSET_SSE2
  const __m128i eq = _mm_set1_epi8 ('=');
  for (; i + n + 16 <= te; n += 16)
    {
      __m128i x = _mm_loadu_si128 ((const __m128i *) (s + i + n));
      _mm_storeu_si128 ((__m128i *) (dst + n), x);
      unsigned m = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (x, eq));
      if (m)
        return n + (size_t) __builtin_ctz (m);
    }
  size_t rest = te - i - n;
  if (rest == 0)
    return n;
  if (te >= 16)
    {
      /* The load may start before I (in the bytes already read): only its last REST count. */
      __m128i x = _mm_loadu_si128 ((const __m128i *) (s + te - 16));
      unsigned m = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (x, eq)) >> (16 - rest);
      size_t tail = m ? (size_t) __builtin_ctz (m) : rest;
      copy_short (dst + n, s + i + n, tail);
      return n + tail;
    }
#endif
  while (i + n < te && s[i + n] != '=')
    {
      dst[n] = s[i + n];
      n++;
    }
  return n;
}

static int
decode_quoted_printable (struct mbuf *out, const char *s, size_t start, size_t end)
{
  out->len = 0;
  if (mbuf_reserve (out, end - start) < 0)
    return -1;
  for (size_t p = start; p < end;)
    {
      size_t next;
      size_t le = line_end (s, p, end, &next);
      size_t te = le;
      /* Trailing white space was added in transport (RFC 2045 6.7 rule 3). */
      while (te > p && is_wsp (s[te - 1]))
        te--;
      bool soft = te > p && s[te - 1] == '=';
      if (soft)
        te--;
      for (size_t i = p; i < te;)
        {
          /* The text up to the next '=' is itself. */
          size_t run = copy_qp_run (out->s + out->len, s, i, te);
          mbuf_fill_src (out->src + out->len, (uint32_t) i, run);
          out->len += run;
          i += run;
          if (i >= te)
            break;
          int hi, lo;
          if (i + 2 < te && (hi = hexval (s[i + 1])) >= 0 && (lo = hexval (s[i + 2])) >= 0)
            {
              mbuf_put (out, (char) (hi * 16 + lo), (uint32_t) i);
              i += 3;
            }
          else
            {
              mbuf_put (out, '=', (uint32_t) i);
              i++;
            }
        }
      if (!soft && next > le)
        mbuf_put (out, '\n', (uint32_t) le);
      p = next;
    }
  return 0;
}

/* Decode the base64 line S[0..LEN) into OUT if it is whole quanta of digits only, as almost
   every line of a body is; return false (OUT unchanged) for anything else.  Output byte K of
   a quantum at S + 4Q gets the offset of digit 4Q + K, as decode_base64's general path gives
   it when no digits are carried over from the line before.  OUT has room. */
static bool
decode_base64_line (struct mbuf *out, const char *s, size_t len, uint32_t src)
{
  if (len % 4 != 0)
    return false;
  const unsigned char *u = (const unsigned char *) s;
  char *o = out->s + out->len;
  uint32_t *os = out->src + out->len;
  for (size_t q = 0; q < len; q += 4)
    {
      int a = base64_value[u[q]], b = base64_value[u[q + 1]];
      int c = base64_value[u[q + 2]], d = base64_value[u[q + 3]];
      if ((a | b | c | d) < 0)
        return false;
      uint32_t v = (uint32_t) a << 18 | (uint32_t) b << 12 | (uint32_t) c << 6 | (uint32_t) d;
      o[0] = (char) (v >> 16);
      o[1] = (char) (v >> 8);
      o[2] = (char) v;
      os[0] = src + (uint32_t) q;
      os[1] = src + (uint32_t) q + 1;
      os[2] = src + (uint32_t) q + 2;
      o += 3;
      os += 3;
    }
  out->len = o - out->s;
  return true;
}

static int
decode_base64 (struct mbuf *out, const char *s, size_t start, size_t end)
{
  struct base64_decode_context ctx;
  out->len = 0;
  if (mbuf_reserve (out, (end - start) / 4 * 3 + 3) < 0)
    return -1;
  base64_decode_ctx_init (&ctx);
  for (size_t p = start; p < end;)
    {
      size_t next;
      size_t le = line_end (s, p, end, &next);
      if (ctx.i == 0 && le > p)
        {
          if (mbuf_reserve (out, (le - p) / 4 * 3) < 0)
            return -1;
          if (decode_base64_line (out, s + p, le - p, (uint32_t) p))
            {
              p = next;
              continue;
            }
        }
      /* Long lines go in slices; each slice's bytes are mapped into the slice. */
      while (p < le)
        {
          char in[1024];
          uint32_t where[1024];
          size_t n = 0;
          while (p < le && n < sizeof in)
            {
              if (base64_or_pad (s[p]))
                {
                  where[n] = (uint32_t) p;
                  in[n++] = s[p];
                }
              p++;
            }
          if (n == 0)
            break;
          int carried = ctx.i;
          idx_t outlen = (idx_t) (n / 4 * 3 + 6);
          if (mbuf_reserve (out, outlen) < 0)
            return -1;
          if (!base64_decode_ctx (&ctx, in, n, out->s + out->len, &outlen))
            base64_decode_ctx_init (&ctx);
          for (idx_t k = 0; k < outlen; k++)
            {
              long idx = (long) (k * 4 / 3) - carried;
              if (idx < 0)
                idx = 0;
              if ((size_t) idx >= n)
                idx = n - 1;
              out->src[out->len + k] = where[idx];
            }
          out->len += outlen;
        }
      p = next;
    }
  if (ctx.i == 2 || ctx.i == 3)
    {
      char buf[4];
      idx_t outlen = sizeof buf;
      base64_decode_ctx (&ctx, ctx.i == 2 ? "==" : "=", ctx.i == 2 ? 2 : 1, buf, &outlen);
      if (mbuf_reserve (out, outlen) < 0)
        return -1;
      for (idx_t k = 0; k < outlen; k++)
        mbuf_put (out, buf[k], (uint32_t) (end > start ? end - 1 : start));
    }
  return 0;
}

/* ---- Assembling the body ---- */

/* Make CR LF and lone CR '\n' and drop NULs in BODY[MARK..], in place. */
static void
normalize_tail (struct mbuf *b, size_t mark)
{
  if (mark >= b->len
      || (!memchr (b->s + mark, '\r', b->len - mark) && !memchr (b->s + mark, '\0', b->len - mark)))
    return;
  size_t o = mark;
  for (size_t i = mark; i < b->len; i++)
    {
      char ch = b->s[i];
      if (ch == '\0')
        continue;
      if (ch == '\r')
        {
          ch = '\n';
          b->src[o] = b->src[i];
          b->s[o++] = ch;
          if (i + 1 < b->len && b->s[i + 1] == '\n')
            i++;
          continue;
        }
      b->src[o] = b->src[i];
      b->s[o++] = ch;
    }
  b->len = o;
}

/* Before another part's text: end the previous text with a blank line. */
static int
separate_parts (struct mime_ctx *c, uint32_t src)
{
  struct mbuf *b = c->body;
  if (b->len == 0)
    return 0;
  if (mbuf_reserve (b, 2) < 0)
    return -1;
  if (b->s[b->len - 1] != '\n')
    mbuf_put (b, '\n', src);
  if (b->len < 2 || b->s[b->len - 2] != '\n')
    mbuf_put (b, '\n', src);
  return 0;
}

static bool
has_visible_text (const struct mbuf *b, size_t from)
{
  for (size_t i = from; i < b->len; i++)
    if (!c_isspace (b->s[i]))
      return true;
  return false;
}

/* The charset an HTML part declares in a <meta> tag near its start, or NULL. */
static const char *
html_meta_charset (const char *s, size_t len, size_t *label_len)
{
  if (len > 4096)
    len = 4096;
  for (size_t i = 0; i + 8 < len; i++)
    {
      const char *q = memchr (s + i, '=', len - i);
      if (!q)
        return NULL;
      i = q - s;
      if (i < 7 || c_strncasecmp (s + i - 7, "charset", 7) != 0)
        continue;
      size_t p = i + 1;
      while (p < len && (s[p] == '"' || s[p] == '\'' || is_wsp (s[p])))
        p++;
      size_t start = p;
      while (p < len && (c_isalnum (s[p]) || s[p] == '-' || s[p] == '_' || s[p] == '.'
                         || s[p] == ':'))
        p++;
      if (p > start)
        {
          *label_len = p - start;
          return s + start;
        }
    }
  return NULL;
}

/* Scratch buffers up to this size are kept for the next part. */
#define SCRATCH_KEEP (1 << 20)

/* Append the text of a leaf part RAW[PI->body_start..PI->end) as plain text or HTML. */
static int
append_leaf (struct mime_ctx *c, const struct part_info *pi, bool html)
{
  struct mspan in;
  size_t start = pi->body_start, end = pi->end;
  if (start >= end)
    return 0;
  if (pi->cte == CTE_QP || pi->cte == CTE_BASE64)
    {
      int rc = pi->cte == CTE_QP ? decode_quoted_printable (&c->transfer, c->raw, start, end)
        : decode_base64 (&c->transfer, c->raw, start, end);
      if (rc < 0)
        return -1;
      in = mbuf_span (&c->transfer);
    }
  else
    {
      in.s = c->raw + start;
      in.src = NULL;
      in.base = (uint32_t) start;
      in.len = end - start;
    }
  const char *label = pi->has_charset ? pi->charset : NULL;
  size_t label_len = label ? strlen (label) : 0;
  if (html && !label)
    label = html_meta_charset (in.s, in.len, &label_len);
  if (separate_parts (c, (uint32_t) start) < 0)
    return -1;
  size_t mark = c->body->len;
  if (html)
    {
      /* Most HTML is ASCII, which decoding to UTF-8 would only copy, offsets and all. */
      struct mspan u = in;
      if (!charset_ascii_identity (&in, label, label_len))
        {
          c->utf8.len = 0;
          if (charset_to_utf8 (&c->utf8, &in, label, label_len, &c->cache, &c->warn) < 0)
            return -1;
          /* Scratch space of a huge part goes back at once, to keep the peak a small
             multiple. */
          if (c->transfer.cap > SCRATCH_KEEP)
            mbuf_free (&c->transfer);
          u = mbuf_span (&c->utf8);
        }
      if (html_to_text (c->body, &u) < 0)
        return -1;
      if (c->transfer.cap > SCRATCH_KEEP)
        mbuf_free (&c->transfer);
      if (c->utf8.cap > SCRATCH_KEEP)
        mbuf_free (&c->utf8);
      if (has_visible_text (c->body, mark))
        c->body_from_html = true;
    }
  else
    {
      if (charset_to_utf8 (c->body, &in, label, label_len, &c->cache, &c->warn) < 0)
        return -1;
      if (c->transfer.cap > SCRATCH_KEEP)
        mbuf_free (&c->transfer);
    }
  normalize_tail (c->body, mark);
  return 0;
}

/* Whether the text of an unlabelled body is really HTML (spam often omits Content-Type). */
static bool
looks_like_html (const char *s, size_t len)
{
  size_t i = 0;
  while (i < len && c_isspace (s[i]))
    i++;
  return (len - i >= 5 && c_strncasecmp (s + i, "<html", 5) == 0)
    || (len - i >= 9 && c_strncasecmp (s + i, "<!doctype", 9) == 0);
}

/* Find the next delimiter line of BOUNDARY at or after POS in RAW[FIRST..END): set *CONTENT_END
   to the end of the text before it (its line break belongs to the delimiter), *AFTER to the start
   of the line after it and *CLOSE for the closing delimiter. */
static bool
next_delimiter (const char *s, size_t first, size_t pos, size_t end, const char *boundary,
                size_t blen, size_t *content_end, size_t *after, bool *close)
{
  while (pos + 2 + blen <= end)
    {
      const char *q = memmem (s + pos, end - pos, boundary, blen);
      if (!q)
        return false;
      size_t at = q - s;
      pos = at + 1;
      if (at < first + 2 || s[at - 1] != '-' || s[at - 2] != '-')
        continue;
      size_t line = at - 2;
      if (line > first && s[line - 1] != '\n' && s[line - 1] != '\r')
        continue;
      size_t p = at + blen;
      *close = p + 1 < end && s[p] == '-' && s[p + 1] == '-';
      if (*close)
        p += 2;
      size_t next;
      size_t le = line_end (s, p, end, &next);
      bool only_space = true;
      for (size_t k = p; k < le; k++)
        if (!is_wsp (s[k]))
          only_space = false;
      /* "--B" followed by more characters is another, longer boundary, unless it closes. */
      if (!only_space && !*close)
        continue;
      size_t ce = line;
      if (ce > first && s[ce - 1] == '\n')
        ce--;
      if (ce > first && s[ce - 1] == '\r')
        ce--;
      *content_end = ce;
      *after = next;
      return true;
    }
  return false;
}

static int decode_part (struct mime_ctx *c, const struct part_info *pi, int depth);

enum pick
{
  PICK_PLAIN,
  PICK_HTML,
  PICK_OTHER,
};

/* Process the multipart body of PI: every part for mixed and the like, the best one for
   alternative. */
static int
decode_multipart (struct mime_ctx *c, const struct part_info *pi, int depth)
{
  const char *s = c->raw;
  const char *b = pi->boundary;
  size_t blen = strlen (b);
  size_t content_end, after;
  bool close;
  bool digest = strcmp (pi->subtype, "digest") == 0;
  bool alternative = strcmp (pi->subtype, "alternative") == 0;

  if (!next_delimiter (s, pi->body_start, pi->body_start, pi->end, b, blen, &content_end, &after,
                       &close))
    {
      /* No structure at all: show the body as text, as a mail reader would. */
      mwarn_add (&c->warn, "multipart without its boundary");
      struct part_info text = *pi;
      strcpy (text.type, "text");
      strcpy (text.subtype, "plain");
      return append_leaf (c, &text, false);
    }
  size_t first_part = after;
  bool first_close = close;
  int passes = alternative ? 3 : 1;
  for (int pass = 0; pass < passes; pass++)
    {
      size_t part_start = first_part;
      close = first_close;
      while (!close && part_start < pi->end)
        {
          size_t part_end = pi->end;
          bool found = next_delimiter (s, pi->body_start, part_start, pi->end, b, blen,
                                       &content_end, &after, &close);
          if (found)
            part_end = content_end < part_start ? part_start : content_end;
          else if (pass == 0)
            mwarn_add (&c->warn, "multipart without its closing boundary");
          struct part_info child;
          parse_part_header (c, part_start, part_end, digest, &child);
          if (!alternative)
            {
              if (decode_part (c, &child, depth + 1) < 0)
                return -1;
            }
          else
            {
              bool plain = strcmp (child.type, "text") == 0 && strcmp (child.subtype, "plain") == 0;
              bool html = strcmp (child.type, "text") == 0 && strcmp (child.subtype, "html") == 0;
              enum pick kind = plain ? PICK_PLAIN : html ? PICK_HTML : PICK_OTHER;
              if ((int) kind == pass && !child.attachment)
                {
                  size_t mark = c->body->len;
                  bool from_html = c->body_from_html;
                  if (decode_part (c, &child, depth + 1) < 0)
                    return -1;
                  if (has_visible_text (c->body, mark))
                    return 0;
                  /* An empty alternative: try the next candidate. */
                  c->body->len = mark;
                  c->body_from_html = from_html;
                }
            }
          if (!found)
            break;
          part_start = after;
        }
    }
  return 0;
}

static int
decode_part (struct mime_ctx *c, const struct part_info *pi, int depth)
{
  if (pi->attachment)
    return 0;
  bool multipart = strcmp (pi->type, "multipart") == 0;
  bool message = strcmp (pi->type, "message") == 0
    && (strcmp (pi->subtype, "rfc822") == 0 || strcmp (pi->subtype, "global") == 0);
  if ((multipart || message) && depth >= MIME_MAX_DEPTH)
    {
      if (!c->depth_warned)
        mwarn_add (&c->warn, "MIME parts nested deeper than 64 levels ignored");
      c->depth_warned = true;
      return 0;
    }
  if (multipart)
    {
      if (!pi->has_boundary)
        {
          mwarn_add (&c->warn, "multipart without boundary parameter");
          return append_leaf (c, pi, false);
        }
      return decode_multipart (c, pi, depth);
    }
  if (message)
    return mime_decode_entity (c, pi->body_start, pi->end, depth + 1);
  if (strcmp (pi->type, "text") != 0)
    return 0;
  if (strcmp (pi->subtype, "html") == 0)
    return append_leaf (c, pi, true);
  if (strcmp (pi->subtype, "plain") == 0 && !pi->has_type)
    return append_leaf (c, pi, looks_like_html (c->raw + pi->body_start,
                                                pi->end - pi->body_start));
  if (strcmp (pi->subtype, "plain") == 0 || strcmp (pi->subtype, "enriched") == 0
      || strcmp (pi->subtype, "richtext") == 0 || pi->subtype[0] == '\0')
    return append_leaf (c, pi, false);
  return 0;
}

int
mime_decode_entity (struct mime_ctx *c, size_t start, size_t end, int depth)
{
  struct part_info pi;
  parse_part_header (c, start, end, false, &pi);
  return decode_part (c, &pi, depth);
}

int
mime_decode_scanned (struct mime_ctx *c, const struct mime_field *fields, size_t nfields,
                     size_t body_start, size_t end)
{
  struct part_info pi;
  part_info_init (&pi, false, end);
  for (size_t i = 0; i < nfields; i++)
    if (part_field_length (fields[i].name_len))
      part_info_field (&pi, c->raw, &fields[i]);
  pi.body_start = body_start;
  return decode_part (c, &pi, 0);
}

int
mime_decode_text (struct mime_ctx *c, size_t start, size_t end)
{
  struct part_info pi;
  memset (&pi, 0, sizeof pi);
  strcpy (pi.type, "text");
  strcpy (pi.subtype, "plain");
  pi.body_start = start;
  pi.end = end;
  return append_leaf (c, &pi, false);
}

void
mime_ctx_release (struct mime_ctx *c)
{
  mbuf_free (&c->transfer);
  mbuf_free (&c->utf8);
  charset_cache_close (&c->cache);
}
