/* charset.h: private to the msg module: offset-tracking byte buffers and charset decoding to UTF-8. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_CHARSET_H
#define RITTBERGER_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <iconv.h>

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

/* Make room for EXTRA more bytes (plus a NUL); return 0, or -1 with errno ENOMEM. */
int mbuf_reserve (struct mbuf *b, size_t extra);

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

/* One open iconv descriptor, reused while parts keep the same charset. */
struct charset_cache
{
  char name[48];
  iconv_t cd;
  bool open;
};

/* Close the cached descriptor, if any. */
void charset_cache_close (struct charset_cache *c);

/* The length of the valid UTF-8 sequence at S (N bytes available), or 0 if it is invalid. */
size_t charset_utf8_len (const unsigned char *s, size_t n);

/* The Unicode code point of Windows-1252 byte B. */
uint32_t charset_cp1252 (unsigned char b);

/* Append IN decoded from charset LABEL (LABEL_LEN bytes, NULL if none) to OUT as valid UTF-8.
   Unlabelled, US-ASCII, UTF-8 and unknown labels are sniffed: valid UTF-8 stays UTF-8, other
   8-bit bytes are Windows-1252; an unknown label adds a warning to W.  Return 0, or -1 (ENOMEM). */
int charset_to_utf8 (struct mbuf *out, const struct mspan *in, const char *label, size_t label_len,
                     struct charset_cache *cache, struct mwarn *w);

#endif
