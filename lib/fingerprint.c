/* fingerprint.c: normalise a body into class-tokenised words and fingerprint it with keyed MinHash. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "fingerprint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uniwbrk.h>
#include <unistr.h>
#if defined __SSE2__
# include <emmintrin.h>
#endif

#include "text.h"

/* ------------------------------------------------------------------ SipHash-2-4 */

/* Written from the algorithm description in "SipHash: a fast short-input PRF" (Aumasson,
   Bernstein, INDOCRYPT 2012): 2 compression rounds per 8-byte word, 4 finalisation rounds. */

static inline uint64_t
rotl64 (uint64_t x, int b)
{
  return (x << b) | (x >> (64 - b));
}

/* The eight bytes at P as a little-endian number.  On a little-endian host one load: GCC did
   not merge the eight byte loads where the value went into a vector lane. */
static inline uint64_t
load_le64 (const uint8_t *p)
{
#if defined __BYTE_ORDER__ && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t x;
  memcpy (&x, p, 8);
  return x;
#else
  return (uint64_t) p[0] | (uint64_t) p[1] << 8 | (uint64_t) p[2] << 16 | (uint64_t) p[3] << 24
    | (uint64_t) p[4] << 32 | (uint64_t) p[5] << 40 | (uint64_t) p[6] << 48 | (uint64_t) p[7] << 56;
#endif
}

#define SIP_ROUND(v0, v1, v2, v3)                                       \
  do {                                                                  \
    v0 += v1; v1 = rotl64 (v1, 13); v1 ^= v0; v0 = rotl64 (v0, 32);     \
    v2 += v3; v3 = rotl64 (v3, 16); v3 ^= v2;                           \
    v0 += v3; v3 = rotl64 (v3, 21); v3 ^= v0;                           \
    v2 += v1; v1 = rotl64 (v1, 17); v1 ^= v2; v2 = rotl64 (v2, 32);     \
  } while (0)

/* The SipHash state after the key is loaded. */
struct sip_state
{
  uint64_t v0, v1, v2, v3;
};

static inline struct sip_state
sip_init (const uint8_t key[16])
{
  uint64_t k0 = load_le64 (key), k1 = load_le64 (key + 8);
  /* The initial state: the key xored with "somepseudorandomlygeneratedbytes". */
  struct sip_state st = {
    k0 ^ UINT64_C (0x736f6d6570736575), k1 ^ UINT64_C (0x646f72616e646f6d),
    k0 ^ UINT64_C (0x6c7967656e657261), k1 ^ UINT64_C (0x7465646279746573),
  };
  return st;
}

/* Compress the message word M into ST. */
static inline void
sip_compress (struct sip_state *st, uint64_t m)
{
  uint64_t v0 = st->v0, v1 = st->v1, v2 = st->v2, v3 = st->v3;
  v3 ^= m;
  SIP_ROUND (v0, v1, v2, v3);
  SIP_ROUND (v0, v1, v2, v3);
  v0 ^= m;
  st->v0 = v0;
  st->v1 = v1;
  st->v2 = v2;
  st->v3 = v3;
}

/* Compress the last word LAST (the trailing bytes and the length in the top byte) and finish. */
static inline uint64_t
sip_finish (struct sip_state st, uint64_t last)
{
  sip_compress (&st, last);
  uint64_t v0 = st.v0, v1 = st.v1, v2 = st.v2 ^ 0xff, v3 = st.v3;
  for (int r = 0; r < 4; r++)
    SIP_ROUND (v0, v1, v2, v3);
  return v0 ^ v1 ^ v2 ^ v3;
}

/* The last SipHash word of a message of LEN bytes whose last LEN % 8 bytes are at TAIL: those
   bytes, and the length modulo 256 in the top byte. */
static inline uint64_t
sip_last_word (const uint8_t *tail, size_t len)
{
  uint64_t last = (uint64_t) (len & 0xff) << 56;
  switch (len % 8)
    {
    case 7:
      last |= (uint64_t) tail[6] << 48;
      /* Fall through.  */
    case 6:
      last |= (uint64_t) tail[5] << 40;
      /* Fall through.  */
    case 5:
      last |= (uint64_t) tail[4] << 32;
      /* Fall through.  */
    case 4:
      last |= (uint64_t) tail[3] << 24;
      /* Fall through.  */
    case 3:
      last |= (uint64_t) tail[2] << 16;
      /* Fall through.  */
    case 2:
      last |= (uint64_t) tail[1] << 8;
      /* Fall through.  */
    case 1:
      last |= (uint64_t) tail[0];
      break;
    default:
      break;
    }
  return last;
}

/* SipHash-2-4 of the LEN bytes at DATA from ST, the state after loading the key. */
#if defined __GNUC__
__attribute__ ((always_inline))
#endif
static inline uint64_t
sip_hash_from (struct sip_state st, const void *data, size_t len)
{
  const uint8_t *in = data;
  size_t whole = len - len % 8;
  for (size_t i = 0; i < whole; i += 8)
    sip_compress (&st, load_le64 (in + i));
  return sip_finish (st, sip_last_word (in + whole, len));
}

uint64_t
fp_siphash24 (const uint8_t key[16], const void *data, size_t len)
{
  return sip_hash_from (sip_init (key), data, len);
}

/* ------------------------------------------------------------------ small helpers */

static bool
ascii_space (uint8_t b)
{
  return b == ' ' || b == '\t' || b == '\r' || b == '\v' || b == '\f';
}

static bool
ascii_alpha (uint8_t b)
{
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
}

static bool
ascii_digit (uint8_t b)
{
  return b >= '0' && b <= '9';
}

static char
ascii_lower_char (char c)
{
  return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
}

static inline bool
ascii_alnum_char (char c)
{
  return ascii_alpha ((uint8_t) c) || ascii_digit ((uint8_t) c);
}

/* Growing byte buffer; ERR latches an allocation failure so callers check once. */
struct buf
{
  char *s;
  size_t n, cap;
  bool err;
};

/* Grow B so that N more bytes and a NUL fit; false (B->err set) if memory ran out.  Kept out
   of line: the callers below inline only the check whether there is room. */
static bool
buf_grow (struct buf *b, size_t n)
{
  if (b->err)
    return false;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->n + n + 1)
    cap *= 2;
  char *ns = realloc (b->s, cap);
  if (!ns)
    {
      b->err = true;
      return false;
    }
  b->s = ns;
  b->cap = cap;
  return true;
}

/* Make room for N more bytes and the NUL in B; return where they go, or NULL (B->err set).
   The caller writes at most N bytes there and then calls buf_commit. */
static inline char *
buf_reserve (struct buf *b, size_t n)
{
  if (b->n + n + 1 > b->cap && !buf_grow (b, n))
    return NULL;
  return b->s + b->n;
}

/* Account for the bytes written up to END after buf_reserve, and end them with a NUL. */
static inline void
buf_commit (struct buf *b, char *end)
{
  b->n = end - b->s;
  *end = '\0';
}

static inline void
buf_put (struct buf *b, const char *s, size_t n)
{
  char *w = buf_reserve (b, n);
  if (!w)
    return;
  memcpy (w, s, n);
  buf_commit (b, w + n);
}

static void
buf_str (struct buf *b, const char *s)
{
  buf_put (b, s, strlen (s));
}

/* ------------------------------------------------------------------ step 1: cuts */

/* Does the line (trimmed) consist of at least 10 of '_', '-', '=' and nothing else but blanks? */
static bool
is_rule_line (const char *p, size_t n)
{
  size_t marks = 0;
  for (size_t i = 0; i < n; i++)
    if (p[i] == '_' || p[i] == '-' || p[i] == '=')
      marks++;
    else if (!ascii_space ((uint8_t) p[i]))
      return false;
  return marks >= 10;
}

/* Every byte of the word X, repeated. */
#define BYTES8(x) (UINT64_C (0x0101010101010101) * (x))

static inline uint64_t
load8 (const void *p)
{
  uint64_t x;
  memcpy (&x, p, 8);
  return x;
}

static bool
starts_with_ci (const char *p, size_t n, const char *word)
{
  size_t m = strlen (word);
  if (n < m)
    return false;
  for (size_t i = 0; i < m; i++)
    {
      char c = p[i];
      if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
      if (c != word[i])
        return false;
    }
  return true;
}

static bool
contains_ci (const char *p, size_t n, const char *word)
{
  size_t m = strlen (word);
  if (m == 0)
    return true;
  /* Compare the first byte here and the rest only where it matches: most lines with a dash
     hold none of the markers, and this ran for each of them four times. */
  char first = word[0];
  if (first >= 'a' && first <= 'z')
    {
      /* A byte or-ed with 0x20 is a lower-case letter only if it is that letter in either
         case: no case mapping needed for the scan.  Eight bytes at a time, as long as none
         of them is FIRST (a zero byte in (X | 0x20..) ^ FIRST.. has its top bit set in Y - 1
         and clear in Y; the test never misses one). */
      const uint64_t firsts = BYTES8 ((unsigned char) first);
      for (size_t i = 0; i + m <= n;)
        {
          if (i + 8 <= n)
            {
              uint64_t y = (load8 (p + i) | BYTES8 (0x20)) ^ firsts;
              if (((y - BYTES8 (0x01)) & ~y & BYTES8 (0x80)) == 0)
                {
                  i += 8;
                  continue;
                }
            }
          if ((p[i] | 0x20) == first && starts_with_ci (p + i, n - i, word))
            return true;
          i++;
        }
      return false;
    }
  for (size_t i = 0; i + m <= n; i++)
    {
      char c = p[i];
      if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
      if (c == first && starts_with_ci (p + i, n - i, word))
        return true;
    }
  return false;
}

/* Does P (N bytes) hold a '-', '=' or '_'?  Every short line is asked this; with SSE2 in
   sixteen-byte blocks (the last one overlapping), instead of a memchr for each byte. */
static bool
has_rule_byte (const char *p, size_t n)
{
#if defined __SSE2__
  if (n >= 16)
    {
      for (size_t i = 0;; i += 16)
        {
          if (i + 16 > n)
            i = n - 16;
          __m128i x = _mm_loadu_si128 ((const __m128i *) (p + i));
          __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (x, _mm_set1_epi8 ('-')),
                                                    _mm_cmpeq_epi8 (x, _mm_set1_epi8 ('='))),
                                      _mm_cmpeq_epi8 (x, _mm_set1_epi8 ('_')));
          if (_mm_movemask_epi8 (hit) != 0)
            return true;
          if (i + 16 >= n)
            return false;
        }
    }
#endif
  for (size_t i = 0; i < n; i++)
    if (p[i] == '-' || p[i] == '=' || p[i] == '_')
      return true;
  return false;
}

/* Does P (N bytes) hold "message" or "nachricht", in any case?  contains_ci for each stopped
   at every 'm' and every 'n' of a line; with SSE2 sixteen positions at a time are tested for
   the first two letters, "me" or "na", and only those are compared further. */
static bool
holds_message_word (const char *p, size_t n)
{
  size_t i = 0;
#if defined __SSE2__ && defined __GNUC__
  const __m128i lower = _mm_set1_epi8 (0x20);
  for (; i + 17 <= n; i += 16)
    {
      __m128i x = _mm_or_si128 (_mm_loadu_si128 ((const __m128i *) (p + i)), lower);
      __m128i y = _mm_or_si128 (_mm_loadu_si128 ((const __m128i *) (p + i + 1)), lower);
      __m128i me = _mm_and_si128 (_mm_cmpeq_epi8 (x, _mm_set1_epi8 ('m')),
                                  _mm_cmpeq_epi8 (y, _mm_set1_epi8 ('e')));
      __m128i na = _mm_and_si128 (_mm_cmpeq_epi8 (x, _mm_set1_epi8 ('n')),
                                  _mm_cmpeq_epi8 (y, _mm_set1_epi8 ('a')));
      for (unsigned bits = (unsigned) _mm_movemask_epi8 (_mm_or_si128 (me, na)); bits;
           bits &= bits - 1)
        {
          size_t at = i + (size_t) __builtin_ctz (bits);
          if (starts_with_ci (p + at, n - at, "message")
              || starts_with_ci (p + at, n - at, "nachricht"))
            return true;
        }
    }
#endif
  for (; i < n; i++)
    {
      char c = (char) (p[i] | 0x20);
      if ((c == 'm' && starts_with_ci (p + i, n - i, "message"))
          || (c == 'n' && starts_with_ci (p + i, n - i, "nachricht")))
        return true;
    }
  return false;
}

/* A line where the sender's own text ends: a signature separator, a list footer rule, a reply
   header ("On ... wrote:", "Am ... schrieb ...:") or an "Original Message" marker.  Quoted text
   and footers are shared by unrelated mail, so they must not enter the fingerprint.  The line
   P has N bytes, the first LEAD of them blanks and then none or a byte that is not one. */
static bool
is_cut_line (const char *p, size_t n, size_t lead)
{
  if ((n == 3 && memcmp (p, "-- ", 3) == 0) || (n == 2 && memcmp (p, "--", 2) == 0))
    return true;
  /* The trailing blanks off, but not the leading ones the caller counted (a blank line
     becomes empty either way). */
  while (n > lead && ascii_space ((uint8_t) p[n - 1]))
    n--;
  p += lead;
  n -= lead;
  if (n == 0)
    return false;
  if (is_rule_line (p, n))
    return true;
  if (n < 400 && p[n - 1] == ':'
      && ((starts_with_ci (p, n, "on ") && contains_ci (p, n, "wrote"))
          || (starts_with_ci (p, n, "am ") && contains_ci (p, n, "schrieb"))))
    return true;
  /* Each of the four markers holds "message" or "nachricht": look for those first. */
  if (n < 120 && has_rule_byte (p, n) && holds_message_word (p, n)
      && (contains_ci (p, n, "original message")
                  || contains_ci (p, n, "ursprüngliche nachricht")
                  || contains_ci (p, n, "forwarded message")
                  || contains_ci (p, n, "weitergeleitete nachricht")))
    return true;
  return false;
}

/* Bytes text_analyze marks as not the sender's own words to this reader. */
#define FP_DROP_MASK (TEXT_QUOTED | TEXT_SIGNATURE | TEXT_FORWARD | TEXT_DISCLAIMER)

/* Can the eight bytes X be copied as they are: printable ASCII, no control byte, no DEL?
   A top bit set in X, in (X - 0x20..) & ~X (some byte below 0x20) or in the same test for a
   zero byte of X ^ 0x7f.. (some DEL) says no; the borrows between bytes only happen where
   one of the tests is true already. */
static inline bool
printable_ascii8 (uint64_t x)
{
  uint64_t below_space = (x - BYTES8 (0x20)) & ~x;
  uint64_t del = x ^ BYTES8 (0x7f);
  uint64_t del_zero = (del - BYTES8 (0x01)) & ~del;
  return ((x | below_space | del_zero) & BYTES8 (0x80)) == 0;
}

/* The top bit of each of the eight bytes X that is an ASCII letter. */
static inline uint64_t
ascii_letters8 (uint64_t x)
{
  /* Or-ing 0x20 maps the upper-case letters onto the lower-case ones (and nothing else onto
     a-z); a byte is in a-z if adding 0x80 - 'a' sets its top bit and adding 0x80 - 'z' - 1
     does not.  Bytes from 0x80 on are kept out by the mask of X's own top bits. */
  uint64_t lower = (x | BYTES8 (0x20)) & BYTES8 (0x7f);
  uint64_t from_a = lower + BYTES8 (0x80 - 'a');
  uint64_t past_z = lower + BYTES8 (0x80 - 'z' - 1);
  return from_a & ~past_z & ~x & BYTES8 (0x80);
}

/* The number of bytes from the lowest one up to the first whose top bit is clear in MARKS
   (only top bits set). */
static inline size_t
leading_marked_bytes (uint64_t marks)
{
  uint64_t clear = ~marks & BYTES8 (0x80);
  if (clear == 0)
    return 8;
#if defined __GNUC__
  return (size_t) __builtin_ctzll (clear) / 8;
#else
  size_t k = 0;
  while (!(clear >> (8 * k) & 0x80))
    k++;
  return k;
#endif
}

/* Lower-case the ASCII letters among eight ASCII bytes X: a byte gets its top bit from adding
   0x3f if it is 'A' or above and from adding 0x25 if it is above 'Z' (no carries between the
   bytes, all are below 0x80); the letters get 0x20. */
static inline uint64_t
ascii_lower8 (uint64_t x)
{
  uint64_t from_a = x + BYTES8 (0x80 - 'A');
  uint64_t past_z = x + BYTES8 (0x80 - 'Z' - 1);
  return x | ((from_a & ~past_z & BYTES8 (0x80)) >> 2);
}

/* Copy the sender's own lines of S into B: stop at a cut line, drop quoted lines and masked
   bytes, turn invalid UTF-8 and control characters into spaces, and lower-case the ASCII
   letters.  Return where in B the first byte from 0x80 on went, or SIZE_MAX: the lines
   before that one are their own case folding, and fold's pass over them is saved.  (Fold of
   the lower-cased text is fold of the text: ASCII lower case is the case folding of ASCII,
   and fold and u8_casefold fold character by character after the canonical decomposition,
   which leaves ASCII as it is, with no context for a language of NULL.) */
static size_t
copy_own_lines (const char *s, size_t len, const uint8_t *mask, struct buf *b)
{
  size_t first_high = SIZE_MAX;
  size_t i = 0;
  while (i < len)
    {
      const char *nl = memchr (s + i, '\n', len - i);
      size_t end = nl ? (size_t) (nl - s) : len;
      const char *p = s + i;
      size_t n = end - i;
      size_t lead = 0;
      while (lead < n && ascii_space ((uint8_t) p[lead]))
        lead++;
      if (is_cut_line (p, n, lead))
        break;
      bool quoted = lead < n && p[lead] == '>';
      /* Every character becomes itself or one space: the line takes at most N bytes. */
      char *w = buf_reserve (b, n + 1);
      if (!w)
        return first_high;
      if (!quoted)
        {
          const uint8_t *m = mask ? mask + i : NULL;
          char *line_out = w;
          size_t k = 0;
          while (k < n)
            {
#if defined __SSE2__
              /* Sixteen plain ASCII bytes at a time where SSE2 is there (the signed
                 comparison also finds the bytes from 0x80 on).  The line's last sixteen
                 bytes too, overlapping what was copied, when every byte so far became
                 one byte: where all sixteen are plain, the ones copied already were
                 copied as they are, and the tail needs no byte-wise loop. */
              size_t at = k + 16 <= n ? k
                : n >= 16 && w - line_out == (ptrdiff_t) k ? n - 16 : SIZE_MAX;
              if (at != SIZE_MAX)
                {
                  __m128i x = _mm_loadu_si128 ((const __m128i *) (p + at));
                  __m128i bad = _mm_or_si128 (_mm_cmplt_epi8 (x, _mm_set1_epi8 (0x20)),
                                              _mm_cmpeq_epi8 (x, _mm_set1_epi8 (0x7f)));
                  if (m)
                    {
                      __m128i drop = _mm_and_si128 (_mm_loadu_si128 ((const __m128i *) (m + at)),
                                                    _mm_set1_epi8 (FP_DROP_MASK));
                      bad = _mm_or_si128 (bad, _mm_xor_si128 (_mm_cmpeq_epi8 (drop,
                                                                              _mm_setzero_si128 ()),
                                                              _mm_set1_epi8 (-1)));
                    }
                  if (_mm_movemask_epi8 (bad) == 0)
                    {
                      char *to = at == k ? w : line_out + at;
                      /* Lower case: adding 0x80 - 'A' takes A-Z, and only them of the
                         printable bytes, to the 26 smallest signed bytes. */
                      __m128i shifted = _mm_add_epi8 (x, _mm_set1_epi8 (0x80 - 'A'));
                      __m128i upper = _mm_cmplt_epi8 (shifted, _mm_set1_epi8 (-128 + 26));
                      x = _mm_or_si128 (x, _mm_and_si128 (upper, _mm_set1_epi8 (0x20)));
                      _mm_storeu_si128 ((__m128i *) to, x);
                      w = to + 16;
                      k = at + 16;
                      continue;
                    }
                }
#endif
              /* Eight plain ASCII bytes at a time, the usual case; a byte at a time where
                 the eight hold anything else. */
              if (k + 8 <= n && printable_ascii8 (load8 (p + k))
                  && (!m || (load8 (m + k) & BYTES8 (FP_DROP_MASK)) == 0))
                {
                  uint64_t lowered = ascii_lower8 (load8 (p + k));
                  memcpy (w, &lowered, 8);
                  w += 8;
                  k += 8;
                  continue;
                }
              size_t stop = k + 8 < n ? k + 8 : n;
              while (k < stop)
                {
                  if (m && (m[k] & FP_DROP_MASK))
                    {
                      *w++ = ' ';
                      k++;
                      continue;
                    }
                  unsigned char byte = p[k];
                  if (byte < 0x80)
                    {
                      /* ASCII: what u8_mbtoucr would decode, without the call. */
                      *w++ = byte < 0x20 || byte == 0x7f ? ' ' : ascii_lower_char ((char) byte);
                      k++;
                      continue;
                    }
                  ucs4_t c;
                  int cl = u8_mbtoucr (&c, (const uint8_t *) p + k, n - k);
                  if (cl <= 0)
                    {
                      *w++ = ' ';
                      k++;
                      continue;
                    }
                  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
                    *w++ = ' ';
                  else
                    {
                      memcpy (w, p + k, cl);
                      w += cl;
                      if (first_high == SIZE_MAX)
                        first_high = (size_t) (w - b->s) - cl;
                    }
                  k += cl;
                }
            }
        }
      *w++ = '\n';
      buf_commit (b, w);
      i = end + 1;
    }
  return first_high;
}

/* ------------------------------------------------------------------ step 3: greeting, closing */

/* Folded (ß -> ss) greeting openers; a line starting with one is the salutation. */
static const char *const greeting_words[] = {
  "hi", "hallo", "hello", "hey", "dear", "liebe", "lieber", "liebes", "servus", "moin", "guten tag",
  "guten morgen", "guten abend", "sehr geehrte", "sehr geehrter", "sehr geehrtes", "greetings",
  "good morning", "good afternoon", "good evening", "hiya", "howdy", "grüss gott", "grüezi",
  "hallöchen", "salut", "yo", "hej", "ciao", "hola", "bonjour", "werte", "werter", NULL
};

/* Folded closing formulas; a short line starting with one ends the sender's text. */
static const char *const closing_words[] = {
  "best", "regards", "kind regards", "warm regards", "cheers", "thanks", "thank you", "many thanks",
  "sincerely", "yours", "talk soon", "all the best", "viele grüsse", "beste grüsse",
  "liebe grüsse", "freundliche grüsse", "mit freundlichen grüssen", "mit besten grüssen",
  "herzliche grüsse", "schöne grüsse", "sonnige grüsse", "grüsse", "gruss", "lg", "vg", "mfg",
  "bis bald", "danke", "vielen dank", "besten dank", "ciao", "bye", "tschüss", "servus", "xoxo",
  "mit besten", "hochachtungsvoll", NULL
};

/* Length of the list word that P (N bytes, folded) starts with, followed by a non-letter;
   0 if none. */
static size_t
starts_with_word (const char *p, size_t n, const char *const *list)
{
  for (const char *const *w = list; *w; w++)
    {
      if ((*w)[0] != p[0])
        continue;
      size_t m = strlen (*w);
      if (m > n || memcmp (p, *w, m) != 0)
        continue;
      if (m == n)
        return m;
      ucs4_t c;
      if (u8_mbtouc (&c, (const uint8_t *) p + m, n - m) > 0 && (uc_is_alpha (c) || uc_is_digit (c)))
        continue;
      return m;
    }
  return 0;
}

struct span
{
  size_t a, b;                  /* a line's bytes without its newline */
};

/* Does the valid UTF-8 text P (N bytes) have more than LIMIT characters?  A character is a
   byte that does not continue a sequence (10xxxxxx); the continuation bytes are counted
   eight at a time and taken off N.  (u8_mbsnlen counted whole lines of a few kilobytes to
   compare them with 60; a byte-wise count cost four instructions a byte.) */
static bool
more_chars_than (const char *p, size_t n, size_t limit)
{
  if (n <= limit)
    return false;
  if (n > 4 * limit + 3)
    return true;                /* at most 4 bytes a character */
  size_t continuations = 0, i = 0;
  for (; i + 8 <= n; i += 8)
    {
      uint64_t x = load8 (p + i);
      /* Bit 7 of a byte where its bit 7 is set and its bit 6 (shifted up) clear; the sum
         of the eight bits (at most 8) collects in the top byte. */
      uint64_t marks = (x & ~(x << 1) & BYTES8 (0x80)) >> 7;
      continuations += (size_t) ((marks * BYTES8 (1)) >> 56);
    }
  for (; i < n; i++)
    continuations += ((unsigned char) p[i] & 0xc0) == 0x80;
  return n - continuations > limit;
}

/* The bytes of the line of S that ends at END (before its newline, or at the end of the text)
   and starts after START, with ASCII blanks at both ends cut, into *L; false if it is blank. */
static bool
blank_trimmed (const char *s, size_t start, size_t end, struct span *l)
{
  size_t a = start, e = end;
  while (a < e && ascii_space ((uint8_t) s[a]))
    a++;
  while (e > a && ascii_space ((uint8_t) s[e - 1]))
    e--;
  l->a = a;
  l->b = e;
  return e > a;
}

/* Replace the salutation by "xgreetx" and drop the closing formula and what follows it, in the
   folded text of B.  Writes the result to OUT. */
static void
strip_greeting_closing (const struct buf *b, struct buf *out)
{
  const char *s = b->s;
  size_t len = b->n;
  /* The first non-empty line, and the last few after it: only these matter.  The first is
     found from the start, the others from the end, so that the lines between are not read. */
  enum { TAIL = 5 };
  struct span first = { len, len };
  bool have_first = false;
  size_t first_end = len;       /* where the first non-empty line's newline is */
  for (size_t i = 0; i < len;)
    {
      const char *nl = memchr (s + i, '\n', len - i);
      size_t end = nl ? (size_t) (nl - s) : len;
      if (blank_trimmed (s, i, end, &first))
        {
          have_first = true;
          first_end = end;
          break;
        }
      i = end + 1;
    }
  if (!have_first)
    first.a = first.b = len;
  /* Backwards from the end to the first line: the last TAIL non-empty lines, last first. */
  struct span found[TAIL];
  size_t nfound = 0;
  size_t end = len;
  while (have_first && nfound < TAIL && end > first_end)
    {
      size_t start = first_end + 1;
      const char *nl = end > start ? memrchr (s + start, '\n', end - start) : NULL;
      if (nl)
        start = (size_t) (nl - s) + 1;
      if (blank_trimmed (s, start, end, &found[nfound]))
        nfound++;
      if (start <= first_end + 1)
        break;
      end = start - 1;
    }

  /* The greeting: the whole first line when it is short, else up to its first ',' or '!'. */
  size_t greet_a = len, greet_b = len;
  if (have_first && starts_with_word (s + first.a, first.b - first.a, greeting_words))
    {
      size_t n = first.b - first.a;
      /* A line has at most as many characters as bytes: count them only when it matters. */
      if (!more_chars_than (s + first.a, n, 60))
        {
          greet_a = first.a;
          greet_b = first.b;
        }
      else
        for (size_t k = 0; k < n && k < 60; k++)
          if (s[first.a + k] == ',' || s[first.a + k] == '!')
            {
              greet_a = first.a;
              greet_b = first.a + k + 1;
              break;
            }
    }

  /* The closing: the earliest of the last five lines that is short, does not end a sentence or
     a question, and starts with a closing formula. */
  size_t cut = len;
  for (size_t k = nfound; k-- > 0;)
    {
      const char *p = s + found[k].a;
      size_t n = found[k].b - found[k].a;
      if (n == 0 || p[n - 1] == '.' || p[n - 1] == '?' || more_chars_than (p, n, 40))
        continue;
      if (starts_with_word (p, n, closing_words))
        {
          cut = found[k].a;
          break;
        }
    }

  if (greet_a < cut)
    {
      buf_put (out, s, greet_a);
      buf_str (out, " xgreetx ");
      buf_put (out, s + greet_b, cut > greet_b ? cut - greet_b : 0);
    }
  else
    buf_put (out, s, cut);
}

/* ------------------------------------------------------------------ step 4: class tokens */

/* The design note does this step with PCRE2 patterns; here it is a hand-written scanner over
   blank-separated chunks, because it runs on every delivery and needs no compiled state (the
   library keeps none between calls) and costs a few microseconds instead of tens. */

/* The end offset of the first CLOSE in P[FROM .. ROOM) before a line break, or 0. */
static size_t
find_close (const char *p, size_t room, size_t from, const char *close)
{
  size_t cl = strlen (close);
  for (size_t k = from; k + cl <= room; k++)
    {
      if (p[k] == '\n')
        break;
      if (memcmp (p + k, close, cl) == 0)
        return k + cl;
    }
  return 0;
}

/* If a merge tag or unrendered spintax starts at S[I], return its length, else 0.  The forms are
   those of merge-tags.md: {{...}}, {%...%}, *|...|*, %%...%%, %recipient.x%, {!...}, {$...},
   ${...}, [[...]], {contactfield=...}, {a|b|c}, [a|b]. */
static size_t
merge_tag_len (const char *s, size_t i, size_t n)
{
  const char *p = s + i;
  size_t room = n - i;
  if (room > 160)
    room = 160;
  if (room < 3)
    return 0;
  if (p[0] == '{' && p[1] == '{')
    {
      /* Nested {{fallback|{{first_name}}|Sir}}: take the last "}}" before a line end. */
      size_t e = find_close (p, room, 2, "}}");
      if (e > 2)
        {
          size_t e2 = e;
          while (e2 + 1 < room && p[e2] != '\n')
            {
              if (p[e2] == '{' && p[e2 + 1] == '{')
                break;
              if (p[e2] == '}' && p[e2 + 1] == '}')
                e = e2 + 2;
              e2++;
            }
          return e;
        }
      return 0;
    }
  if (p[0] == '{' && p[1] == '%')
    return find_close (p, room, 2, "%}");
  if (p[0] == '*' && p[1] == '|')
    {
      size_t e = find_close (p, room, 2, "|*");
      return e > 3 ? e : 0;
    }
  if (p[0] == '%' && p[1] == '%' && (ascii_alpha ((uint8_t) p[2]) || p[2] == '_'))
    return find_close (p, room, 2, "%%");
  if (p[0] == '%' && ascii_alpha ((uint8_t) p[1]))
    {
      /* %recipient.first%, %contact_first_name%: identifier characters up to a closing '%'. */
      size_t k = 1;
      while (k < room && (ascii_alpha ((uint8_t) p[k]) || ascii_digit ((uint8_t) p[k])
                          || p[k] == '_' || p[k] == '.'))
        k++;
      return k < room && p[k] == '%' && k >= 3 ? k + 1 : 0;
    }
  if (p[0] == '[' && p[1] == '[')
    return find_close (p, room, 2, "]]");
  if ((p[0] == '{' && (p[1] == '!' || p[1] == '$')) || (p[0] == '$' && p[1] == '{'))
    return find_close (p, room, 2, "}");
  if (p[0] == '{' || p[0] == '[')
    {
      /* {a|b|c}, [a|b], {contactfield=x}: one level, a '|' or '=' inside, no line break. */
      char close = p[0] == '{' ? '}' : ']';
      bool bar = false;
      for (size_t k = 1; k < room && k < 120; k++)
        {
          if (p[k] == '\n' || p[k] == p[0])
            return 0;
          if (p[k] == '|' || (p[k] == '=' && p[0] == '{'))
            bar = true;
          if (p[k] == close)
            return bar && k > 2 ? k + 1 : 0;
        }
    }
  return 0;
}

/* Common top-level domains and the ones outreach senders like; a dotted word ending in one is a
   domain. */
static const char *const tlds[] = {
  "com", "net", "org", "de", "at", "ch", "eu", "io", "co", "info", "biz", "app", "dev", "ai", "uk",
  "fr", "nl", "es", "it", "pl", "ru", "tv", "ly", "me", "us", "xyz", "online", "shop", "site",
  "tech", "cloud", "email", "gmbh", "berlin", "se", "dk", "be", "li", "lu", "edu", "gov", "jp",
  "cn", "ca", "au", "in", "br", "agency", "digital", "media", "store", "space", "website", "link",
  "club", "pro", "live", "design", "studio", "solutions", "network", "news", "blog", "page", "ag",
  "gg", "to", "so", "ink", "works", "marketing", "consulting", NULL
};

static bool
is_tld (const char *p, size_t n)
{
  /* The first byte before the length: most of the list is passed over without a strlen. */
  for (const char *const *t = tlds; *t; t++)
    if ((*t)[0] == p[0] && strlen (*t) == n && memcmp (*t, p, n) == 0)
      return true;
  return false;
}

/* What the class-token scanner needs to know of a byte, in one table lookup. */
enum chunk_byte
{
  CB_BLANK = 1,                 /* ends a chunk: an ASCII blank or a line break */
  CB_MERGE = 2,                 /* may start a merge tag: { [ * % $ */
  CB_EDGE = 4,                  /* punctuation stripped from both ends of a chunk */
  CB_LETTER = 8,                /* ASCII letter */
  CB_DIGIT = 16,
  CB_COLON = 32,                /* a URL's "://" needs one */
  CB_NONASCII = 64,             /* a byte of a UTF-8 sequence */
  CB_WORDISH = 128,             /* a letter or a byte of a UTF-8 sequence */
};

/* Designated initialisers for the byte tables below: every ASCII digit, every ASCII letter,
   or every byte from 0x80 on, set to V. */
#define ASCII_DIGITS_TO(v) \
  ['0'] = (v), ['1'] = (v), ['2'] = (v), ['3'] = (v), ['4'] = (v), \
  ['5'] = (v), ['6'] = (v), ['7'] = (v), ['8'] = (v), ['9'] = (v)
#define ASCII_LETTERS_TO(v) \
  ['A'] = (v), ['B'] = (v), ['C'] = (v), ['D'] = (v), ['E'] = (v), ['F'] = (v), ['G'] = (v), \
  ['H'] = (v), ['I'] = (v), ['J'] = (v), ['K'] = (v), ['L'] = (v), ['M'] = (v), ['N'] = (v), \
  ['O'] = (v), ['P'] = (v), ['Q'] = (v), ['R'] = (v), ['S'] = (v), ['T'] = (v), ['U'] = (v), \
  ['V'] = (v), ['W'] = (v), ['X'] = (v), ['Y'] = (v), ['Z'] = (v), \
  ['a'] = (v), ['b'] = (v), ['c'] = (v), ['d'] = (v), ['e'] = (v), ['f'] = (v), ['g'] = (v), \
  ['h'] = (v), ['i'] = (v), ['j'] = (v), ['k'] = (v), ['l'] = (v), ['m'] = (v), ['n'] = (v), \
  ['o'] = (v), ['p'] = (v), ['q'] = (v), ['r'] = (v), ['s'] = (v), ['t'] = (v), ['u'] = (v), \
  ['v'] = (v), ['w'] = (v), ['x'] = (v), ['y'] = (v), ['z'] = (v)
#define SIXTEEN_TIMES(v) (v), (v), (v), (v), (v), (v), (v), (v), \
  (v), (v), (v), (v), (v), (v), (v), (v)
#define HIGH_BYTES_TO(v) \
  [0x80] = SIXTEEN_TIMES (v), SIXTEEN_TIMES (v), SIXTEEN_TIMES (v), SIXTEEN_TIMES (v), \
  SIXTEEN_TIMES (v), SIXTEEN_TIMES (v), SIXTEEN_TIMES (v), SIXTEEN_TIMES (v)

static const unsigned char chunk_bytes[256] = {
  [' '] = CB_BLANK, ['\t'] = CB_BLANK, ['\r'] = CB_BLANK, ['\v'] = CB_BLANK, ['\f'] = CB_BLANK,
  ['\n'] = CB_BLANK,
  ['{'] = CB_MERGE | CB_EDGE, ['['] = CB_MERGE | CB_EDGE, ['*'] = CB_MERGE | CB_EDGE,
  ['%'] = CB_MERGE, ['$'] = CB_MERGE,
  ['('] = CB_EDGE, [')'] = CB_EDGE, [']'] = CB_EDGE, ['}'] = CB_EDGE, ['<'] = CB_EDGE,
  ['>'] = CB_EDGE, [','] = CB_EDGE, ['.'] = CB_EDGE, [';'] = CB_EDGE, [':'] = CB_EDGE | CB_COLON,
  ['!'] = CB_EDGE, ['?'] = CB_EDGE, ['"'] = CB_EDGE, ['\''] = CB_EDGE,
  ASCII_DIGITS_TO (CB_DIGIT),
  ASCII_LETTERS_TO (CB_LETTER | CB_WORDISH),
  HIGH_BYTES_TO (CB_NONASCII | CB_WORDISH),
};

/* Punctuation stripped from both ends of a chunk before it is classified: ()[]{}<>,.;:!?"'* */
static inline bool
edge_punct (uint8_t b)
{
  return chunk_bytes[b] & CB_EDGE;
}

/* The class tokens, one string: classify_chunk returns pointers into it, and a copy of it
   follows the normalised text, so that a class token can point there instead of being
   written into the text. */
static const char class_names[] = "xmergex\0xurlx\0xemailx\0xhandlex\0xphonex\0xnumx";
enum class_name_offset
{
  CLS_MERGE = 0, CLS_URL = 8, CLS_EMAIL = 14, CLS_HANDLE = 22, CLS_PHONE = 31, CLS_NUM = 39
};

/* Does P (N bytes) hold "://"?  From each ':' on (memmem cost about 170 instructions a call
   here, for chunks of a dozen bytes). */
static bool
has_scheme_separator (const char *p, size_t n)
{
  for (const char *c = memchr (p, ':', n); c; c = memchr (c + 1, ':', p + n - c - 1))
    if (p + n - c >= 3 && c[1] == '/' && c[2] == '/')
      return true;
  return false;
}

/* What classify_chunk counts of a byte: the index of its counter. */
enum chunk_count
{
  CC_OTHER = 0, CC_LETTER, CC_DIGIT, CC_DOT, CC_AT, CC_UNDERSCORE, CC_NONASCII, CC_COLON,
  CC_KINDS
};

static const unsigned char chunk_counts[256] = {
  ['.'] = CC_DOT, ['@'] = CC_AT, ['_'] = CC_UNDERSCORE, [':'] = CC_COLON,
  ASCII_DIGITS_TO (CC_DIGIT),
  ASCII_LETTERS_TO (CC_LETTER),
  HIGH_BYTES_TO (CC_NONASCII),
};

/* The class token for the chunk P of N bytes (folded, no blanks), or NULL to keep it. */
static const char *
classify_chunk (const char *p, size_t n)
{
  if (n == 0)
    return NULL;
  /* A counter per kind of byte, one increment per byte without a branch (an if-chain per
     byte cost about 25 instructions a byte here); where the first '@' is, only if there is
     one. */
  size_t count[CC_KINDS] = { 0 };
  for (size_t i = 0; i < n; i++)
    count[chunk_counts[(uint8_t) p[i]]]++;
  size_t letters = count[CC_LETTER], digits = count[CC_DIGIT], dots = count[CC_DOT];
  size_t underscores = count[CC_UNDERSCORE], nonascii = count[CC_NONASCII];
  size_t others = count[CC_OTHER] + count[CC_COLON];
  bool colon = count[CC_COLON] > 0;
  size_t at = count[CC_AT] ? (size_t) ((const char *) memchr (p, '@', n) - p) : n;
  if (n >= 4 && ((colon && has_scheme_separator (p, n)) || starts_with_ci (p, n, "www.")))
    return class_names + CLS_URL;
  if (at > 0 && at < n && memchr (p + at, '.', n - at))
    return class_names + CLS_EMAIL;
  if (at == 0 && n > 1)
    return class_names + CLS_HANDLE;
  if (digits > 0 && letters == 0 && nonascii == 0)
    {
      /* Phone numbers: a leading '+' or at least 7 digits with separators; else a number,
         a price or a percentage. */
      if (p[0] == '+' || digits >= 7)
        return class_names + CLS_PHONE;
      return class_names + CLS_NUM;
    }
  if (digits > 0 && nonascii > 0 && letters == 0)
    return class_names + CLS_NUM; /* 500€, 20 % written without the space */
  if (dots > 0 && nonascii == 0)
    {
      /* A domain: labels of letters, digits and '-', the last one a known TLD. */
      const char *last = memrchr (p, '.', n);
      size_t tl = p + n - last - 1;
      bool labels_ok = true;
      size_t label = 0;
      bool short_labels_only = true;
      for (size_t i = 0; i < n; i++)
        if (p[i] == '.')
          {
            if (label == 0)
              labels_ok = false;
            if (label > 1)
              short_labels_only = false;
            label = 0;
          }
        else if (ascii_alpha ((uint8_t) p[i]) || ascii_digit ((uint8_t) p[i]) || p[i] == '-')
          label++;
        else
          labels_ok = false;
      if (label > 1)
        short_labels_only = false;
      if (labels_ok && tl >= 2 && is_tld (last + 1, tl))
        return class_names + CLS_URL;
      /* "anna.k", "lisa.m.92": a dotted handle; "z.b", "d.h" are abbreviations. */
      if (labels_ok && label > 0 && !short_labels_only)
        return class_names + CLS_HANDLE;
    }
  if (underscores > 0 && letters + digits > 0)
    return class_names + CLS_HANDLE;
  if (digits > 0 && letters > 0 && others == 0 && nonascii == 0)
    return class_names + CLS_HANDLE; /* lisa92, gbcc2024 */
  return NULL;
}

/* Narrow the chunk S[*A, *E) to what lies inside its edge punctuation; a leading '@' stays,
   since it starts a handle. */
static inline void
trim_edge_punct (const char *s, size_t *a, size_t *e)
{
  while (*a < *e && edge_punct ((uint8_t) s[*a]) && s[*a] != '@')
    (*a)++;
  while (*e > *a && edge_punct ((uint8_t) s[*e - 1]))
    (*e)--;
}

/* Append the lines S[FROM .. TO) of the text S (N bytes; TO is N or at a line break) to OUT
   with merge tags, addresses, URLs, handles, phone numbers and numbers replaced by class
   tokens.  Most of the text stays as it is: it is copied in runs, up to each replacement.
   (fp_normalise does this in its word scan; this is for lines off its fast path, and for
   fp_normalise_reference.) */
static void
class_tokens (const char *s, size_t from, size_t to, size_t n, struct buf *out)
{
  size_t i = from, copied = from;
  while (i < to)
    {
      if (chunk_bytes[(uint8_t) s[i]] & CB_BLANK)
        {
          i++;
          continue;
        }
      /* A chunk: up to the next blank; merge tags inside it are replaced first. */
      size_t end = i;
      unsigned char common = CB_WORDISH;
      while (end < to)
        {
          /* Letters and UTF-8 bytes, most of a chunk, eight at a time. */
          if (end + 8 <= n)
            {
              uint64_t x = load_le64 ((const uint8_t *) s + end);
              uint64_t wordish = ascii_letters8 (x) | (x & BYTES8 (0x80));
              if (wordish & 0x80)
                {
                  end += leading_marked_bytes (wordish);
                  continue;
                }
            }
          unsigned char cb = chunk_bytes[(uint8_t) s[end]];
          if (cb & CB_BLANK)
            break;
          if ((cb & CB_MERGE) && merge_tag_len (s, end, n))
            break;
          common &= cb;
          end++;
        }
      if (end == i)
        {
          size_t m = merge_tag_len (s, i, n);
          buf_put (out, s + copied, i - copied);
          buf_str (out, " xmergex ");
          i += m;
          copied = i;
          continue;
        }
      /* Letters alone (ASCII or not) are never a class token: no digits, dots, '@' or '_'. */
      if (common & CB_WORDISH)
        {
          i = end;
          continue;
        }
      size_t a = i, e = end;
      trim_edge_punct (s, &a, &e);
      const char *cls = classify_chunk (s + a, e - a);
      if (cls)
        {
          size_t cl = strlen (cls);
          char *w = buf_reserve (out, (a - copied) + cl + 2);
          if (!w)
            return;
          memcpy (w, s + copied, a - copied);
          w += a - copied;
          *w++ = ' ';
          memcpy (w, cls, cl);
          w += cl;
          *w++ = ' ';
          buf_commit (out, w);
          copied = e;
        }
      i = end;
    }
  buf_put (out, s + copied, to - copied);
}

/* ------------------------------------------------------------------ steps 5-6: words */

static const char rcpt_token[] = "xrcptx";

static bool
is_recipient_word (const struct fp_recipient *r, const char *p, size_t n)
{
  if (!r)
    return false;
  /* The first byte decides for most words before strlen is needed. */
  for (size_t i = 0; i < r->n; i++)
    if (r->words[i][0] == p[0] && strlen (r->words[i]) == n && memcmp (r->words[i], p, n) == 0)
      return true;
  return false;
}

/* Word-break classes of the characters the fast path handles (UAX #29, table 3); the word
   characters have WB_WORD set. */
enum wb_class
{
  WB_OTHER = 0, WB_MIDLETTER = 1, WB_MIDNUMLET = 2, WB_MIDNUM = 3, WB_SINGLE_QUOTE = 4,
  WB_WORD = 8,
  WB_ALETTER = WB_WORD | 0, WB_NUMERIC = WB_WORD | 1, WB_EXTENDNUMLET = WB_WORD | 2,
};

/* The word-break classes of the ASCII characters: letters, digits and _ : . ' , ; */
static const unsigned char wb_ascii[128] = {
  ['_'] = WB_EXTENDNUMLET, [':'] = WB_MIDLETTER, ['.'] = WB_MIDNUMLET, ['\''] = WB_SINGLE_QUOTE,
  [','] = WB_MIDNUM, [';'] = WB_MIDNUM,
  ['0'] = WB_NUMERIC, ['1'] = WB_NUMERIC, ['2'] = WB_NUMERIC, ['3'] = WB_NUMERIC,
  ['4'] = WB_NUMERIC, ['5'] = WB_NUMERIC, ['6'] = WB_NUMERIC, ['7'] = WB_NUMERIC,
  ['8'] = WB_NUMERIC, ['9'] = WB_NUMERIC,
  ['A'] = WB_ALETTER, ['B'] = WB_ALETTER, ['C'] = WB_ALETTER, ['D'] = WB_ALETTER,
  ['E'] = WB_ALETTER, ['F'] = WB_ALETTER, ['G'] = WB_ALETTER, ['H'] = WB_ALETTER,
  ['I'] = WB_ALETTER, ['J'] = WB_ALETTER, ['K'] = WB_ALETTER, ['L'] = WB_ALETTER,
  ['M'] = WB_ALETTER, ['N'] = WB_ALETTER, ['O'] = WB_ALETTER, ['P'] = WB_ALETTER,
  ['Q'] = WB_ALETTER, ['R'] = WB_ALETTER, ['S'] = WB_ALETTER, ['T'] = WB_ALETTER,
  ['U'] = WB_ALETTER, ['V'] = WB_ALETTER, ['W'] = WB_ALETTER, ['X'] = WB_ALETTER,
  ['Y'] = WB_ALETTER, ['Z'] = WB_ALETTER,
  ['a'] = WB_ALETTER, ['b'] = WB_ALETTER, ['c'] = WB_ALETTER, ['d'] = WB_ALETTER,
  ['e'] = WB_ALETTER, ['f'] = WB_ALETTER, ['g'] = WB_ALETTER, ['h'] = WB_ALETTER,
  ['i'] = WB_ALETTER, ['j'] = WB_ALETTER, ['k'] = WB_ALETTER, ['l'] = WB_ALETTER,
  ['m'] = WB_ALETTER, ['n'] = WB_ALETTER, ['o'] = WB_ALETTER, ['p'] = WB_ALETTER,
  ['q'] = WB_ALETTER, ['r'] = WB_ALETTER, ['s'] = WB_ALETTER, ['t'] = WB_ALETTER,
  ['u'] = WB_ALETTER, ['v'] = WB_ALETTER, ['w'] = WB_ALETTER, ['x'] = WB_ALETTER,
  ['y'] = WB_ALETTER, ['z'] = WB_ALETTER,
};

/* The byte length of the character at S[I] (from 0x80 on; the text is N bytes) if the fast
   path splits lines with it, else 0: U+00C0..U+00FF, and the punctuation and symbols of
   U+00A1..U+00BF (but for the letters ª, µ and º and the SOFT HYPHEN, a format character),
   U+2010..U+2027 and U+2030..U+203A, whose word-break class is Other but for · and U+2027
   (MidLetter) and ‘ ’ U+2024 (MidNumLet).  The quotation marks, dashes and bullets of
   ordinary mail sent a line through u8_wordbreaks. */
static inline int
fast_char_len (const char *s, size_t i, size_t n)
{
  unsigned char c = s[i];
  if (c == 0xc3)
    return i + 1 < n && ((unsigned char) s[i + 1] & 0xc0) == 0x80 ? 2 : 0;
  if (c == 0xc2)
    {
      unsigned char d = i + 1 < n ? (unsigned char) s[i + 1] : 0;
      return d >= 0xa1 && d <= 0xbf && d != 0xaa && d != 0xad && d != 0xb5 && d != 0xba
        ? 2 : 0;
    }
  if (c == 0xe2 && i + 2 < n && (unsigned char) s[i + 1] == 0x80)
    {
      unsigned char e = s[i + 2];
      return (e >= 0x90 && e <= 0xa7) || (e >= 0xb0 && e <= 0xba) ? 3 : 0;
    }
  return 0;
}

/* The class and byte length of the character at P (a fast-path line: one fast_char_len
   accepts, if not ASCII). */
static inline enum wb_class
wb_class_at (const char *p, int *len)
{
  unsigned char c = p[0];
  if (c < 0x80)
    {
      *len = 1;
      return (enum wb_class) wb_ascii[c];
    }
  unsigned char d = p[1];
  if (c == 0xc3)
    {
      *len = 2;
      /* U+00D7 and U+00F7 (multiplication and division signs) are not letters. */
      return d == 0x97 || d == 0xb7 ? WB_OTHER : WB_ALETTER;
    }
  if (c == 0xc2)
    {
      *len = 2;
      return d == 0xb7 ? WB_MIDLETTER : WB_OTHER;
    }
  *len = 3;
  unsigned char e = p[2];
  return e == 0x98 || e == 0x99 || e == 0xa4 ? WB_MIDNUMLET
    : e == 0xa7 ? WB_MIDLETTER : WB_OTHER;
}

static inline bool
wb_is_word (enum wb_class c)
{
  return c & WB_WORD;
}

/* What the splitter appends tokens to. */
struct splitter
{
  char *s;                      /* the text, and behind it the tokens that are not in it */
  size_t n;                     /* bytes readable at S (eight-byte loads stay below) */
  size_t rcpt_off;              /* where the recipient token is in S */
  const struct fp_recipient *r;
  size_t *rlen;                 /* the lengths of R's words, or NULL to use strlen */
  /* Bit length_bit (N) of FIRST_LENGTHS[B] is set if a recipient word of N bytes starts with
     the byte B, of LAST_LENGTHS[B] if one ends with it. */
  uint32_t first_lengths[256], last_lengths[256];
  struct fp_tokens *t;
  size_t cap;                   /* of t->off and t->len */
  char *breaks;                 /* u8_wordbreaks' scratch, BREAKS_CAP bytes */
  size_t breaks_cap;
};

/* The bit of the splitter's length masks for a word of N bytes: lengths from 31 on share one.
   A token is compared with the recipient's words only if some word of its length starts with
   its first byte and some word of its length ends with its last: two loads and an AND, where
   a hash of the three cost twice the instructions, and fewer comparisons (3,838 in a corpus
   run, against 6,349; the first byte and the length alone passed about one token in ten). */
static inline unsigned
length_bit (size_t n)
{
  return n < 31 ? (unsigned) n : 31;
}

/* Is P (N bytes) one of the recipient's words?  As is_recipient_word, with the lengths known. */
static bool
splitter_recipient_word (const struct splitter *sp, const char *p, size_t n)
{
  if (!sp->rlen)
    return is_recipient_word (sp->r, p, n);
  for (size_t i = 0; i < sp->r->n; i++)
    if (sp->rlen[i] == n && memcmp (sp->r->words[i], p, n) == 0)
      return true;
  return false;
}

/* Grow SP->t's arrays when full.  Return 0, or -1 on ENOMEM. */
static int
splitter_grow (struct splitter *sp)
{
  struct fp_tokens *t = sp->t;
  sp->cap *= 2;
  uint32_t *no = realloc (t->off, sp->cap * sizeof *no);
  if (!no)
    return -1;
  t->off = no;
  uint32_t *nl = realloc (t->len, sp->cap * sizeof *nl);
  if (!nl)
    return -1;
  t->len = nl;
  return 0;
}

/* Append S[I..J), whose first byte is FIRST, to SP->t: the recipient token if it is one of
   the recipient's words.  Inlined into both splitters: a call per token was a tenth of the
   splitting. */
#if defined __GNUC__
__attribute__ ((always_inline))
#endif
static inline int
append_token (struct splitter *sp, size_t i, size_t j, unsigned char first)
{
  struct fp_tokens *t = sp->t;
  if (t->n == sp->cap && splitter_grow (sp) < 0)
    return -1;
  size_t n = j - i;
  if (((sp->first_lengths[first] & sp->last_lengths[(unsigned char) sp->s[j - 1]])
       >> length_bit (n) & 1)
      && splitter_recipient_word (sp, sp->s + i, n))
    {
      t->off[t->n] = sp->rcpt_off;
      t->len[t->n] = sizeof rcpt_token - 1;
    }
  else
    {
      t->off[t->n] = i;
      t->len[t->n] = j - i;
    }
  t->n++;
  return 0;
}

/* Append the token S[I..J) to SP->t (the recipient token if it is one of the recipient's
   words); a token that does not start with a letter or digit is left out. */
static int
emit_token (struct splitter *sp, size_t i, size_t j)
{
  const char *s = sp->s;
  unsigned char first = s[i];
  if (first < 0x80)
    {
      if (!ascii_alpha (first) && !ascii_digit (first))
        return 0;
    }
  else
    {
      ucs4_t c;
      if (u8_mbtouc (&c, (const uint8_t *) s + i, j - i) <= 0 || !(uc_is_alpha (c) || uc_is_digit (c)))
        return 0;
    }
  return append_token (sp, i, j, first);
}

/* emit_token for a word of a fast-path line: it starts with an ASCII letter, a digit, '_', or
   a letter of U+00C0..U+00FF (wb_class_at calls the two signs there WB_OTHER, and they start no
   word), and of these only '_' is neither letter nor digit. */
#if defined __GNUC__
__attribute__ ((always_inline))
#endif
static inline int
emit_latin1_token (struct splitter *sp, size_t i, size_t j)
{
  unsigned char first = sp->s[i];
  if (first == '_')
    return 0;
  return append_token (sp, i, j, first);
}

/* Segment the fast-path text S[A..B) by the UAX #29 rules WB5-WB13b into tokens.  The byte at
   B, if there is one, must not be a letter (a line break, a blank, the start of a merge tag). */
static int
split_latin1_line (struct splitter *sp, size_t a, size_t b)
{
  const char *s = sp->s;
  size_t i = a;
  while (i < b && sp->t->n < FP_MAX_TOKENS)
    {
      /* ASCII between words (blanks, punctuation) in a tight loop. */
      while (i < b && (unsigned char) s[i] < 0x80 && !(wb_ascii[(unsigned char) s[i]] & WB_WORD))
        i++;
      if (i >= b)
        break;
      int len;
      enum wb_class c = wb_class_at (s + i, &len);
      if (!wb_is_word (c))
        {
          i += len;
          continue;
        }
      size_t start = i;
      enum wb_class prev = c;
      i += len;
      while (i < b)
        {
          /* ASCII letters, the bulk of a word, eight at a time: the letters before the
             first other byte (the byte at B is one). */
          if (i + 8 <= sp->n)
            {
              uint64_t letters = ascii_letters8 (load_le64 ((const uint8_t *) s + i));
              if (letters & 0x80)
                {
                  size_t run = leading_marked_bytes (letters);
                  prev = WB_ALETTER;
                  i += run;
                  continue;
                }
            }
          /* Other ASCII word characters (digits, '_') one at a time. */
          unsigned char ch = s[i];
          if (ch < 0x80 && (wb_ascii[ch] & WB_WORD))
            {
              prev = (enum wb_class) wb_ascii[ch];
              i++;
              continue;
            }
          int l1, l2;
          enum wb_class next = wb_class_at (s + i, &l1);
          if (wb_is_word (next))
            {
              prev = next;
              i += l1;
              continue;
            }
          if (i + l1 >= b)
            break;
          enum wb_class after = wb_class_at (s + i + l1, &l2);
          bool letters = prev == WB_ALETTER && after == WB_ALETTER
            && (next == WB_MIDLETTER || next == WB_MIDNUMLET || next == WB_SINGLE_QUOTE);
          bool digits = prev == WB_NUMERIC && after == WB_NUMERIC
            && (next == WB_MIDNUM || next == WB_MIDNUMLET || next == WB_SINGLE_QUOTE);
          if (!letters && !digits)
            break;
          prev = after;
          i += l1 + l2;
        }
      if (emit_latin1_token (sp, start, i) < 0)
        return -1;
    }
  return 0;
}

/* The end of the line of S (N bytes) that starts at FROM, and whether all its characters are
   ASCII or ones fast_char_len accepts: there the word-break rules reduce to a few classes, and
   the fast path gives what u8_wordbreaks gives (the unit test compares them). */
static size_t
scan_line (const char *s, size_t from, size_t n, bool *latin1)
{
  size_t i = from;
  while (i < n)
    {
      /* Eight ASCII bytes without a line break at a time. */
      if (i + 8 <= n)
        {
          uint64_t x = load8 (s + i);
          uint64_t nl = x ^ BYTES8 ('\n');
          if (((((nl - BYTES8 (0x01)) & ~nl) | x) & BYTES8 (0x80)) == 0)
            {
              i += 8;
              continue;
            }
        }
      unsigned char c = s[i];
      if (c == '\n')
        break;
      int fast;
      if (c < 0x80)
        i++;
      else if ((fast = fast_char_len (s, i, n)) > 0)
        i += fast;
      else
        {
          *latin1 = false;
          const char *nl = memchr (s + i, '\n', n - i);
          return nl ? (size_t) (nl - s) : n;
        }
    }
  *latin1 = true;
  return i;
}

/* Set up SP to append tokens of S (READABLE bytes; the recipient token at RCPT_OFF) to T, which
   gets room for about one token per five bytes of the TEXT_LEN bytes of text.  Return 0, or
   -1 on ENOMEM (then T holds nothing to free). */
static int
splitter_init (struct splitter *sp, char *s, size_t readable, size_t rcpt_off, size_t text_len,
               const struct fp_recipient *r, struct fp_tokens *t)
{
  /* About one token per six bytes of text, up to the bound: most bodies need no realloc. */
  size_t cap = text_len / 5 + 64 < FP_MAX_TOKENS ? text_len / 5 + 64 : FP_MAX_TOKENS;
  *sp = (struct splitter) { .s = s, .n = readable, .rcpt_off = rcpt_off, .r = r, .t = t,
                            .cap = cap };
  /* Without memory for the lengths, is_recipient_word takes strlen each time. */
  sp->rlen = r && r->n ? malloc (r->n * sizeof *sp->rlen) : NULL;
  for (size_t i = 0; r && i < r->n; i++)
    {
      const char *w = r->words[i];
      size_t len = strlen (w);
      if (len > 0)
        {
          sp->first_lengths[(unsigned char) w[0]] |= UINT32_C (1) << length_bit (len);
          sp->last_lengths[(unsigned char) w[len - 1]] |= UINT32_C (1) << length_bit (len);
        }
      if (sp->rlen)
        sp->rlen[i] = len;
    }
  t->off = malloc (sp->cap * sizeof *t->off);
  t->len = malloc (sp->cap * sizeof *t->len);
  if (!t->off || !t->len)
    {
      free (t->off);
      free (t->len);
      t->off = t->len = NULL;
      free (sp->rlen);
      return -1;
    }
  return 0;
}

static void
splitter_done (struct splitter *sp)
{
  free (sp->breaks);
  free (sp->rlen);
}

/* Split the line SP->s[LINE .. END) (no line break in it) into UAX #29 words that start with
   a letter or digit: the fast path if LATIN1, else u8_wordbreaks. */
static int
split_line (struct splitter *sp, size_t line, size_t end, bool latin1)
{
  if (latin1)
    return split_latin1_line (sp, line, end);
  size_t len = end - line;
  if (len > sp->breaks_cap)
    {
      char *nb = realloc (sp->breaks, len);
      if (!nb)
        return -1;
      sp->breaks = nb;
      sp->breaks_cap = len;
    }
  u8_wordbreaks ((const uint8_t *) sp->s + line, len, sp->breaks);
  size_t i = 0;
  int status = 0;
  while (i < len && sp->t->n < FP_MAX_TOKENS && status == 0)
    {
      size_t j = i + 1;
      while (j < len && !sp->breaks[j])
        j++;
      status = emit_token (sp, line + i, line + j);
      i = j;
    }
  return status;
}

/* Split S (N bytes, the recipient token behind its NUL) into UAX #29 words that start with a
   letter or digit, into T.  Lines of ASCII, Latin-1 letters and the punctuation of
   fast_char_len take the fast path; others go through u8_wordbreaks. */
static int
split_words (char *s, size_t n, const struct fp_recipient *r, struct fp_tokens *t)
{
  struct splitter sp;
  if (splitter_init (&sp, s, n, n + 1, n, r, t) < 0)
    return -1;
  int status = 0;
  size_t line = 0;
  while (line < n && t->n < FP_MAX_TOKENS && status == 0)
    {
      bool latin1;
      size_t end = scan_line (s, line, n, &latin1);
      status = split_line (&sp, line, end, latin1);
      line = end + 1;
    }
  splitter_done (&sp);
  return status;
}

/* Append the class token CLS (a pointer into class_names, whose copy is at CLASS_BASE in
   SP->s) to SP->t. */
static inline int
append_class_token (struct splitter *sp, size_t class_base, const char *cls)
{
  size_t at = class_base + (size_t) (cls - class_names);
  return append_token (sp, at, at + strlen (cls), (unsigned char) cls[0]);
}

/* Is S[A .. B) of the text S (N bytes) all ASCII and fast_char_len's characters, as scan_line
   would find? */
static bool
latin1_span (const char *s, size_t a, size_t b, size_t n)
{
  for (size_t k = a; k < b;)
    {
      unsigned char c = s[k];
      int fast;
      if (c < 0x80)
        k++;
      else if ((fast = fast_char_len (s, k, n)) > 0)
        k += fast;
      else
        return false;
    }
  return true;
}

/* In class_split_words' sixteen-byte BLOCK, whose blanks BLANKS has as bits: where a chunk's
   letters or digits end at AT (at most 16), is what follows a blank (0 returned), or one byte
   of edge punctuation that cannot start a merge tag and then a blank (1; class_tokens trims
   it), or anything else (-1)?  The byte at AT is read only if the one after it is a blank in
   the block. */
static inline int
chunk_tail (const char *block, unsigned blanks, unsigned at)
{
  if (blanks >> at & 1)
    return 0;
  if ((blanks >> (at + 1) & 1)
      && (chunk_bytes[(uint8_t) block[at]] & (CB_EDGE | CB_MERGE)) == CB_EDGE)
    return 1;
  return -1;
}

/* Split the line S[LINE .. END) of the text as it was done before the scans were merged: the
   line with its class tokens in place is written behind the text in B (then SP->s is B's new
   address) and split into words.  LINE_BUF is scratch. */
static int
class_split_line_copy (struct splitter *sp, struct buf *b, size_t line, size_t end, size_t n,
                       struct buf *line_buf)
{
  line_buf->n = 0;
  class_tokens (sp->s, line, end, n, line_buf);
  size_t at = b->n;
  buf_put (b, line_buf->s ? line_buf->s : "", line_buf->n);
  buf_put (b, "", 1);
  if (b->err || line_buf->err)
    return -1;
  sp->s = b->s;
  sp->n = b->n;
  bool latin1;
  size_t classed_end = scan_line (sp->s, at, at + line_buf->n, &latin1);
  return split_line (sp, at, classed_end, latin1);
}

/* Steps 4 to 6: the class tokens and words of the text in B (B->n bytes) into T; B's text
   becomes T->buf.  What class_tokens and then split_words give, in one scan and without
   writing the text again: a chunk between blanks is read once to find its end and whether it
   holds anything but letters; a chunk of ASCII letters (with punctuation at its ends) is a
   word, a class token replaces its chunk, and the few other chunks go through the Latin-1
   splitter on their own (a blank, a merge tag and the line's end are word breaks, so a
   chunk's words are the line's words there).  The recipient token and the class tokens go
   behind the text's NUL, for the tokens that are not in the text to point to.  A line whose
   words are not all ASCII and Latin-1 (found at its first such chunk: its tokens so far are
   taken back) is done the old way by class_split_line_copy. */
static int
class_split_words (struct buf *b, const struct fp_recipient *r, struct fp_tokens *t)
{
  size_t n = b->n;
  buf_put (b, "", 1);
  size_t rcpt_off = b->n;
  buf_put (b, rcpt_token, sizeof rcpt_token);
  size_t class_base = b->n;
  buf_put (b, class_names, sizeof class_names);
  struct splitter sp;
  if (b->err || splitter_init (&sp, b->s, b->n, rcpt_off, n, r, t) < 0)
    return -1;
  struct buf line_buf = { 0 };
  int status = 0;
  size_t line = 0, line_tokens = 0;     /* where the current line starts, its first token */
  size_t i = 0;
  while (t->n < FP_MAX_TOKENS)
    {
      const char *s = sp.s;
#if defined __SSE2__ && defined __GNUC__
      /* The commonest step in one sixteen-byte block: the blanks before a chunk, and the
         chunk itself where it is ASCII letters up to a blank (a word; most chunks of mail
         are).  The byte-wise blank loop and the chunk scan below cost about twice as many
         instructions for it, and their branches mispredicted on one blank against two.
         The block may reach past the text's NUL (S has READABLE bytes), but the NUL is
         neither a blank nor a letter, so nothing behind it is used. */
      if (i + 16 <= sp.n)
        {
          const char *block = s + i;
          __m128i x = _mm_loadu_si128 ((const __m128i *) block);
          __m128i lower = _mm_or_si128 (x, _mm_set1_epi8 (0x20));
          __m128i blank = _mm_or_si128 (_mm_cmpeq_epi8 (x, _mm_set1_epi8 (' ')),
                                        _mm_and_si128 (_mm_cmpgt_epi8 (x, _mm_set1_epi8 ('\t' - 1)),
                                                       _mm_cmplt_epi8 (x, _mm_set1_epi8 ('\r' + 1))));
          /* Bytes from 0x80 on are negative: no letter, no blank, no digit. */
          __m128i letter = _mm_and_si128 (_mm_cmpgt_epi8 (lower, _mm_set1_epi8 ('a' - 1)),
                                          _mm_cmplt_epi8 (lower, _mm_set1_epi8 ('z' + 1)));
          unsigned blanks = (unsigned) _mm_movemask_epi8 (blank);
          unsigned lead = (unsigned) __builtin_ctz (~blanks);  /* 16 if all are blanks */
          if (lead < 16)
            {
              unsigned breaks = (unsigned) _mm_movemask_epi8 (_mm_cmpeq_epi8 (x, _mm_set1_epi8 ('\n')))
                & ((1u << lead) - 1);
              if (breaks)
                {
                  line = i + (31 - (unsigned) __builtin_clz (breaks)) + 1;
                  line_tokens = t->n;
                }
              i += lead;
              /* Bit K: the chunk's byte K is a letter (none from 16 - LEAD on). */
              unsigned letters = (unsigned) _mm_movemask_epi8 (letter) >> lead;
              unsigned run = (unsigned) __builtin_ctz (~letters);
              /* The chunk is the word if a blank follows the letters, or one byte of edge
                 punctuation and then a blank ("word," "word."), which class_tokens would
                 trim; not a byte that may start a merge tag, which would end the chunk. */
              int tail = chunk_tail (block, blanks, lead + run);
              if (run > 0 && tail >= 0)
                {
                  status = append_token (&sp, i, i + run, (unsigned char) s[i]);
                  if (status < 0)
                    break;
                  i += run + tail;
                  continue;
                }
              /* The next commonest shapes, tried only here, where the chunk is not one
                 word: what class_tokens and the splitter give for them is written out. */
              if (run > 0 && lead + run < 16)
                {
                  /* "don't" is one word (UAX #29 WB6, WB7), "well-known" two; neither is a
                     class token (no digit, '.', '@', '_', "://" or "www."). */
                  unsigned char mid = s[i + run];
                  unsigned run2 = (unsigned) __builtin_ctz (~(letters >> (run + 1)));
                  if ((mid == '\'' || mid == '-') && run2 > 0
                      && (tail = chunk_tail (block, blanks, lead + run + 1 + run2)) >= 0)
                    {
                      size_t second = i + run + 1;
                      if (mid == '\'')
                        status = append_token (&sp, i, second + run2, (unsigned char) s[i]);
                      else if ((status = append_token (&sp, i, i + run, (unsigned char) s[i])) == 0
                               && t->n < FP_MAX_TOKENS)
                        status = append_token (&sp, second, second + run2,
                                               (unsigned char) s[second]);
                      if (status < 0)
                        break;
                      i = second + run2 + tail;
                      continue;
                    }
                }
              else if ((chunk_bytes[(uint8_t) s[i]] & (CB_EDGE | CB_MERGE)) == CB_EDGE)
                {
                  /* "(word" "\"word\"": edge punctuation at the start is trimmed too. */
                  unsigned run2 = (unsigned) __builtin_ctz (~(letters >> 1));
                  if (run2 > 0 && (tail = chunk_tail (block, blanks, lead + 1 + run2)) >= 0)
                    {
                      status = append_token (&sp, i + 1, i + 1 + run2, (unsigned char) s[i + 1]);
                      if (status < 0)
                        break;
                      i += 1 + run2 + tail;
                      continue;
                    }
                }
              else
                {
                  /* Digits alone: a number, or with seven and more a phone number. */
                  __m128i digit = _mm_and_si128 (_mm_cmpgt_epi8 (x, _mm_set1_epi8 ('0' - 1)),
                                                 _mm_cmplt_epi8 (x, _mm_set1_epi8 ('9' + 1)));
                  unsigned digits = (unsigned) __builtin_ctz (~((unsigned) _mm_movemask_epi8 (digit)
                                                                >> lead));
                  if (digits > 0 && (tail = chunk_tail (block, blanks, lead + digits)) >= 0)
                    {
                      status = append_class_token (&sp, class_base, class_names
                                                   + (digits >= 7 ? CLS_PHONE : CLS_NUM));
                      if (status < 0)
                        break;
                      i += digits + tail;
                      continue;
                    }
                }
            }
        }
#endif
      /* The blanks before the next chunk (most often one space), noting line starts. */
      unsigned char c0;
      while (i < n && (chunk_bytes[c0 = s[i]] & CB_BLANK))
        {
          i++;
          if (c0 == '\n')
            {
              line = i;
              line_tokens = t->n;
            }
        }
      if (i >= n)
        break;
      /* The chunk up to the next blank or merge tag, as class_tokens finds it.  HIGH collects
         (at least) its bytes' top bits, ODD counts its bytes other than letters. */
      size_t end = i, odd = 0;
      unsigned char common = CB_WORDISH;
      uint64_t high = 0;
      while (end < n)
        {
          if (end + 8 <= n)
            {
              /* Letters and UTF-8 bytes eight at a time; where the run ends short of eight
                 the byte after it is something else, for the byte-wise test right away. */
              uint64_t x = load_le64 ((const uint8_t *) s + end);
              uint64_t wordish = ascii_letters8 (x) | (x & BYTES8 (0x80));
              size_t run = leading_marked_bytes (wordish);
              high |= x;
              end += run;
              if (run == 8)
                continue;
            }
          unsigned char cb = chunk_bytes[(uint8_t) s[end]];
          if (cb & CB_BLANK)
            break;
          if ((cb & CB_MERGE) && merge_tag_len (s, end, n))
            break;
          common &= cb;
          odd += !(cb & CB_WORDISH);
          high |= (uint8_t) s[end];
          end++;
        }
      if (end == i)
        {
          status = append_class_token (&sp, class_base, class_names + CLS_MERGE);
          if (status < 0)
            break;
          i += merge_tag_len (s, i, n);
          continue;
        }
      size_t ca = i, ce = end;
      const char *cls = NULL;
      if (!(common & CB_WORDISH))
        {
          trim_edge_punct (s, &ca, &ce);
          /* Letters with punctuation only at the ends ("word," "(word)") are no class token:
             classify_chunk would count the letters to say so. */
          if (odd != (ca - i) + (end - ce))
            cls = classify_chunk (s + ca, ce - ca);
        }
      if (cls)
        status = append_class_token (&sp, class_base, cls);
      else if (!(high & BYTES8 (0x80)))
        {
          /* ASCII: letters between the punctuation, one word (or none), or a chunk with
             digits or inner punctuation for the splitter. */
          if (odd == (ca - i) + (end - ce))
            status = ca < ce ? append_token (&sp, ca, ce, (unsigned char) s[ca]) : 0;
          else
            status = split_latin1_line (&sp, i, end);
        }
      else if (latin1_span (s, i, end, n))
        status = split_latin1_line (&sp, i, end);
      else
        {
          const char *nl = memchr (s + end, '\n', n - end);
          size_t line_end = nl ? (size_t) (nl - s) : n;
          t->n = line_tokens;
          status = class_split_line_copy (&sp, b, line, line_end, n, &line_buf);
          end = line_end;
        }
      if (status < 0)
        break;
      i = end;
    }
  free (line_buf.s);
  splitter_done (&sp);
  return status;
}

/* ------------------------------------------------------------------ normalisation */

/* The length of the character at P (ROOM bytes on) if it is one that NFKC and case folding
   leave alone, that has combining class 0 and that never combines with a character before
   it, else 0: from U+00A0..U+00BF ¡ ¢ £ ¤ ¥ ¦ § © « ¬ SOFT HYPHEN ® ° ± ¶ · » ¿, from
   U+2010..U+203A the hyphen, the dashes, ‖, the quotation marks, † ‡ • ‣ ‧ ‰ ‱ ′ ‵ ‹ ›, €, the
   arrows U+2190..U+21FF, the box drawing, block, geometric shape, symbol and dingbat characters
   U+2500..U+27BF, the ideographic comma, full stop and corner brackets, Hiragana and Katakana
   letters (a voiced one is composed, and stays so), CJK unified ideographs and Hangul
   syllables.  (The unit test
   checks each against u8_casefold.)  German and English mail is full of the punctuation, and
   each mark sent its word through u8_casefold, as each CJK character its line. */
static inline int
plain_symbol_len (const unsigned char *p, size_t room)
{
  /* Bit K: U+00A0 + K is one of them; bit K of the second: U+2000 + K. */
  const uint32_t latin1_symbols = UINT32_C (0x88c37afe);
  const uint64_t punctuation = UINT64_C (0x0627008fff7d0000);
  if (p[0] == 0xc2 && room >= 2 && p[1] >= 0xa0 && p[1] <= 0xbf)
    return latin1_symbols >> (p[1] - 0xa0) & 1 ? 2 : 0;
  if (p[0] >= 0xe2 && p[0] <= 0xed && room >= 3 && (p[1] & 0xc0) == 0x80
      && (p[2] & 0xc0) == 0x80)
    {
      unsigned c = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
      if (c >= 0x2000 && c < 0x2040)
        return punctuation >> (c - 0x2000) & 1 ? 3 : 0;
      if (c == 0x20ac || (c >= 0x2190 && c <= 0x21ff) || (c >= 0x2500 && c <= 0x27bf)
          || (c >= 0x3001 && c <= 0x3002) || (c >= 0x300c && c <= 0x300f)
          || (c >= 0x3041 && c <= 0x3096) || (c >= 0x30a1 && c <= 0x30fc)
          || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7a3))
        return 3;
    }
  return 0;
}

/* If the character at P (ROOM bytes on) is one of those below, write its NFKC and case
   folding into OUT (at most 3 bytes), set *OUTLEN and return the character's length; else
   return 0.  The characters, each sent its blank-delimited segment through u8_casefold
   (about 20,000 instructions a call, most of them the call's own): NO-BREAK SPACE and the
   IDEOGRAPHIC SPACE (a space), the superscripts ¹ ² ³ and the fullwidth digits (digits), the
   fullwidth punctuation but ＜ ＝ ＞ (ASCII punctuation), HORIZONTAL ELLIPSIS ("...") and
   MICRO SIGN (μ).  What they become is a starter that is the second part of no composition
   and the first part of none either (which rules out the letters, and < = >, which compose
   with U+0338), and case folding needs no context, so each folds the same alone as within
   its segment, and the text after one folds the same as if the segment started there. */
static inline int
compat_fold (const unsigned char *p, size_t room, char *out, int *outlen)
{
  if (p[0] == 0xc2 && room >= 2)
    {
      static const char super[] = { '2', '3' };
      *outlen = 1;
      switch (p[1])
        {
        case 0xa0:
          out[0] = ' ';
          return 2;
        case 0xb2:
        case 0xb3:
          out[0] = super[p[1] - 0xb2];
          return 2;
        case 0xb9:
          out[0] = '1';
          return 2;
        case 0xb5:
          out[0] = (char) 0xce;
          out[1] = (char) 0xbc;
          *outlen = 2;
          return 2;
        default:
          return 0;
        }
    }
  if (room < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
    return 0;
  unsigned c = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
  if (p[0] == 0xe2 && c == 0x2026)
    {
      memcpy (out, "...", 3);
      *outlen = 3;
      return 3;
    }
  if (p[0] == 0xe3 && c == 0x3000)
    {
      out[0] = ' ';
      *outlen = 1;
      return 3;
    }
  if (p[0] == 0xef && c >= 0xff01 && c <= 0xff5e)
    {
      char a = (char) (c - 0xff00 + 0x20);
      if ((a >= 'A' && a <= 'Z') || (a >= 'a' && a <= 'z') || a == '<' || a == '=' || a == '>')
        return 0;
      out[0] = a;
      *outlen = 1;
      return 3;
    }
  return 0;
}

/* Bytes that end a case-folding segment: ASCII blanks and the line break. */
static inline bool
fold_boundary (unsigned char c)
{
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* NFKC and full case folding of B into OUT; B must be valid UTF-8.  The result is what
   u8_casefold (..., UNINORM_NFKC) gives for each line.  ASCII, U+00C0..U+00FF and the
   symbols of plain_symbol_len take a fast path: there NFKC changes nothing and case folding
   maps A-Z and U+00C0..U+00DE (but U+00D7) down by 0x20 and U+00DF to "ss", keeping the
   length (the unit test compares it with u8_casefold).  Any other character goes to
   u8_casefold with the whole blank-delimited
   segment around it: an ASCII blank is a boundary for normalisation (a starter that never
   combines with what precedes it) and for the context of case mappings (neither cased nor
   case-ignorable), so folding segment by segment is folding the line. */
static int
fold (const struct buf *b, struct buf *out)
{
  const char *s = b->s ? b->s : "";
  size_t len = b->n, i = 0;
  /* Since the fast path keeps the length, the output offset of input offset I (from BASE_IN
     on, where the last slow segment ended) is BASE_OUT + I - BASE_IN. */
  size_t base_in = 0, base_out = out->n;
  char *w = buf_reserve (out, len);
  if (!w)
    return -1;
  while (i < len)
    {
#if defined __SSE2__
      /* Sixteen ASCII bytes at a time where SSE2 is there: 0x20 added to A-Z. */
      if (i + 16 <= len)
        {
          __m128i x = _mm_loadu_si128 ((const __m128i *) (s + i));
          if (_mm_movemask_epi8 (x) == 0)
            {
              __m128i upper = _mm_and_si128 (_mm_cmpgt_epi8 (x, _mm_set1_epi8 ('A' - 1)),
                                             _mm_cmplt_epi8 (x, _mm_set1_epi8 ('Z' + 1)));
              x = _mm_or_si128 (x, _mm_and_si128 (upper, _mm_set1_epi8 (0x20)));
              _mm_storeu_si128 ((__m128i *) w, x);
              w += 16;
              i += 16;
              continue;
            }
        }
#endif
      if (i + 8 <= len)
        {
          uint64_t x = load8 (s + i);
          if ((x & BYTES8 (0x80)) == 0)
            {
              x = ascii_lower8 (x);
              memcpy (w, &x, 8);
              w += 8;
              i += 8;
              continue;
            }
        }
      unsigned char c = s[i];
      if (c < 0x80)
        {
          *w++ = c >= 'A' && c <= 'Z' ? (char) (c + 32) : (char) c;
          i++;
          continue;
        }
      if (c == 0xc3 && i + 1 < len && ((unsigned char) s[i + 1] & 0xc0) == 0x80)
        {
          unsigned char d = s[i + 1];
          if (d == 0x9f)
            {
              *w++ = 's';
              *w++ = 's';
            }
          else
            {
              *w++ = (char) 0xc3;
              *w++ = (char) (d >= 0x80 && d <= 0x9e && d != 0x97 ? d + 0x20 : d);
            }
          i += 2;
          continue;
        }
      int plain = plain_symbol_len ((const unsigned char *) s + i, len - i);
      if (plain)
        {
          memcpy (w, s + i, plain);
          w += plain;
          i += plain;
          continue;
        }
      char folded[3];
      int folded_len, used = compat_fold ((const unsigned char *) s + i, len - i, folded,
                                          &folded_len);
      if (used)
        {
          memcpy (w, folded, folded_len);
          w += folded_len;
          i += used;
          /* A shorter result: offsets are counted from here on.  The character is a
             boundary for the slow path as a blank is (see compat_fold). */
          if (folded_len != used)
            {
              base_in = i;
              base_out = (size_t) (w - out->s);
            }
          continue;
        }
      /* The slow path for the segment around I: back to the blank before it (not before
         BASE_IN, which is a blank, the start or after a character of compat_fold), on to the
         blank after it. */
      size_t seg = i;
      while (seg > base_in && !fold_boundary ((unsigned char) s[seg - 1]))
        seg--;
      size_t seg_end = i + 1;
      while (seg_end < len && !fold_boundary ((unsigned char) s[seg_end]))
        seg_end++;
      buf_commit (out, out->s + base_out + (seg - base_in));
      size_t n = 0;
      uint8_t *f = u8_casefold ((const uint8_t *) s + seg, seg_end - seg, NULL, UNINORM_NFKC,
                                NULL, &n);
      if (!f)
        return -1;
      buf_put (out, (const char *) f, n);
      free (f);
      i = base_in = seg_end;
      base_out = out->n;
      w = buf_reserve (out, len - i);
      if (!w)
        return -1;
    }
  buf_commit (out, w);
  return out->err ? -1 : 0;
}

char *
fp_casefold (const char *s, size_t len, size_t *outlen)
{
  const struct buf in = { .s = (char *) s, .n = s ? len : 0 };
  struct buf out = { 0 };
  if (fold (&in, &out) < 0)
    {
      int err = out.err ? ENOMEM : errno;
      free (out.s);
      errno = err;
      return NULL;
    }
  *outlen = out.n;
  return out.s;
}

/* Steps 1 to 3 of fp_normalise: the sender's own lines of S, folded, the greeting replaced
   and the closing cut, into *TRIMMED (NUL-terminated).  Return 0 or -1 (ENOMEM). */
static int
own_folded_text (const char *s, size_t len, const uint8_t *mask, struct buf *trimmed)
{
  struct buf own = { 0 }, folded = { 0 };
  int status = -1;
  /* Each buffer allocated once at the size it will have (they grew from 256 bytes by
     doubling, eight reallocs a mail): the own lines take at most LEN bytes and a newline,
     the trimmed text at most the folded one and " xgreetx ", and class_split_words appends
     a NUL, the recipient token and the class names to it. */
  buf_reserve (&own, (s ? len : 0) + 1);
  size_t first_high = copy_own_lines (s ? s : "", s ? len : 0, mask, &own);
  buf_put (&own, "", 0);
  if (own.err)
    goto out;
  /* The ASCII lines before the first that is not are folded already: they are copied, the
     rest goes through fold.  (A line break ends fold's segments, so the rest folds as it
     would with them in front.) */
  const struct buf *text = &own;
  if (first_high != SIZE_MAX)
    {
      const char *nl = memrchr (own.s, '\n', first_high);
      size_t start = nl ? (size_t) (nl - own.s) + 1 : 0;
      const struct buf rest = { .s = own.s + start, .n = own.n - start };
      buf_reserve (&folded, own.n);
      buf_put (&folded, own.s, start);
      if (folded.err || fold (&rest, &folded) < 0)
        goto out;
      text = &folded;
    }
  buf_reserve (trimmed, text->n + sizeof " xgreetx " + 1 + sizeof rcpt_token
               + sizeof class_names);
  strip_greeting_closing (text, trimmed);
  buf_put (trimmed, "", 0);
  if (!trimmed->err)
    status = 0;
out:
  free (own.s);
  free (folded.s);
  return status;
}

/* fp_normalise, or with REFERENCE fp_normalise_reference: the own, folded text, then its
   tokens, found by the one scan that classes and splits, or (the reference) by writing the
   class tokens into a copy of the text and splitting that: two scans. */
static int
normalise (const char *s, size_t len, const uint8_t *mask, const struct fp_recipient *r,
           bool reference, struct fp_tokens *out)
{
  memset (out, 0, sizeof *out);
  struct buf trimmed = { 0 }, classed = { 0 };
  int status = -1;
  if (own_folded_text (s, len, mask, &trimmed) < 0)
    goto out;
  if (!reference)
    {
      if (class_split_words (&trimmed, r, out) < 0)
        goto out;
      out->buf = trimmed.s;
      trimmed.s = NULL;
    }
  else
    {
      class_tokens (trimmed.s, 0, trimmed.n, trimmed.n, &classed);
      size_t text_len = classed.n;
      buf_put (&classed, "", 1);
      buf_put (&classed, rcpt_token, sizeof rcpt_token);
      if (classed.err)
        goto out;
      if (split_words (classed.s, text_len, r, out) < 0)
        goto out;
      out->buf = classed.s;
      classed.s = NULL;
    }
  status = 0;
out:
  if (status < 0)
    {
      fp_tokens_free (out);
      errno = ENOMEM;
    }
  free (trimmed.s);
  free (classed.s);
  return status;
}

int
fp_normalise (const char *s, size_t len, const uint8_t *mask, const struct fp_recipient *r,
              struct fp_tokens *out)
{
  return normalise (s, len, mask, r, false, out);
}

int
fp_normalise_reference (const char *s, size_t len, const uint8_t *mask,
                        const struct fp_recipient *r, struct fp_tokens *out)
{
  return normalise (s, len, mask, r, true, out);
}

void
fp_tokens_free (struct fp_tokens *t)
{
  free (t->buf);
  free (t->off);
  free (t->len);
  memset (t, 0, sizeof *t);
}

/* ------------------------------------------------------------------ recipient words */

/* Does P (N bytes) hold only ASCII bytes?  Then it is N characters. */
static bool
all_ascii (const char *p, size_t n)
{
  unsigned char any = 0;
  for (size_t i = 0; i < n; i++)
    any |= (unsigned char) p[i];
  return any < 0x80;
}

/* Append the word W (N bytes, normalised, at least 3 characters) to R unless R has it.
   Return 0 or -1 (ENOMEM). */
static int
recipient_append (struct fp_recipient *r, const char *w, size_t n)
{
  if (is_recipient_word (r, w, n))
    return 0;
  /* R->words has room for 4, 8, 16, ... words: it grows when R->n reaches one of those (or
     is 0), not by one word each time. */
  if (r->n == 0 || (r->n >= 4 && (r->n & (r->n - 1)) == 0))
    {
      size_t room = r->n == 0 ? 4 : 2 * r->n;
      char **nv = room <= SIZE_MAX / sizeof *nv ? realloc (r->words, room * sizeof *nv) : NULL;
      if (!nv)
        return -1;
      r->words = nv;
    }
  char *copy = strndup (w, n);
  if (!copy)
    return -1;
  r->words[r->n++] = copy;
  return 0;
}

/* The longest string recipient_add_plain takes (a To address is far shorter). */
enum { RECIPIENT_PLAIN_MAX = 400 };

/* fp_recipient_add for a string S (LEN bytes, fewer than RECIPIENT_PLAIN_MAX) of ASCII
   letters, digits, spaces and the separators @ _ . + -: the separators become spaces, and then
   there is nothing for the own-lines cut to find (its markers need '>', ':', '=' or a dash),
   case folding lower-cases the letters, and the words are the runs of letters and digits
   (UAX #29 joins letters and digits, breaks at spaces).  Return 0 or -1 (ENOMEM). */
static int
recipient_add_plain (struct fp_recipient *r, const char *s, size_t len)
{
  char word[RECIPIENT_PLAIN_MAX];
  size_t i = 0;
  while (i < len)
    {
      size_t n = 0;
      for (; i < len && ascii_alnum_char (s[i]); i++)
        word[n++] = ascii_lower_char (s[i]);
      if (n >= 3 && recipient_append (r, word, n) < 0)
        return -1;
      for (; i < len && !ascii_alnum_char (s[i]); i++)
        ;
    }
  return 0;
}

int
fp_recipient_add (struct fp_recipient *r, const char *s)
{
  if (!s)
    return 0;
  /* Most strings, a To header's name and address among them, are ASCII letters, digits,
     spaces and separators: their words are found without the three passes below. */
  size_t slen = 0;
  bool plain = true;
  for (; s[slen]; slen++)
    {
      char c = s[slen];
      plain &= ascii_alnum_char (c) || c == ' ' || c == '@' || c == '_' || c == '.' || c == '+'
        || c == '-';
    }
  if (plain && slen < RECIPIENT_PLAIN_MAX)
    {
      if (recipient_add_plain (r, s, slen) == 0)
        return 0;
      errno = ENOMEM;
      return -1;
    }
  struct fp_tokens t;
  /* Normalise like a body, but without class tokens: a handle "@brandt_cc" must stay words.
     Two buffers, each allocated once at its size (three buffers grown byte by byte were a
     fifth of the cost): the string with its separators blanked in WORK, its own lines in
     CLEAN, and their folding in WORK again. */
  struct buf work = { 0 }, clean = { 0 };
  char *w = buf_reserve (&work, slen);
  if (w)
    {
      for (size_t i = 0; i < slen; i++)
        {
          char c = s[i];
          *w++ = c == '@' || c == '_' || c == '.' || c == '+' || c == '-' ? ' ' : c;
        }
      buf_commit (&work, w);
    }
  buf_reserve (&clean, slen + 1);
  copy_own_lines (work.s ? work.s : "", work.n, NULL, &clean);
  buf_put (&clean, "", 0);
  int status = -1;
  work.n = 0;
  if (work.err || clean.err || fold (&clean, &work) < 0)
    goto out;
  buf_put (&work, "", 1);
  if (work.err)
    goto out;
  memset (&t, 0, sizeof t);
  if (split_words (work.s, work.n - 1, NULL, &t) < 0)
    {
      free (t.off);
      free (t.len);
      goto out;
    }
  status = 0;
  for (size_t i = 0; i < t.n && status == 0; i++)
    {
      const char *word = work.s + t.off[i];
      size_t n = t.len[i];
      /* A word has at most as many characters as bytes, and an ASCII one exactly as many:
         u8_mbsnlen only for the others. */
      if (n < 3 || (!all_ascii (word, n) && u8_mbsnlen ((const uint8_t *) word, n) < 3))
        continue;
      status = recipient_append (r, word, n);
    }
  free (t.off);
  free (t.len);
out:
  free (work.s);
  free (clean.s);
  if (status < 0)
    errno = ENOMEM;
  return status;
}

void
fp_recipient_free (struct fp_recipient *r)
{
  for (size_t i = 0; i < r->n; i++)
    free (r->words[i]);
  free (r->words);
  r->words = NULL;
  r->n = 0;
}

/* ------------------------------------------------------------------ MinHash */

/* The 64 slots of a feature are independent 32-bit multiplications: with AVX2 the compiler
   does eight at a time, with SSE2 it has no 32-bit lane multiply and emulates it.  Where the
   loader can pick a clone at run time (x86-64, GNU ifunc), build both; the integer arithmetic
   and so the fingerprint are the same in either.  GCC 12 and later also build one for
   x86-64-v4 (AVX-512): there a 64-bit lane rotation, six in each SipHash round, is one
   instruction instead of three, which made the token hashes, the slot parameters and the
   band keys 12 % faster in all (fp_compute 31.7 -> 27.8 ms over the corpus bodies; the
   SipHash lanes stay 256 bits wide). */
#if defined __x86_64__ && defined __GLIBC__ && defined __has_attribute
# if __has_attribute (target_clones) && defined __GNUC__ && !defined __clang__ && __GNUC__ >= 12
#  define FP_VECTOR_CLONES \
  __attribute__ ((target_clones ("arch=x86-64-v4", "avx2", "default")))
# elif __has_attribute (target_clones)
#  define FP_VECTOR_CLONES __attribute__ ((target_clones ("avx2", "default")))
# endif
#endif
#ifndef FP_VECTOR_CLONES
# define FP_VECTOR_CLONES
#endif
/* The MinHash loop without the x86-64-v4 clone: there the compiler takes 512-bit registers
   for it, and in a whole run (score-outreach over the corpus, perf) it took 1.3-1.5 % of the
   time against 0.9-1.0 % with AVX2, though a loop of fp_compute alone showed no difference. */
#if defined __x86_64__ && defined __GLIBC__ && defined __has_attribute
# if __has_attribute (target_clones)
#  define FP_MINHASH_CLONES __attribute__ ((target_clones ("avx2", "default")))
# endif
#endif
#ifndef FP_MINHASH_CLONES
# define FP_MINHASH_CLONES
#endif

/* Per-slot keyed permutations of a feature hash folded to 32 bits: xor a slot seed, multiply
   by an odd slot multiplier, xor-shift.  Each step is a bijection of 32-bit words, so distinct
   features stay distinct and a slot's minimum identifies its feature; 32-bit lanes let the
   compiler vectorise the loop over the 64 slots. */
struct slot_params
{
  uint32_t seed[FP_SLOTS], mult[FP_SLOTS];
};

/* The slot seeds and multipliers from ST, the SipHash state after loading the key: slot J's
   are the SipHash of the 5 bytes "slot" J, a single last word (bytes little-endian, the
   length 5 in the top byte).  This ran on every fingerprint; the 64 hashes are independent,
   so where the compiler has vector types they are computed four at a time (AVX2 does four in
   one register, see FP_VECTOR_CLONES; the integer results are the same). */
#define SLOT_TAG (UINT64_C (5) << 56 | (uint64_t) 't' << 24 | (uint64_t) 'o' << 16 \
                  | (uint64_t) 'l' << 8 | (uint64_t) 's')
#if defined __GNUC__
typedef uint64_t sip_lanes __attribute__ ((vector_size (32)));

# define ROTL_LANES(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
# define SIP_ROUND_LANES(v0, v1, v2, v3)                                        \
  do {                                                                          \
    v0 += v1; v1 = ROTL_LANES (v1, 13); v1 ^= v0; v0 = ROTL_LANES (v0, 32);     \
    v2 += v3; v3 = ROTL_LANES (v3, 16); v3 ^= v2;                               \
    v0 += v3; v3 = ROTL_LANES (v3, 21); v3 ^= v0;                               \
    v2 += v1; v1 = ROTL_LANES (v1, 17); v1 ^= v2; v2 = ROTL_LANES (v2, 32);     \
  } while (0)

/* sip_compress and sip_finish on four states side by side, a lane each (as macros: vectors
   as arguments and results of functions would depend on the vector ABI). */
# define SIP_LANES_COMPRESS(v0, v1, v2, v3, m)                                  \
  do {                                                                          \
    v3 ^= (m);                                                                  \
    SIP_ROUND_LANES (v0, v1, v2, v3);                                           \
    SIP_ROUND_LANES (v0, v1, v2, v3);                                           \
    v0 ^= (m);                                                                  \
  } while (0)
# define SIP_LANES_FINISH(v0, v1, v2, v3, last, h)                              \
  do {                                                                          \
    SIP_LANES_COMPRESS (v0, v1, v2, v3, last);                                  \
    v2 ^= 0xff;                                                                 \
    SIP_ROUND_LANES (v0, v1, v2, v3);                                           \
    SIP_ROUND_LANES (v0, v1, v2, v3);                                           \
    SIP_ROUND_LANES (v0, v1, v2, v3);                                           \
    SIP_ROUND_LANES (v0, v1, v2, v3);                                           \
    (h) = v0 ^ v1 ^ v2 ^ v3;                                                    \
  } while (0)
/* The lanes V0 to V3 loaded with ST, the state after loading the key (a scalar added to a
   vector goes to every lane). */
# define SIP_LANES_INIT(v0, v1, v2, v3, st)                                     \
  const sip_lanes lanes_zero_ = { 0, 0, 0, 0 };                                 \
  sip_lanes v0 = lanes_zero_ + (st).v0, v1 = lanes_zero_ + (st).v1;             \
  sip_lanes v2 = lanes_zero_ + (st).v2, v3 = lanes_zero_ + (st).v3

/* sip_finish (ST, LAST[K]) for the four last words *LAST into the lanes of *H. */
__attribute__ ((always_inline)) static inline void
sip_finish_lanes (struct sip_state st, const sip_lanes *last, sip_lanes *h)
{
  SIP_LANES_INIT (v0, v1, v2, v3, st);
  SIP_LANES_FINISH (v0, v1, v2, v3, *last, *h);
}

FP_VECTOR_CLONES
static void
slot_params_from (struct sip_state st, uint32_t seed[FP_SLOTS], uint32_t mult[FP_SLOTS])
{
  for (int j = 0; j < FP_SLOTS; j += 4)
    {
      sip_lanes m = { SLOT_TAG | (uint64_t) j << 32, SLOT_TAG | (uint64_t) (j + 1) << 32,
                      SLOT_TAG | (uint64_t) (j + 2) << 32, SLOT_TAG | (uint64_t) (j + 3) << 32 };
      sip_lanes h;
      sip_finish_lanes (st, &m, &h);
      for (int k = 0; k < 4; k++)
        {
          seed[j + k] = (uint32_t) h[k];
          mult[j + k] = (uint32_t) (h[k] >> 32) | 1;
        }
    }
}
#else
static void
slot_params_from (struct sip_state st, uint32_t seed[FP_SLOTS], uint32_t mult[FP_SLOTS])
{
  for (int j = 0; j < FP_SLOTS; j++)
    {
      uint64_t h = sip_finish (st, SLOT_TAG | (uint64_t) j << 32);
      seed[j] = (uint32_t) h;
      mult[j] = (uint32_t) (h >> 32) | 1;
    }
}
#endif

static void
slot_params_init (const struct fp_key *key, struct slot_params *sp)
{
  slot_params_from (sip_init (key->bytes), sp->seed, sp->mult);
}

static inline void
minhash_feature (uint64_t f, const struct slot_params *sp, uint32_t min[FP_SLOTS])
{
  uint32_t f32 = (uint32_t) (f ^ (f >> 32));
  for (int j = 0; j < FP_SLOTS; j++)
    {
      uint32_t v = (f32 ^ sp->seed[j]) * sp->mult[j];
      v ^= v >> 15;
      min[j] = v < min[j] ? v : min[j];
    }
}

/* The band keys of SIG from ST, the SipHash state after loading the key: band B's is the
   SipHash of 7 bytes, the band number and its three slots big-endian, as one last word
   (little-endian, the length in the top byte).  Four at a time where the compiler has vector
   types, as slot_params_from. */
FP_VECTOR_CLONES
static void
band_keys_from (struct sip_state st, const uint16_t sig[FP_SLOTS], uint64_t band[FP_BANDS])
{
  _Static_assert (1 + 2 * FP_ROWS < 8, "a band's bytes fit one SipHash word");
  enum { PADDED = (FP_BANDS + 3) / 4 * 4 };
  uint64_t last[PADDED];
  for (int b = 0; b < PADDED; b++)
    {
      last[b] = (uint64_t) (1 + 2 * FP_ROWS) << 56 | (uint64_t) b;
      for (int r = 0; r < FP_ROWS && b < FP_BANDS; r++)
        {
          uint16_t v = sig[b * FP_ROWS + r];
          last[b] |= (uint64_t) (v >> 8) << (8 * (1 + 2 * r));
          last[b] |= (uint64_t) (v & 0xff) << (8 * (2 + 2 * r));
        }
    }
  /* Keys are stored as SQLite integers: keep them in the signed 63-bit range. */
#if defined __GNUC__
  for (int b = 0; b < PADDED; b += 4)
    {
      sip_lanes m = { last[b], last[b + 1], last[b + 2], last[b + 3] };
      sip_lanes h;
      sip_finish_lanes (st, &m, &h);
      for (int k = 0; k < 4 && b + k < FP_BANDS; k++)
        band[b + k] = h[k] >> 1;
    }
#else
  for (int b = 0; b < FP_BANDS; b++)
    band[b] = sip_finish (st, last[b]) >> 1;
#endif
}

void
fp_band_keys (const uint16_t sig[FP_SLOTS], const struct fp_key *key, uint64_t band[FP_BANDS])
{
  band_keys_from (sip_init (key->bytes), sig, band);
}

/* The bigram feature of the word hashes PREV and H: the two mixed (murmur3's finaliser), in
   order, and apart from unigrams. */
static inline uint64_t
bigram_feature (uint64_t prev, uint64_t h)
{
  uint64_t b = prev * UINT64_C (0x9e3779b97f4a7c15) ^ rotl64 (h, 31) ^ 2;
  b ^= b >> 33;
  b *= UINT64_C (0xff51afd7ed558ccd);
  b ^= b >> 33;
  b *= UINT64_C (0xc4ceb9fe1a85ec53);
  b ^= b >> 33;
  return b;
}

static inline uint32_t
feature32 (uint64_t f)
{
  return (uint32_t) (f ^ (f >> 32));
}

/* The last SipHash word of token I of TOK: its last LEN % 8 bytes and its length.  Where the
   buffer holds 8 bytes ending at the token's end (all but a token at its very start), one load
   of those 8 bytes shifted down: no branch on the length, which varies from token to token
   and cost a mispredicted jump each time.  A shift by 8 * (8 - LEN % 8) in two steps, so that
   LEN % 8 == 0 shifts everything out instead of by 64. */
static inline uint64_t
token_last_word (const struct fp_tokens *tok, size_t i)
{
  size_t off = tok->off[i], len = tok->len[i];
  const uint8_t *end = (const uint8_t *) tok->buf + off + len;
  if (off + len < 8)
    return sip_last_word (end - len % 8, len);
  uint64_t x = load_le64 (end - 8);
  return (x >> (63 - 8 * (len % 8)) >> 1) | (uint64_t) (len & 0xff) << 56;
}

/* The keyed SipHash (from ST, the state after loading the key) of token I of TOK, on its own. */
static inline uint64_t
token_hash (const struct fp_tokens *tok, size_t i, struct sip_state st)
{
  const uint8_t *p = (const uint8_t *) tok->buf + tok->off[i];
  size_t whole = tok->len[i] / 8;
  for (size_t w = 0; w < whole; w++)
    sip_compress (&st, load_le64 (p + 8 * w));
  return sip_finish (st, token_last_word (tok, i));
}

/* Tokens hashed per block: their indices are sorted into one list per number of whole 8-byte
   words, and each list is hashed four at a time. */
enum { HASH_BLOCK = 256, HASH_GROUPS = 4 };

/* The keyed SipHash (from ST, the state after loading the key) of every token of TOK into
   HASH.  Where the compiler has vector types, tokens of fewer than 8 * HASH_GROUPS bytes are
   hashed four at a time: a block of tokens is first sorted by the number of whole 8-byte words
   (a store per token, no branch), then each such list is hashed in fours, the lanes of a group
   compressing the same number of words; longer tokens, and what is left of a list, one at a
   time.  The same values either way. */
FP_VECTOR_CLONES
static void
hash_tokens (const struct fp_tokens *tok, struct sip_state st, uint64_t *hash)
{
#if defined __GNUC__
  uint32_t list[HASH_GROUPS + 1][HASH_BLOCK];
  for (size_t from = 0; from < tok->n; from += HASH_BLOCK)
    {
      size_t to = tok->n - from < HASH_BLOCK ? tok->n : from + HASH_BLOCK;
      size_t count[HASH_GROUPS + 1] = { 0 };
      for (size_t i = from; i < to; i++)
        {
          size_t words = tok->len[i] / 8;
          size_t g = words < HASH_GROUPS ? words : HASH_GROUPS;
          list[g][count[g]++] = (uint32_t) i;
        }
      for (size_t k = 0; k < count[HASH_GROUPS]; k++)
        hash[list[HASH_GROUPS][k]] = token_hash (tok, list[HASH_GROUPS][k], st);
      for (size_t words = 0; words < HASH_GROUPS; words++)
        {
          const uint32_t *g = list[words];
          size_t k = 0;
          for (; k + 4 <= count[words]; k += 4)
            {
              const uint8_t *p0 = (const uint8_t *) tok->buf + tok->off[g[k]];
              const uint8_t *p1 = (const uint8_t *) tok->buf + tok->off[g[k + 1]];
              const uint8_t *p2 = (const uint8_t *) tok->buf + tok->off[g[k + 2]];
              const uint8_t *p3 = (const uint8_t *) tok->buf + tok->off[g[k + 3]];
              SIP_LANES_INIT (v0, v1, v2, v3, st);
              for (size_t w = 0; w < words; w++)
                {
                  sip_lanes m = { load_le64 (p0 + 8 * w), load_le64 (p1 + 8 * w),
                                  load_le64 (p2 + 8 * w), load_le64 (p3 + 8 * w) };
                  SIP_LANES_COMPRESS (v0, v1, v2, v3, m);
                }
              sip_lanes last = { token_last_word (tok, g[k]), token_last_word (tok, g[k + 1]),
                                 token_last_word (tok, g[k + 2]),
                                 token_last_word (tok, g[k + 3]) };
              sip_lanes h;
              SIP_LANES_FINISH (v0, v1, v2, v3, last, h);
              for (int l = 0; l < 4; l++)
                hash[g[k + l]] = h[l];
            }
          for (; k < count[words]; k++)
            hash[g[k]] = token_hash (tok, g[k], st);
        }
    }
#else
  for (size_t i = 0; i < tok->n; i++)
    hash[i] = token_hash (tok, i, st);
#endif
}

/* The bigram feature of each pair of neighbours among the N word hashes HASH into the N - 1
   entries of FEAT.  A pass of its own, eight pairs a step: GCC at -O2 vectorises only loops
   whose count the vector width divides, and in the loop of the unigrams' table probe they
   stayed scalar.  The x86-64-v4 clone (see FP_VECTOR_CLONES) multiplies four 64-bit lanes in
   one instruction, the AVX2 clone in a few; the values are the same in every clone. */
enum { BIGRAMS_PER_STEP = 8 };

FP_VECTOR_CLONES
static void
bigram_features (const uint64_t *hash, size_t n, uint32_t *feat)
{
  size_t i = 1;
  for (; i + BIGRAMS_PER_STEP <= n; i += BIGRAMS_PER_STEP)
    for (size_t k = 0; k < BIGRAMS_PER_STEP; k++)
      feat[i - 1 + k] = feature32 (bigram_feature (hash[i - 1 + k], hash[i + k]));
  for (; i < n; i++)
    feat[i - 1] = feature32 (bigram_feature (hash[i - 1], hash[i]));
}

/* The 64 slot minima over all of FEAT, sixteen slots at a time across all features: unrolled,
   their minima, seeds and multipliers stay in registers (six with AVX2).  Out of line and
   built for AVX2 as well (see FP_MINHASH_CLONES): inlined into fp_compute the compiler spilled
   the seeds. */
enum { SLOTS_PER_PASS = 16 };

FP_MINHASH_CLONES
static void
minhash_features (const uint32_t *feat, size_t n, const uint32_t *seed, const uint32_t *mult,
                  uint32_t min[FP_SLOTS])
{
  for (int c = 0; c < FP_SLOTS; c += SLOTS_PER_PASS)
    {
      uint32_t m[SLOTS_PER_PASS], sd[SLOTS_PER_PASS], mu[SLOTS_PER_PASS];
      for (int l = 0; l < SLOTS_PER_PASS; l++)
        {
          m[l] = min[c + l];
          sd[l] = seed[c + l];
          mu[l] = mult[c + l];
        }
      for (size_t i = 0; i < n; i++)
        {
          uint32_t f = feat[i];
#if defined __GNUC__ && !defined __clang__
# pragma GCC unroll 16
#endif
          for (int l = 0; l < SLOTS_PER_PASS; l++)
            {
              uint32_t v = (f ^ sd[l]) * mu[l];
              v ^= v >> 15;
              m[l] = v < m[l] ? v : m[l];
            }
        }
      for (int l = 0; l < SLOTS_PER_PASS; l++)
        min[c + l] = m[l];
    }
}

/* The most tokens whose features fp_compute collects in tables; more are fed to the slots one
   by one (fp_normalise gives at most FP_MAX_TOKENS). */
#define FP_TABLE_TOKENS ((size_t) 1 << 26)

void
fp_compute (const struct fp_tokens *tok, const struct fp_key *key, struct fingerprint *fp)
{
  struct slot_params sp;
  slot_params_init (key, &sp);
  uint32_t min[FP_SLOTS];
  for (int j = 0; j < FP_SLOTS; j++)
    min[j] = UINT32_MAX;

  /* The hash of every token, the features (at most 2 per token) and an open-addressing table
     of the unigram features seen (2^BITS entries, at least twice the tokens), in one
     allocation; only the table needs clearing. */
  size_t n = tok->n;
  unsigned bits = 6;
  while (((size_t) 1 << bits) < 2 * n)
    bits++;
  size_t slots = (size_t) 1 << bits;
  char *mem = NULL;
  if (n > 0 && n <= FP_TABLE_TOKENS)
    mem = malloc (n * (sizeof (uint64_t) + 2 * sizeof (uint32_t)) + slots * sizeof (uint32_t));
  if (mem)
    {
      uint64_t *hash = (uint64_t *) mem;
      uint32_t *feat = (uint32_t *) (hash + n);
      uint32_t *seen = feat + 2 * n;
      size_t nfeat = 0, mask = slots - 1;
      memset (seen, 0, slots * sizeof *seen);
      hash_tokens (tok, sip_init (key->bytes), hash);
      /* A feature that came before changes no slot minimum, so repeated unigrams are left
         out.  Features are values of the token hashes alone, so a repeated value is what
         is looked for, not a repeated token: equal tokens hash equal, and tokens whose
         features collide give the same feature anyway.  Zero marks a free entry; a zero
         feature is never found and so always kept, which only costs its MinHash round.
         (Leaving out repeated bigrams as well measured slower: fewer of them repeat.) */
      for (size_t i = 0; i < n; i++)
        {
          uint32_t f = feature32 (hash[i]);
          size_t at = f >> (32 - bits);
          uint32_t here = seen[at];
          /* Mostly a free entry or the feature itself, each about half the time in no order a
             predictor could learn: so one test for both (two 32-bit factors that are not 0
             have a product that is not 0 in 64 bits), whose branch all but always goes the
             same way, and whether the feature is new goes into the count without one.  (Two
             tests were two branches, the first mispredicted on about every other token.) */
          while ((uint64_t) here * (here ^ f) != 0)
            {
              at = (at + 1) & mask;
              here = seen[at];
            }
          seen[at] = f;
          feat[nfeat] = f;
          nfeat += here == 0;
        }
      /* The bigrams after the unigrams (the order of the features changes no minimum), in a
         pass of their own that the compiler can vectorise. */
      if (n > 1)
        {
          bigram_features (hash, n, feat + nfeat);
          nfeat += n - 1;
        }
      minhash_features (feat, nfeat, sp.seed, sp.mult, min);
      free (mem);
    }
  else
    {
      /* No memory for the tables (or no tokens): every feature as it comes. */
      uint64_t prev = 0;
      for (size_t i = 0; i < n; i++)
        {
          uint64_t h = fp_siphash24 (key->bytes, tok->buf + tok->off[i], tok->len[i]);
          minhash_feature (h, &sp, min);
          if (i > 0)
            minhash_feature (bigram_feature (prev, h), &sp, min);
          prev = h;
        }
    }
  for (int j = 0; j < FP_SLOTS; j++)
    fp->sig[j] = (uint16_t) min[j];
  fp->ntok = n > UINT32_MAX ? UINT32_MAX : (uint32_t) n;
  fp_band_keys (fp->sig, key, fp->band);
}

int
fp_fingerprint (const char *s, size_t len, const uint8_t *mask, const struct fp_recipient *r,
                const struct fp_key *key, struct fingerprint *fp)
{
  struct fp_tokens t;
  if (fp_normalise (s, len, mask, r, &t) < 0)
    return -1;
  fp_compute (&t, key, fp);
  fp_tokens_free (&t);
  return 0;
}

int
fp_equal_slots (const uint16_t a[FP_SLOTS], const uint16_t b[FP_SLOTS])
{
  int equal = 0;
  for (int j = 0; j < FP_SLOTS; j++)
    equal += a[j] == b[j];
  return equal;
}

/* ------------------------------------------------------------------ senders */

/* Collapse runs of 6 or more hex characters with at least one digit (bounce ids, VERP
   counters) into '#', in place. */
static void
collapse_ids (char *s)
{
  char *w = s;
  for (char *r = s; *r;)
    {
      char *e = r;
      int digits = 0;
      while ((ascii_digit ((uint8_t) *e) || (*e >= 'a' && *e <= 'f')))
        {
          digits += ascii_digit ((uint8_t) *e);
          e++;
        }
      if (e - r >= 6 && digits > 0)
        {
          *w++ = '#';
          r = e;
        }
      else if (e > r)
        {
          while (r < e)
            *w++ = *r++;
        }
      else
        *w++ = *r++;
    }
  *w = '\0';
}

static bool
prefix_ci (const char *s, const char *prefix)
{
  for (; *prefix; s++, prefix++)
    if (ascii_lower_char (*s) != *prefix)
      return false;
  return true;
}

/* Does the local part look generated per message (bounce ids, tracking tokens) rather than
   chosen by a person?  Then only the domain identifies the sender. */
static bool
machine_local_part (const char *local)
{
  size_t n = strlen (local), digits = 0, case_switches = 0;
  for (size_t i = 0; i < n; i++)
    {
      digits += ascii_digit ((uint8_t) local[i]);
      if (i > 0 && local[i - 1] >= 'a' && local[i - 1] <= 'z' && local[i] >= 'A' && local[i] <= 'Z')
        case_switches++;
    }
  return digits >= 5 || case_switches >= 2 || n >= 30;
}

char *
fp_sender_normalise (const char *addr, char *buf, size_t size)
{
  if (!addr)
    return NULL;
  const char *at = strrchr (addr, '@');
  if (!at || at == addr || !at[1])
    return NULL;
  char local[320], domain[320];
  if ((size_t) (at - addr) >= sizeof local || strlen (at + 1) >= sizeof domain)
    return NULL;
  memcpy (local, addr, at - addr);
  local[at - addr] = '\0';
  strcpy (domain, at + 1);

  /* SRS (SRS0=HHH=TT=domain=local): the original sender. */
  if (prefix_ci (local, "srs0=") || prefix_ci (local, "srs1="))
    {
      char *parts[8];
      size_t np = 0;
      for (char *p = local; p && np < 8; )
        {
          parts[np++] = p;
          p = strchr (p, '=');
          if (p)
            *p++ = '\0';
        }
      if (np >= 5)
        {
          char d[320], l[320];
          snprintf (d, sizeof d, "%s", parts[np - 2]);
          snprintf (l, sizeof l, "%s", parts[np - 1]);
          strcpy (domain, d);
          strcpy (local, l);
        }
      else
        strcpy (local, "srs");
    }
  /* BATV (prvs=TAG=local): the part after the last '='. */
  if (prefix_ci (local, "prvs=") || prefix_ci (local, "msprvs1=") || prefix_ci (local, "btv1="))
    {
      char *last = strrchr (local, '=');
      memmove (local, last + 1, strlen (last + 1) + 1);
    }
  /* The "+tag" of a subaddress. */
  char *plus = strchr (local, '+');
  if (plus && plus > local)
    *plus = '\0';
  /* VERP: the recipient encoded as "anna=example.org" in a segment; drop it and what follows. */
  char *eq = strchr (local, '=');
  if (eq)
    {
      char *seg = eq;
      while (seg > local && !strchr ("-._", seg[-1]))
        seg--;
      while (seg > local && strchr ("-._", seg[-1]))
        seg--;
      *seg = '\0';
    }
  if (machine_local_part (local))
    local[0] = '\0';
  for (char *c = local; *c; c++)
    *c = ascii_lower_char (*c);
  for (char *c = domain; *c; c++)
    *c = ascii_lower_char (*c);
  collapse_ids (local);
  /* LOCAL "@" DOMAIN, copied with their lengths (snprintf was half of this function's
     cost). */
  size_t nl = strlen (local), nd = strlen (domain);
  if (nl + 1 + nd >= size)
    return NULL;
  memcpy (buf, local, nl);
  buf[nl] = '@';
  memcpy (buf + nl + 1, domain, nd + 1);
  return buf;
}

uint64_t
fp_sender_key (const char *addr, const struct fp_key *key)
{
  char buf[640];
  const char *norm = fp_sender_normalise (addr, buf, sizeof buf);
  if (!norm)
    norm = addr ? addr : "";
  return fp_siphash24 (key->bytes, norm, strlen (norm)) >> 1;
}

/* ------------------------------------------------------------------ hex */

void
fp_sig_to_hex (const uint16_t sig[FP_SLOTS], char *hex)
{
  static const char digits[] = "0123456789abcdef";
  for (int j = 0; j < FP_SLOTS; j++)
    for (int k = 0; k < 4; k++)
      hex[4 * j + k] = digits[(sig[j] >> (12 - 4 * k)) & 0xf];
  hex[4 * FP_SLOTS] = '\0';
}

int
fp_sig_from_hex (const char *hex, size_t len, uint16_t sig[FP_SLOTS])
{
  if (len != 4 * FP_SLOTS)
    return -1;
  for (int j = 0; j < FP_SLOTS; j++)
    {
      unsigned v = 0;
      for (int k = 0; k < 4; k++)
        {
          char c = hex[4 * j + k];
          unsigned d = c >= '0' && c <= '9' ? (unsigned) (c - '0')
            : c >= 'a' && c <= 'f' ? (unsigned) (c - 'a' + 10)
            : c >= 'A' && c <= 'F' ? (unsigned) (c - 'A' + 10) : 16;
          if (d > 15)
            return -1;
          v = v << 4 | d;
        }
      sig[j] = (uint16_t) v;
    }
  return 0;
}
