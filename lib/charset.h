/* charset.h: private to the msg module: offset-tracking byte buffers and charset decoding to UTF-8. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_CHARSET_H
#define RITTBERGER_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <iconv.h>
/* The scanning loops of the msg module look at sixteen bytes at once with SSE2 where the
   compiler offers it; CHARSET_NO_SSE2 (-DCHARSET_NO_SSE2) builds the portable loops, to test
   them. */
#if defined __SSE2__ && defined __GNUC__ && !defined CHARSET_NO_SSE2
# include <emmintrin.h>
# define CHARSET_SSE2 1
#endif

/* A growing byte buffer in which every byte remembers the raw offset it came from. */
struct mbuf
{
  char *s;
  uint32_t *src;
  size_t len, cap;
};

/* Bytes to decode: S[0..LEN), byte I from raw offset SRC[I], or BASE + I when SRC is NULL. */
struct mspan
{
  const char *s;
  const uint32_t *src;
  uint32_t base;
  size_t len;
};

static inline uint32_t
mspan_src (const struct mspan *sp, size_t i)
{
  return sp->src ? sp->src[i] : sp->base + (uint32_t) i;
}

static inline struct mspan
mbuf_span (const struct mbuf *b)
{
  struct mspan sp = { b->s, b->src, 0, b->len };
  return sp;
}

/* Set DST[0..N) to FIRST, FIRST + 1, ...: the offsets of N bytes copied from consecutive raw
   bytes.  Every decoded byte gets one, so this is among the hottest loops of decoding: eight
   at a time with SSE2 (GCC at -O2 does not vectorise the plain loop), four at a time else. */
static inline void
mbuf_fill_src (uint32_t *dst, uint32_t first, size_t n)
{
  size_t k = 0;
#ifdef CHARSET_SSE2
  if (n >= 8)
    {
      __m128i lo = _mm_add_epi32 (_mm_set1_epi32 ((int) first), _mm_setr_epi32 (0, 1, 2, 3));
      __m128i hi = _mm_add_epi32 (lo, _mm_set1_epi32 (4));
      const __m128i eight = _mm_set1_epi32 (8);
      for (; k + 8 <= n; k += 8)
        {
          _mm_storeu_si128 ((__m128i *) (dst + k), lo);
          _mm_storeu_si128 ((__m128i *) (dst + k + 4), hi);
          lo = _mm_add_epi32 (lo, eight);
          hi = _mm_add_epi32 (hi, eight);
        }
      first += (uint32_t) k;
    }
#endif
  for (; k + 4 <= n; k += 4)
    {
      dst[k] = first;
      dst[k + 1] = first + 1;
      dst[k + 2] = first + 2;
      dst[k + 3] = first + 3;
      first += 4;
    }
  for (; k < n; k++)
    dst[k] = first++;
}

/* Set DST[0..N) to SRC, every byte from the same raw offset. */
static inline void
mbuf_fill_same (uint32_t *dst, uint32_t src, size_t n)
{
  for (size_t k = 0; k < n; k++)
    dst[k] = src;
}

/* The length of the run of ASCII bytes at S[0..LEN), sixteen at a time where possible (with
   SSE2 the first non-ASCII byte of a block is found by its sign bit).  Most text is a long
   ASCII run, so with SSE2 four blocks are first tested with one sign mask of their OR. */
static inline size_t
charset_ascii_run (const unsigned char *s, size_t len)
{
  size_t i = 0;
#ifdef CHARSET_SSE2
  while (i + 64 <= len)
    {
      __m128i any = _mm_or_si128 (_mm_or_si128 (_mm_loadu_si128 ((const __m128i *) (s + i)),
                                                _mm_loadu_si128 ((const __m128i *) (s + i + 16))),
                                  _mm_or_si128 (_mm_loadu_si128 ((const __m128i *) (s + i + 32)),
                                                _mm_loadu_si128 ((const __m128i *) (s + i + 48))));
      if (_mm_movemask_epi8 (any))
        break;
      i += 64;
    }
  while (i + 16 <= len)
    {
      int high = _mm_movemask_epi8 (_mm_loadu_si128 ((const __m128i *) (s + i)));
      if (high)
        return i + (size_t) __builtin_ctz ((unsigned) high);
      i += 16;
    }
#else
  while (i + 16 <= len)
    {
      uint64_t w[2];
      memcpy (w, s + i, 16);
      if ((w[0] | w[1]) & UINT64_C (0x8080808080808080))
        break;
      i += 16;
    }
#endif
  while (i + 8 <= len)
    {
      uint64_t w;
      memcpy (&w, s + i, 8);
      if (w & UINT64_C (0x8080808080808080))
        break;
      i += 8;
    }
  while (i < len && s[i] < 0x80)
    i++;
  return i;
}

/* Grow B so that EXTRA more bytes (plus a NUL) fit; return 0, or -1 with errno ENOMEM. */
int mbuf_grow (struct mbuf *b, size_t extra);

/* Make room for EXTRA more bytes (plus a NUL); return 0, or -1 with errno ENOMEM.  Inline,
   since it is asked for a few bytes at a time and there mostly is room. */
static inline int
mbuf_reserve (struct mbuf *b, size_t extra)
{
  if (b->len + extra + 1 <= b->cap)
    return 0;
  return mbuf_grow (b, extra);
}

/* Append byte C from raw offset SRC; the caller has reserved room. */
static inline void
mbuf_put (struct mbuf *b, char c, uint32_t src)
{
  b->s[b->len] = c;
  b->src[b->len] = src;
  b->len++;
}

/* Append the UTF-8 encoding of code point UC, every byte from SRC; return 0 or -1 (ENOMEM). */
int mbuf_put_uc (struct mbuf *b, uint32_t uc, uint32_t src);

/* Release the buffer's memory and make it empty. */
void mbuf_free (struct mbuf *b);

/* Warnings collected while decoding one message, "; "-separated, duplicates dropped. */
struct mwarn
{
  char *s;
  size_t len;
  unsigned count;
};

/* Add warning TEXT unless already there; silently drops it when memory is short. */
void mwarn_add (struct mwarn *w, const char *text);

/* Idle iconv descriptors, kept by the reader of many messages (struct msg_input) so that
   one in a charset glibc loads as a module (GBK, Big5, EUC-KR, KOI8-R, ...) is not unloaded
   when its message ends and loaded again for the next: a corpus run opened such a module 78
   times, 6.4 ms of loading (an iconv_open and iconv_close of six such charsets 13 times over
   took as long).  The least recently parked goes first when all CHARSET_POOL_MAX are taken. */
enum { CHARSET_POOL_MAX = 8 };

struct charset_pool
{
  size_t n;
  char name[CHARSET_POOL_MAX][48];
  iconv_t cd[CHARSET_POOL_MAX];
};

/* Close every descriptor POOL holds (NULL allowed); it is then empty. */
void charset_pool_free (struct charset_pool *pool);

/* One open iconv descriptor, reused while parts keep the same charset. */
struct charset_cache
{
  struct charset_pool *pool;    /* where a closed descriptor is parked, or NULL: closed */
  char name[48];
  iconv_t cd;
  bool open;
  bool ascii_same;              /* a stateless charset whose ASCII bytes are themselves */
  /* For such a charset: bit B - 0x80 set once byte B alone was seen to be an incomplete
     character (iconv's EINVAL, nothing consumed), so that the next character starting with
     B is tried with two bytes at once. */
  uint64_t lead_incomplete[2];
  /* For such a charset but BIG5-HKSCS: what iconv made of two-byte characters so far, to
     spare a call for each repeated one (allocated on first use, NULL before). */
  struct charset_pair_memo *pairs;
  bool pairs_ok;
  /* For a charset among those whose every lead byte starts a character of exactly two bytes
     that makes one character (GBK, Big5, EUC-KR and kin): runs of such pairs go to iconv in
     one call. */
  bool pair_runs_ok;
};

/* Give up the cached descriptor, if any: parked in C->pool if there is one, else closed.
   C->pool stays. */
void charset_cache_close (struct charset_cache *c);

/* The length of the valid UTF-8 sequence at S (N bytes available), or 0 if it is invalid. */
size_t charset_utf8_len (const unsigned char *s, size_t n);

/* Whether NFC leaves code point UC alone whatever characters surround it (combining class 0,
   no decomposition or one that composes back to UC, never the second half of a composition),
   by the tables of the libunistring linked in.  A text of such characters only is in NFC. */
bool charset_nfc_stable (uint32_t uc);

/* The Unicode code point of Windows-1252 byte B. */
uint32_t charset_cp1252 (unsigned char b);

/* Whether charset_to_utf8 would append IN unchanged, offsets included, and add no warning:
   IN is all ASCII and LABEL (LABEL_LEN bytes, NULL if none) one that is sniffed or Latin-1.
   A caller can then use IN as it is instead of a decoded copy. */
bool charset_ascii_identity (const struct mspan *in, const char *label, size_t label_len);

/* Append IN decoded from charset LABEL (LABEL_LEN bytes, NULL if none) to OUT as valid UTF-8.
   Unlabelled, US-ASCII, UTF-8 and unknown labels are sniffed: valid UTF-8 stays UTF-8, other
   8-bit bytes are Windows-1252; an unknown label adds a warning to W.  Return 0, or -1 (ENOMEM). */
int charset_to_utf8 (struct mbuf *out, const struct mspan *in, const char *label, size_t label_len,
                     struct charset_cache *cache, struct mwarn *w);

#endif
