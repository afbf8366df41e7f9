/* charset.c: decode message text from its MIME charset to UTF-8, keeping each byte's raw offset. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include "charset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <uninorm.h>

#include "c-ctype.h"
#include "c-strcase.h"

/* Memory problems must not make a message unreadable, but the buffers hold uint32 offsets,
   so refuse sizes that cannot be represented. */
int
mbuf_grow (struct mbuf *b, size_t extra)
{
  if (b->len + extra + 1 <= b->cap)
    return 0;
  if (extra > (size_t) UINT32_MAX)
    {
      errno = ENOMEM;
      return -1;
    }
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1)
    cap = cap / 2 * 3 + 64;
  char *s = realloc (b->s, cap);
  if (!s)
    return -1;
  b->s = s;
  uint32_t *src = realloc (b->src, cap * sizeof *src);
  if (!src)
    return -1;
  b->src = src;
  b->cap = cap;
  return 0;
}

int
mbuf_put_uc (struct mbuf *b, uint32_t uc, uint32_t src)
{
  if (mbuf_reserve (b, 4) < 0)
    return -1;
  if (uc >= 0xD800 && uc < 0xE000)
    uc = 0xFFFD;
  if (uc < 0x80)
    mbuf_put (b, (char) uc, src);
  else if (uc < 0x800)
    {
      mbuf_put (b, (char) (0xC0 | (uc >> 6)), src);
      mbuf_put (b, (char) (0x80 | (uc & 0x3F)), src);
    }
  else if (uc < 0x10000)
    {
      mbuf_put (b, (char) (0xE0 | (uc >> 12)), src);
      mbuf_put (b, (char) (0x80 | ((uc >> 6) & 0x3F)), src);
      mbuf_put (b, (char) (0x80 | (uc & 0x3F)), src);
    }
  else if (uc < 0x110000)
    {
      mbuf_put (b, (char) (0xF0 | (uc >> 18)), src);
      mbuf_put (b, (char) (0x80 | ((uc >> 12) & 0x3F)), src);
      mbuf_put (b, (char) (0x80 | ((uc >> 6) & 0x3F)), src);
      mbuf_put (b, (char) (0x80 | (uc & 0x3F)), src);
    }
  else
    return mbuf_put_uc (b, 0xFFFD, src);
  return 0;
}

void
mbuf_free (struct mbuf *b)
{
  free (b->s);
  free (b->src);
  b->s = NULL;
  b->src = NULL;
  b->len = b->cap = 0;
}

void
mwarn_add (struct mwarn *w, const char *text)
{
  size_t tlen = strlen (text);
  /* A hostile message could otherwise grow the warning without bound. */
  if (w->count >= 8 || tlen > 200)
    return;
  if (w->s)
    {
      const char *p = w->s;
      while ((p = strstr (p, text)) != NULL)
        {
          if ((p == w->s || p[-1] == ' ') && (p[tlen] == '\0' || p[tlen] == ';'))
            return;
          p++;
        }
    }
  char *s = realloc (w->s, w->len + tlen + 3);
  if (!s)
    return;
  if (w->len)
    {
      memcpy (s + w->len, "; ", 2);
      w->len += 2;
    }
  memcpy (s + w->len, text, tlen + 1);
  w->len += tlen;
  w->s = s;
  w->count++;
}

/* A direct-mapped memo of two-byte characters: the pair (LEAD << 8 | TRAIL) + 1 in KEY (0 for
   an empty slot), and the LEN bytes iconv made of it. */
#define PAIR_MEMO_SLOTS 1024

struct charset_pair_memo
{
  struct
  {
    uint32_t key;
    uint8_t len;
    char out[7];
  } slot[PAIR_MEMO_SLOTS];
};

static inline unsigned
pair_slot (uint32_t pair)
{
  return (pair * UINT32_C (2654435769)) >> (32 - 10);
}

void
charset_pool_free (struct charset_pool *pool)
{
  if (!pool)
    return;
  for (size_t i = 0; i < pool->n; i++)
    iconv_close (pool->cd[i]);
  pool->n = 0;
}

/* Park CD, open for NAME, in POOL, closing the oldest descriptor there if it is full. */
static void
pool_park (struct charset_pool *pool, const char *name, iconv_t cd)
{
  if (pool->n == CHARSET_POOL_MAX)
    {
      iconv_close (pool->cd[0]);
      memmove (pool->cd, pool->cd + 1, (CHARSET_POOL_MAX - 1) * sizeof *pool->cd);
      memmove (pool->name, pool->name + 1, (CHARSET_POOL_MAX - 1) * sizeof *pool->name);
      pool->n--;
    }
  snprintf (pool->name[pool->n], sizeof pool->name[pool->n], "%s", name);
  pool->cd[pool->n++] = cd;
}

/* Take the descriptor for NAME out of POOL (NULL allowed); (iconv_t) -1 if it has none. */
static iconv_t
pool_take (struct charset_pool *pool, const char *name)
{
  for (size_t i = 0; pool && i < pool->n; i++)
    if (strcmp (pool->name[i], name) == 0)
      {
        iconv_t cd = pool->cd[i];
        memmove (pool->cd + i, pool->cd + i + 1, (pool->n - i - 1) * sizeof *pool->cd);
        memmove (pool->name + i, pool->name + i + 1, (pool->n - i - 1) * sizeof *pool->name);
        pool->n--;
        return cd;
      }
  return (iconv_t) -1;
}

void
charset_cache_close (struct charset_cache *c)
{
  if (c->open && c->pool)
    pool_park (c->pool, c->name, c->cd);
  else if (c->open)
    iconv_close (c->cd);
  c->open = false;
  c->name[0] = '\0';
  free (c->pairs);
  c->pairs = NULL;
  c->pairs_ok = false;
  c->pair_runs_ok = false;
}

size_t
charset_utf8_len (const unsigned char *s, size_t n)
{
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  if (c < 0xC2)
    return 0;
  if (c < 0xE0)
    return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c < 0xF0)
    {
      if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
        return 0;
      if (c == 0xE0 && s[1] < 0xA0)
        return 0;               /* overlong */
      if (c == 0xED && s[1] >= 0xA0)
        return 0;               /* surrogate */
      return 3;
    }
  if (c < 0xF5)
    {
      if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
        return 0;
      if (c == 0xF0 && s[1] < 0x90)
        return 0;
      if (c == 0xF4 && s[1] >= 0x90)
        return 0;
      return 4;
    }
  return 0;
}

/* Whether starter UC might be the second half of a canonical composition.  The starters that
   are (Hangul vowels and trailing consonants, some Indic, Myanmar and Balinese vowel signs and
   length marks) all lie in these blocks; the unit tests check that against the tables. */
static bool
may_compose_with_previous (uint32_t uc)
{
  return (uc >= 0x0980 && uc <= 0x0DFF) || (uc >= 0x1000 && uc <= 0x109F)
    || (uc >= 0x1100 && uc <= 0x11FF) || (uc >= 0x1B00 && uc <= 0x1B7F)
    || (uc >= 0x11000 && uc <= 0x16FFF);
}

bool
charset_nfc_stable (uint32_t uc)
{
  /* The blocks most mail uses need no table lookups: Latin, Greek and Cyrillic letters before
     the combining marks, general punctuation, currency signs, kana, CJK, Hangul syllables,
     emoji. */
  if (uc < 0x300 || (uc >= 0x400 && uc <= 0x482) || (uc >= 0x48A && uc <= 0x4FF)
      || (uc >= 0x2010 && uc <= 0x205F) || (uc >= 0x20A0 && uc <= 0x20CF)
      || (uc >= 0x3041 && uc <= 0x3096) || (uc >= 0x30A1 && uc <= 0x30FA)
      || (uc >= 0x4E00 && uc <= 0x9FFF) || (uc >= 0xAC00 && uc <= 0xD7A3) || uc == 0xFFFD
      || (uc >= 0x1F300 && uc <= 0x1FAFF))
    return true;
  if (uc_combining_class (uc) != 0 || may_compose_with_previous (uc))
    return false;
  ucs4_t parts[UC_DECOMPOSITION_MAX_LENGTH];
  int tag;
  int n = uc_decomposition (uc, &tag, parts);
  if (n < 0 || tag != UC_DECOMP_CANONICAL)
    return true;
  /* A primary composite: NFC decomposes it and composes it back, provided its first part is
     stable too (no starter before it can take that part). */
  return n == 2 && uc_composition (parts[0], parts[1]) == uc && charset_nfc_stable (parts[0]);
}

/* Windows-1252 differs from Latin-1 only in 0x80..0x9F; the five holes keep their C1 code
   points, as web browsers do. */
static const uint16_t cp1252_high[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

uint32_t
charset_cp1252 (unsigned char b)
{
  if (b >= 0x80 && b < 0xA0)
    return cp1252_high[b - 0x80];
  return b;
}

enum charset_class
{
  CHARSET_SNIFF,                /* no label, ASCII, UTF-8: UTF-8 where valid, else Windows-1252 */
  CHARSET_LATIN1,               /* ISO-8859-1 or Windows-1252, unless clearly UTF-8 */
  CHARSET_ICONV,
  CHARSET_UNKNOWN,              /* a label that is not a charset name at all */
};

#define LABEL(s) { s, sizeof s - 1 }
struct label
{
  const char *name;
  size_t len;
};

static const struct label sniff_labels[] = {
  LABEL ("us-ascii"), LABEL ("ascii"), LABEL ("us_ascii"), LABEL ("ansi_x3.4-1968"),
  LABEL ("iso646-us"), LABEL ("iso-646-us"), LABEL ("us"), LABEL ("utf-8"), LABEL ("utf8"),
  LABEL ("unicode-1-1-utf-8"), LABEL ("x-unicode20utf8"), LABEL ("utf-8-sig"),
};

static const struct label latin1_labels[] = {
  LABEL ("iso-8859-1"), LABEL ("iso8859-1"), LABEL ("iso_8859-1"), LABEL ("iso-8859-1:1987"),
  LABEL ("iso_8859-1:1987"), LABEL ("latin1"), LABEL ("latin-1"), LABEL ("l1"), LABEL ("cp819"),
  LABEL ("ibm819"), LABEL ("iso-ir-100"), LABEL ("windows-1252"), LABEL ("cp1252"),
  LABEL ("x-cp1252"), LABEL ("win-1252"), LABEL ("ms-ansi"),
};

/* Labels glibc does not know under the name mail programs use. */
static const struct
{
  const char *label, *iconv_name;
} charset_aliases[] = {
  { "ks_c_5601-1987", "CP949" },
  { "ks_c_5601", "CP949" },
  { "gb2312", "GBK" },
  { "x-gbk", "GBK" },
  { "iso-8859-8-i", "ISO-8859-8" },
  { "x-sjis", "SHIFT_JIS" },
  { "x-euc-jp", "EUC-JP" },
  { "x-mac-roman", "MACINTOSH" },
  { "windows-874", "CP874" },
  { "gb2312_charset", "GBK" },
  { "chinesebig5", "BIG5" },
  { "big5_charset", "BIG5" },
  { "x-user-defined", NULL },
};

static enum charset_class
charset_classify (const char *label, size_t len, const char **iconv_name)
{
  *iconv_name = NULL;
  /* Strip quotes and blanks that sloppy mailers leave around the name. */
  while (len && (*label == '"' || *label == '\'' || c_isspace (*label)))
    label++, len--;
  while (len && (label[len - 1] == '"' || label[len - 1] == '\'' || c_isspace (label[len - 1])))
    len--;
  /* RFC 2231 language suffix, as in "utf-8*de". */
  const char *star = memchr (label, '*', len);
  if (star)
    len = star - label;
  if (len == 0)
    return CHARSET_SNIFF;
  if (len >= 40)
    return CHARSET_UNKNOWN;
  for (size_t i = 0; i < len; i++)
    if (!(c_isalnum (label[i]) || strchr ("-_.:+()", label[i])))
      return CHARSET_UNKNOWN;
  for (size_t i = 0; i < sizeof sniff_labels / sizeof *sniff_labels; i++)
    if (sniff_labels[i].len == len && c_strncasecmp (label, sniff_labels[i].name, len) == 0)
      return CHARSET_SNIFF;
  for (size_t i = 0; i < sizeof latin1_labels / sizeof *latin1_labels; i++)
    if (latin1_labels[i].len == len && c_strncasecmp (label, latin1_labels[i].name, len) == 0)
      return CHARSET_LATIN1;
  for (size_t i = 0; i < sizeof charset_aliases / sizeof *charset_aliases; i++)
    if (strlen (charset_aliases[i].label) == len
        && c_strncasecmp (label, charset_aliases[i].label, len) == 0)
      {
        *iconv_name = charset_aliases[i].iconv_name;
        return *iconv_name ? CHARSET_ICONV : CHARSET_UNKNOWN;
      }
  return CHARSET_ICONV;
}

/* Append IN's bytes as UTF-8 where they form valid sequences, each other byte as Windows-1252
   (when CP1252_ONLY, every 8-bit byte is Windows-1252).  Runs of ASCII and whole sequences are
   copied at once, their offsets filled in a loop the compiler vectorises. */
static int
append_utf8_or_cp1252 (struct mbuf *out, const struct mspan *in, bool cp1252_only)
{
  const unsigned char *s = (const unsigned char *) in->s;
  if (mbuf_reserve (out, in->len) < 0)
    return -1;
  for (size_t i = 0; i < in->len;)
    {
      size_t run = charset_ascii_run (s + i, in->len - i);
      if (run)
        {
          memcpy (out->s + out->len, s + i, run);
          uint32_t *dst = out->src + out->len;
          if (in->src)
            memcpy (dst, in->src + i, run * sizeof *dst);
          else
            mbuf_fill_src (dst, in->base + (uint32_t) i, run);
          out->len += run;
          i += run;
          if (i >= in->len)
            break;
        }
      size_t n = cp1252_only ? 0 : charset_utf8_len (s + i, in->len - i);
      if (n)
        {
          memcpy (out->s + out->len, s + i, n);
          mbuf_fill_same (out->src + out->len, mspan_src (in, i), n);
          out->len += n;
          i += n;
        }
      else
        {
          /* A Windows-1252 byte takes up to 3 UTF-8 bytes: reserve beyond the 1:1 estimate.
             (Its code point is at least U+0080 and below U+2200: two or three bytes.) */
          uint32_t uc = charset_cp1252 (s[i]), src = mspan_src (in, i);
          if (mbuf_reserve (out, 4) < 0)
            return -1;
          if (uc < 0x800)
            mbuf_put (out, (char) (0xC0 | (uc >> 6)), src);
          else
            {
              mbuf_put (out, (char) (0xE0 | (uc >> 12)), src);
              mbuf_put (out, (char) (0x80 | ((uc >> 6) & 0x3F)), src);
            }
          mbuf_put (out, (char) (0x80 | (uc & 0x3F)), src);
          if (mbuf_reserve (out, in->len - i) < 0)
            return -1;
          i++;
        }
    }
  return 0;
}

/* Count valid multibyte UTF-8 sequences and bytes that are not part of one. */
static void
utf8_census (const struct mspan *in, size_t *multibyte, size_t *invalid)
{
  const unsigned char *s = (const unsigned char *) in->s;
  *multibyte = *invalid = 0;
  for (size_t i = 0; i < in->len;)
    {
      i += charset_ascii_run (s + i, in->len - i);
      if (i >= in->len)
        break;
      size_t n = charset_utf8_len (s + i, in->len - i);
      if (n)
        {
          ++*multibyte;
          i += n;
        }
      else
        {
          ++*invalid;
          i++;
        }
    }
}

/* Multibyte charsets without shift states in which every ASCII byte stands for itself, as far
   as their names tell; ascii_passes_through checks the second half. */
static bool
stateless_ascii_superset (const char *name)
{
  static const char *const names[] = {
    "GBK", "GB18030", "CP936", "BIG5", "BIG5-HKSCS", "EUC-KR", "CP949", "UHC", "EUC-JP",
    "EUC-TW", "EUC-CN", "GB2312",
  };
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (c_strcasecmp (name, names[i]) == 0)
      return true;
  return false;
}

/* Whether CD, freshly opened for charset NAME, converts each ASCII byte to itself in any
   context: a stateless charset that maps all 128 of them to themselves. */
static bool
ascii_passes_through (iconv_t cd, const char *name)
{
  if (!stateless_ascii_superset (name))
    return false;
  char ascii[128], out[512];
  for (int b = 0; b < 128; b++)
    ascii[b] = (char) b;
  char *ip = ascii, *op = out;
  size_t ileft = sizeof ascii, oleft = sizeof out;
  bool same = iconv (cd, &ip, &ileft, &op, &oleft) != (size_t) -1 && ileft == 0
    && op - out == (ptrdiff_t) sizeof ascii && memcmp (out, ascii, sizeof ascii) == 0;
  iconv (cd, NULL, NULL, NULL, NULL);
  return same;
}

/* Charsets in which a byte from 0x80 up either is invalid alone or starts a character of
   exactly two bytes that iconv makes one character of, whatever the second byte: GB18030 and
   EUC-JP (four and three bytes) are not among them, nor BIG5-HKSCS (two characters). */
static bool
fixed_pair_charset (const char *name)
{
  static const char *const names[] = {
    "GBK", "CP936", "BIG5", "EUC-KR", "CP949", "UHC", "EUC-CN",
  };
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (c_strcasecmp (name, names[i]) == 0)
      return true;
  return false;
}

static iconv_t
cache_open (struct charset_cache *cache, const char *name)
{
  if (cache->open && strcmp (cache->name, name) == 0)
    {
      iconv (cache->cd, NULL, NULL, NULL, NULL);
      return cache->cd;
    }
  charset_cache_close (cache);
  /* A parked descriptor is as good as a new one once its shift state is reset: everything
     below is worked out again as for a new one. */
  iconv_t cd = pool_take (cache->pool, name);
  if (cd != (iconv_t) -1)
    iconv (cd, NULL, NULL, NULL, NULL);
  else
    cd = iconv_open ("UTF-8", name);
  if (cd == (iconv_t) -1)
    return cd;
  cache->cd = cd;
  cache->open = true;
  cache->ascii_same = ascii_passes_through (cd, name);
  cache->lead_incomplete[0] = cache->lead_incomplete[1] = 0;
  /* glibc's BIG5-HKSCS makes two characters of some pairs; it is left to iconv each time. */
  cache->pairs_ok = cache->ascii_same && c_strcasecmp (name, "BIG5-HKSCS") != 0;
  cache->pair_runs_ok = cache->pairs_ok && fixed_pair_charset (name);
  snprintf (cache->name, sizeof cache->name, "%s", name);
  return cd;
}

/* Append the bytes iconv produced for input byte I of IN, checking they are valid UTF-8. */
static int
append_converted (struct mbuf *out, const char *buf, size_t n, uint32_t src)
{
  for (size_t k = 0; k < n;)
    {
      size_t len = charset_utf8_len ((const unsigned char *) buf + k, n - k);
      if (!len)
        {
          if (mbuf_put_uc (out, 0xFFFD, src) < 0)
            return -1;
          k++;
          continue;
        }
      if (mbuf_reserve (out, len) < 0)
        return -1;
      memcpy (out->s + out->len, buf + k, len);
      mbuf_fill_same (out->src + out->len, src, len);
      out->len += len;
      k += len;
    }
  return 0;
}

/* Keep what iconv made of PAIR (N bytes at BUF, N <= 7) in CACHE's memo, made on first use;
   without memory there is no memo, and nothing else changes. */
static void
remember_pair (struct charset_cache *cache, uint32_t pair, const char *buf, size_t n)
{
  if (!cache->pairs && !(cache->pairs = calloc (1, sizeof *cache->pairs)))
    return;
  unsigned at = pair_slot (pair);
  cache->pairs->slot[at].key = pair;
  cache->pairs->slot[at].len = (uint8_t) n;
  memcpy (cache->pairs->slot[at].out, buf, n);
}

/* Whether CACHE has seen byte B alone as an incomplete character. */
static inline bool
lead_known_incomplete (const struct charset_cache *cache, unsigned char b)
{
  return b >= 0x80 && (cache->lead_incomplete[(b - 0x80) >> 6] >> ((b - 0x80) & 63) & 1);
}

/* Convert the NPAIRS two-byte characters at IN[I..] with one iconv call instead of one a
   character.  Each lead byte there is known to start a character of two bytes, so when iconv
   takes all the bytes and makes exactly NPAIRS valid UTF-8 characters of them, character K
   came from bytes I + 2K and I + 2K + 1, as a call for each would have given it.  Returns 1
   when it appended them, 0 when anything else happened (nothing appended, the descriptor
   reset), -1 without memory. */
static int
convert_pair_run (struct mbuf *out, const struct mspan *in, struct charset_cache *cache,
                  size_t i, size_t npairs)
{
  size_t room = npairs * 8 + 16;
  if (mbuf_reserve (out, room) < 0)
    return -1;
  char *ip = (char *) in->s + i;
  size_t ileft = npairs * 2;
  char *op = out->s + out->len;
  size_t oleft = room;
  if (iconv (cache->cd, &ip, &ileft, &op, &oleft) == (size_t) -1 || ileft != 0)
    {
      iconv (cache->cd, NULL, NULL, NULL, NULL);
      return 0;
    }
  const unsigned char *p = (const unsigned char *) out->s + out->len;
  size_t produced = (size_t) (op - (out->s + out->len)), nchars = 0;
  for (size_t k = 0; k < produced; nchars++)
    {
      size_t n = charset_utf8_len (p + k, produced - k);
      if (!n || nchars == npairs)
        return 0;
      k += n;
    }
  if (nchars != npairs)
    return 0;
  for (size_t k = 0, c = 0; k < produced; c++)
    {
      size_t n = charset_utf8_len (p + k, produced - k);
      mbuf_fill_same (out->src + out->len + k, mspan_src (in, i + 2 * c), n);
      k += n;
    }
  out->len += produced;
  return 1;
}

/* Convert with iconv.  A single-byte charset converts in one call and maps character K to input
   byte K; otherwise characters are fed one at a time so each output keeps its own offset and a bad
   byte becomes U+FFFD instead of ending the conversion.  With ASCII_SAME (a stateless charset
   whose ASCII bytes are themselves) runs of ASCII are copied instead, as iconv would give them. */
static int
convert_iconv (struct mbuf *out, const struct mspan *in, struct charset_cache *cache)
{
  iconv_t cd = cache->cd;
  bool ascii_same = cache->ascii_same;
  size_t mark = out->len;
  /* In a multibyte charset whose ASCII is itself the conversion in one call works only if all
     the text is single bytes, which the loop below copies at once anyway. */
  if (!ascii_same && mbuf_reserve (out, in->len * 4 + 16) == 0)
    {
      char *ip = (char *) in->s;
      size_t ileft = in->len;
      char *op = out->s + out->len;
      size_t oleft = in->len * 4 + 16;
      size_t r = iconv (cd, &ip, &ileft, &op, &oleft);
      if (r != (size_t) -1 && iconv (cd, NULL, NULL, &op, &oleft) != (size_t) -1)
        {
          size_t produced = op - (out->s + out->len);
          const unsigned char *p = (const unsigned char *) out->s + out->len;
          size_t nchars = 0, i = 0;
          bool valid = true;
          while (i < produced)
            {
              size_t n = charset_utf8_len (p + i, produced - i);
              if (!n)
                {
                  valid = false;
                  break;
                }
              i += n;
              nchars++;
            }
          if (valid && nchars == in->len)
            {
              size_t k = 0;
              for (i = 0; i < produced; k++)
                {
                  size_t n = charset_utf8_len (p + i, produced - i);
                  for (size_t j = 0; j < n; j++)
                    out->src[out->len + i + j] = mspan_src (in, k);
                  i += n;
                }
              out->len += produced;
              return 0;
            }
        }
      iconv (cd, NULL, NULL, NULL, NULL);
    }
  out->len = mark;

  /* Pairs before this offset were found not to convert as one run: each goes alone. */
  size_t alone_before = 0;
  for (size_t i = 0; i < in->len;)
    {
      if (ascii_same && (unsigned char) in->s[i] < 0x80)
        {
          size_t run = charset_ascii_run ((const unsigned char *) in->s + i, in->len - i);
          if (mbuf_reserve (out, run) < 0)
            return -1;
          memcpy (out->s + out->len, in->s + i, run);
          if (in->src)
            memcpy (out->src + out->len, in->src + i, run * sizeof *in->src);
          else
            mbuf_fill_src (out->src + out->len, in->base + (uint32_t) i, run);
          out->len += run;
          i += run;
          continue;
        }
      char buf[64];
      size_t k = 1;
      bool done = false;
      /* A stateless charset converts a byte alone the same way every time: a lead byte found
         incomplete once (nothing consumed, nothing written, the state untouched) is not tried
         alone again.  Double-byte text then takes one iconv call per character, not two. */
      unsigned char lead = (unsigned char) in->s[i];
      if (ascii_same && lead_known_incomplete (cache, lead))
        k = 2;
      if (k == 2 && cache->pair_runs_ok && i >= alone_before)
        {
          size_t j = i + 2;
          while (j + 2 <= in->len && lead_known_incomplete (cache, (unsigned char) in->s[j]))
            j += 2;
          if (j <= in->len && j - i >= 4)
            {
              int r = convert_pair_run (out, in, cache, i, (j - i) / 2);
              if (r < 0)
                return -1;
              if (r > 0)
                {
                  i = j;
                  continue;
                }
              alone_before = j;
            }
        }
      /* A pair seen before converts as it did then: the charset has no state. */
      uint32_t pair = 0;
      if (k == 2 && cache->pairs_ok && i + 2 <= in->len)
        {
          pair = ((uint32_t) lead << 8 | (unsigned char) in->s[i + 1]) + 1;
          if (cache->pairs && cache->pairs->slot[pair_slot (pair)].key == pair)
            {
              if (append_converted (out, cache->pairs->slot[pair_slot (pair)].out,
                                    cache->pairs->slot[pair_slot (pair)].len,
                                    mspan_src (in, i)) < 0)
                return -1;
              i += 2;
              continue;
            }
        }
      for (; k <= 8 && i + k <= in->len; k++)
        {
          char *ip = (char *) in->s + i;
          size_t ileft = k;
          char *op = buf;
          size_t oleft = sizeof buf;
          size_t r = iconv (cd, &ip, &ileft, &op, &oleft);
          if (ascii_same && k == 1 && lead >= 0x80 && r == (size_t) -1 && errno == EINVAL
              && ileft == 1 && op == buf)
            cache->lead_incomplete[(lead - 0x80) >> 6] |= UINT64_C (1) << ((lead - 0x80) & 63);
          if (r != (size_t) -1 || ileft == 0)
            {
              if (pair && k == 2 && r != (size_t) -1 && ileft == 0 && op - buf <= 7)
                remember_pair (cache, pair, buf, (size_t) (op - buf));
              if (append_converted (out, buf, op - buf, mspan_src (in, i)) < 0)
                return -1;
              i += k;
              done = true;
              break;
            }
          if (errno != EINVAL)
            {
              /* EILSEQ (or E2BIG, which a single character cannot cause): skip one byte;
                 any bytes already consumed of a shift sequence are harmless to drop. */
              if (op > buf && append_converted (out, buf, op - buf, mspan_src (in, i)) < 0)
                return -1;
              break;
            }
        }
      if (!done)
        {
          iconv (cd, NULL, NULL, NULL, NULL);
          if (mbuf_put_uc (out, 0xFFFD, mspan_src (in, i)) < 0)
            return -1;
          i++;
        }
    }
  return 0;
}

bool
charset_ascii_identity (const struct mspan *in, const char *label, size_t label_len)
{
  const char *iconv_name;
  enum charset_class cls = label ? charset_classify (label, label_len, &iconv_name) : CHARSET_SNIFF;
  /* Only the classes decoded here: iconv's charsets and unknown labels are left to
     charset_to_utf8, which knows what they do to ASCII and warns of the unknown. */
  return (cls == CHARSET_SNIFF || cls == CHARSET_LATIN1)
    && charset_ascii_run ((const unsigned char *) in->s, in->len) == in->len;
}

int
charset_to_utf8 (struct mbuf *out, const struct mspan *in, const char *label, size_t label_len,
                 struct charset_cache *cache, struct mwarn *w)
{
  const char *iconv_name = NULL;
  enum charset_class cls = label ? charset_classify (label, label_len, &iconv_name) : CHARSET_SNIFF;
  size_t multibyte, invalid;

  if (cls == CHARSET_ICONV)
    {
      char name[48];
      if (iconv_name)
        snprintf (name, sizeof name, "%s", iconv_name);
      else
        {
          while (label_len && (*label == '"' || *label == '\'' || c_isspace (*label)))
            label++, label_len--;
          while (label_len && (label[label_len - 1] == '"' || label[label_len - 1] == '\''
                               || c_isspace (label[label_len - 1])))
            label_len--;
          const char *star = memchr (label, '*', label_len);
          if (star)
            label_len = star - label;
          snprintf (name, sizeof name, "%.*s", (int) label_len, label);
        }
      iconv_t cd = cache_open (cache, name);
      if (cd != (iconv_t) -1)
        return convert_iconv (out, in, cache);
      cls = CHARSET_UNKNOWN;
    }
  if (cls == CHARSET_UNKNOWN)
    {
      char msg[96];
      snprintf (msg, sizeof msg, "unknown charset %.*s", (int) (label_len < 40 ? label_len : 40),
                label);
      for (char *p = msg; *p; p++)
        if ((unsigned char) *p < 0x20 || (unsigned char) *p >= 0x7F)
          *p = '?';
      mwarn_add (w, msg);
    }

  utf8_census (in, &multibyte, &invalid);
  if (multibyte == 0 && invalid == 0)
    {
      /* Plain ASCII, as most text is: every class copies it unchanged. */
      if (mbuf_reserve (out, in->len) < 0)
        return -1;
      memcpy (out->s + out->len, in->s, in->len);
      if (in->src)
        memcpy (out->src + out->len, in->src, in->len * sizeof *in->src);
      else
        mbuf_fill_src (out->src + out->len, in->base, in->len);
      out->len += in->len;
      return 0;
    }
  if (cls == CHARSET_LATIN1)
    /* Mislabelled UTF-8 is common; Latin-1 text that happens to be valid UTF-8 is not. */
    return append_utf8_or_cp1252 (out, in, !(invalid == 0 && multibyte > 0));
  if (invalid == 0)
    return append_utf8_or_cp1252 (out, in, false);
  /* Mostly UTF-8 with a few stray bytes keeps its UTF-8; anything else is Windows-1252. */
  return append_utf8_or_cp1252 (out, in, multibyte <= invalid);
}
