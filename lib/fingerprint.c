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

#include "text.h"

/* ------------------------------------------------------------------ SipHash-2-4 */

/* Written from the algorithm description in "SipHash: a fast short-input PRF" (Aumasson,
   Bernstein, INDOCRYPT 2012): 2 compression rounds per 8-byte word, 4 finalisation rounds. */

static inline uint64_t
rotl64 (uint64_t x, int b)
{
  return (x << b) | (x >> (64 - b));
}

static inline uint64_t
load_le64 (const uint8_t *p)
{
  return (uint64_t) p[0] | (uint64_t) p[1] << 8 | (uint64_t) p[2] << 16 | (uint64_t) p[3] << 24
    | (uint64_t) p[4] << 32 | (uint64_t) p[5] << 40 | (uint64_t) p[6] << 48 | (uint64_t) p[7] << 56;
}

#define SIP_ROUND(v0, v1, v2, v3)                                       \
  do {                                                                  \
    v0 += v1; v1 = rotl64 (v1, 13); v1 ^= v0; v0 = rotl64 (v0, 32);     \
    v2 += v3; v3 = rotl64 (v3, 16); v3 ^= v2;                           \
    v0 += v3; v3 = rotl64 (v3, 21); v3 ^= v0;                           \
    v2 += v1; v1 = rotl64 (v1, 17); v1 ^= v2; v2 = rotl64 (v2, 32);     \
  } while (0)

uint64_t
fp_siphash24 (const uint8_t key[16], const void *data, size_t len)
{
  const uint8_t *in = data;
  uint64_t k0 = load_le64 (key), k1 = load_le64 (key + 8);
  /* The initial state: the key xored with "somepseudorandomlygeneratedbytes". */
  uint64_t v0 = k0 ^ UINT64_C (0x736f6d6570736575);
  uint64_t v1 = k1 ^ UINT64_C (0x646f72616e646f6d);
  uint64_t v2 = k0 ^ UINT64_C (0x6c7967656e657261);
  uint64_t v3 = k1 ^ UINT64_C (0x7465646279746573);
  size_t whole = len - len % 8;
  for (size_t i = 0; i < whole; i += 8)
    {
      uint64_t m = load_le64 (in + i);
      v3 ^= m;
      SIP_ROUND (v0, v1, v2, v3);
      SIP_ROUND (v0, v1, v2, v3);
      v0 ^= m;
    }
  /* The last word: the remaining bytes, and the length modulo 256 in the top byte. */
  uint64_t last = (uint64_t) (len & 0xff) << 56;
  for (size_t i = 0; i < len % 8; i++)
    last |= (uint64_t) in[whole + i] << (8 * i);
  v3 ^= last;
  SIP_ROUND (v0, v1, v2, v3);
  SIP_ROUND (v0, v1, v2, v3);
  v0 ^= last;
  v2 ^= 0xff;
  for (int r = 0; r < 4; r++)
    SIP_ROUND (v0, v1, v2, v3);
  return v0 ^ v1 ^ v2 ^ v3;
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

/* Growing byte buffer; ERR latches an allocation failure so callers check once. */
struct buf
{
  char *s;
  size_t n, cap;
  bool err;
};

static void
buf_put (struct buf *b, const char *s, size_t n)
{
  if (b->err)
    return;
  if (b->n + n + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 256;
      while (cap < b->n + n + 1)
        cap *= 2;
      char *ns = realloc (b->s, cap);
      if (!ns)
        {
          b->err = true;
          return;
        }
      b->s = ns;
      b->cap = cap;
    }
  memcpy (b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void
buf_str (struct buf *b, const char *s)
{
  buf_put (b, s, strlen (s));
}

/* Make room for N more bytes and the NUL in B; return where they go, or NULL (B->err set).
   The caller writes at most N bytes there and then calls buf_commit: the per-byte loops below
   used to call buf_put once a character. */
static char *
buf_reserve (struct buf *b, size_t n)
{
  if (b->err)
    return NULL;
  if (b->n + n + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 256;
      while (cap < b->n + n + 1)
        cap *= 2;
      char *ns = realloc (b->s, cap);
      if (!ns)
        {
          b->err = true;
          return NULL;
        }
      b->s = ns;
      b->cap = cap;
    }
  return b->s + b->n;
}

/* Account for the bytes written up to END after buf_reserve, and end them with a NUL. */
static void
buf_commit (struct buf *b, char *end)
{
  b->n = end - b->s;
  b->s[b->n] = '\0';
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

/* A line where the sender's own text ends: a signature separator, a list footer rule, a reply
   header ("On ... wrote:", "Am ... schrieb ...:") or an "Original Message" marker.  Quoted text
   and footers are shared by unrelated mail, so they must not enter the fingerprint. */
static bool
is_cut_line (const char *p, size_t n)
{
  if ((n == 3 && memcmp (p, "-- ", 3) == 0) || (n == 2 && memcmp (p, "--", 2) == 0))
    return true;
  while (n > 0 && ascii_space ((uint8_t) p[n - 1]))
    n--;
  size_t lead = 0;
  while (lead < n && ascii_space ((uint8_t) p[lead]))
    lead++;
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
  if (n < 120 && (memchr (p, '-', n) || memchr (p, '=', n) || memchr (p, '_', n))
      && (contains_ci (p, n, "original message")
                  || contains_ci (p, n, "ursprüngliche nachricht")
                  || contains_ci (p, n, "forwarded message")
                  || contains_ci (p, n, "weitergeleitete nachricht")))
    return true;
  return false;
}

/* Bytes text_analyze marks as not the sender's own words to this reader. */
#define FP_DROP_MASK (TEXT_QUOTED | TEXT_SIGNATURE | TEXT_FORWARD | TEXT_DISCLAIMER)

/* Copy the sender's own lines of S into B: stop at a cut line, drop quoted lines and masked
   bytes, turn invalid UTF-8 and control characters into spaces. */
static void
copy_own_lines (const char *s, size_t len, const uint8_t *mask, struct buf *b)
{
  size_t i = 0;
  while (i < len)
    {
      const char *nl = memchr (s + i, '\n', len - i);
      size_t end = nl ? (size_t) (nl - s) : len;
      const char *p = s + i;
      size_t n = end - i;
      if (is_cut_line (p, n))
        break;
      size_t lead = 0;
      while (lead < n && ascii_space ((uint8_t) p[lead]))
        lead++;
      bool quoted = lead < n && p[lead] == '>';
      /* Every character becomes itself or one space: the line takes at most N bytes. */
      char *w = buf_reserve (b, n + 1);
      if (!w)
        return;
      if (!quoted)
        {
          size_t k = 0;
          while (k < n)
            {
              size_t at = i + k;
              if (mask && (mask[at] & FP_DROP_MASK))
                {
                  *w++ = ' ';
                  k++;
                  continue;
                }
              unsigned char byte = p[k];
              if (byte < 0x80)
                {
                  /* ASCII: what u8_mbtoucr would decode, without the call. */
                  *w++ = byte < 0x20 || byte == 0x7f ? ' ' : (char) byte;
                  k++;
                  continue;
                }
              ucs4_t c;
              int m = u8_mbtoucr (&c, (const uint8_t *) p + k, n - k);
              if (m <= 0)
                {
                  *w++ = ' ';
                  k++;
                  continue;
                }
              if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
                *w++ = ' ';
              else
                {
                  memcpy (w, p + k, m);
                  w += m;
                }
              k += m;
            }
        }
      *w++ = '\n';
      buf_commit (b, w);
      i = end + 1;
    }
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

/* Replace the salutation by "xgreetx" and drop the closing formula and what follows it, in the
   folded text of B.  Writes the result to OUT. */
static void
strip_greeting_closing (const struct buf *b, struct buf *out)
{
  const char *s = b->s;
  size_t len = b->n;
  /* The non-empty lines; only the first and the last few matter. */
  enum { TAIL = 5 };
  struct span first = { len, len }, tail[TAIL];
  size_t ntail = 0;
  bool have_first = false;
  for (size_t i = 0; i < len;)
    {
      const char *nl = memchr (s + i, '\n', len - i);
      size_t end = nl ? (size_t) (nl - s) : len;
      size_t a = i, e = end;
      while (a < e && ascii_space ((uint8_t) s[a]))
        a++;
      while (e > a && ascii_space ((uint8_t) s[e - 1]))
        e--;
      if (e > a)
        {
          if (!have_first)
            {
              first.a = a;
              first.b = e;
              have_first = true;
            }
          else
            {
              if (ntail == TAIL)
                {
                  memmove (tail, tail + 1, (TAIL - 1) * sizeof *tail);
                  ntail--;
                }
              tail[ntail].a = a;
              tail[ntail].b = e;
              ntail++;
            }
        }
      i = end + 1;
    }

  /* The greeting: the whole first line when it is short, else up to its first ',' or '!'. */
  size_t greet_a = len, greet_b = len;
  if (have_first && starts_with_word (s + first.a, first.b - first.a, greeting_words))
    {
      size_t n = first.b - first.a;
      if (u8_mbsnlen ((const uint8_t *) s + first.a, n) <= 60)
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
  for (size_t k = 0; k < ntail; k++)
    {
      const char *p = s + tail[k].a;
      size_t n = tail[k].b - tail[k].a;
      if (n == 0 || p[n - 1] == '.' || p[n - 1] == '?'
          || u8_mbsnlen ((const uint8_t *) p, n) > 40)
        continue;
      if (starts_with_word (p, n, closing_words))
        {
          cut = tail[k].a;
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
  for (const char *const *t = tlds; *t; t++)
    if (strlen (*t) == n && memcmp (*t, p, n) == 0)
      return true;
  return false;
}

/* Punctuation stripped from both ends of a chunk before it is classified. */
static bool
edge_punct (uint8_t b)
{
  return strchr ("()[]{}<>,.;:!?\"'*", b) != NULL && b != '\0';
}

/* The class token for the chunk P of N bytes (folded, no blanks), or NULL to keep it. */
static const char *
classify_chunk (const char *p, size_t n)
{
  if (n == 0)
    return NULL;
  size_t letters = 0, digits = 0, dots = 0, at = n, underscores = 0, others = 0, nonascii = 0;
  for (size_t i = 0; i < n; i++)
    {
      uint8_t b = p[i];
      if (ascii_alpha (b))
        letters++;
      else if (ascii_digit (b))
        digits++;
      else if (b == '.')
        dots++;
      else if (b == '@')
        {
          if (at == n)
            at = i;
        }
      else if (b == '_')
        underscores++;
      else if (b >= 0x80)
        nonascii++;
      else
        others++;
    }
  if (n >= 4 && (memmem (p, n, "://", 3) || starts_with_ci (p, n, "www.")))
    return "xurlx";
  if (at > 0 && at < n && memchr (p + at, '.', n - at))
    return "xemailx";
  if (at == 0 && n > 1)
    return "xhandlex";
  if (digits > 0 && letters == 0 && nonascii == 0)
    {
      /* Phone numbers: a leading '+' or at least 7 digits with separators; else a number,
         a price or a percentage. */
      if (p[0] == '+' || digits >= 7)
        return "xphonex";
      return "xnumx";
    }
  if (digits > 0 && nonascii > 0 && letters == 0)
    return "xnumx";         /* 500€, 20 % written without the space */
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
        return "xurlx";
      /* "anna.k", "lisa.m.92": a dotted handle; "z.b", "d.h" are abbreviations. */
      if (labels_ok && label > 0 && !short_labels_only)
        return "xhandlex";
    }
  if (underscores > 0 && letters + digits > 0)
    return "xhandlex";
  if (digits > 0 && letters > 0 && others == 0 && nonascii == 0)
    return "xhandlex";          /* lisa92, gbcc2024 */
  return NULL;
}

/* Replace merge tags, addresses, URLs, handles, phone numbers and numbers in IN by class tokens. */
static void
class_tokens (const struct buf *in, struct buf *out)
{
  const char *s = in->s;
  size_t n = in->n;
  size_t i = 0;
  while (i < n)
    {
      uint8_t b = s[i];
      if (ascii_space (b) || b == '\n')
        {
          /* The whole run of blanks in one copy. */
          size_t j = i + 1;
          while (j < n && (ascii_space ((uint8_t) s[j]) || s[j] == '\n'))
            j++;
          buf_put (out, s + i, j - i);
          i = j;
          continue;
        }
      /* A chunk: up to the next blank; merge tags inside it are replaced first. */
      size_t end = i;
      while (end < n && !ascii_space ((uint8_t) s[end]) && s[end] != '\n')
        {
          size_t m = (s[end] == '{' || s[end] == '[' || s[end] == '*' || s[end] == '%'
                      || s[end] == '$') ? merge_tag_len (s, end, n) : 0;
          if (m)
            break;
          end++;
        }
      if (end == i)
        {
          size_t m = merge_tag_len (s, i, n);
          buf_str (out, " xmergex ");
          i += m;
          continue;
        }
      size_t a = i, e = end;
      while (a < e && edge_punct ((uint8_t) s[a]) && s[a] != '@')
        a++;
      while (e > a && edge_punct ((uint8_t) s[e - 1]))
        e--;
      const char *cls = classify_chunk (s + a, e - a);
      if (cls)
        {
          buf_put (out, s + i, a - i);
          buf_put (out, " ", 1);
          buf_str (out, cls);
          buf_put (out, " ", 1);
          buf_put (out, s + e, end - e);
        }
      else
        buf_put (out, s + i, end - i);
      i = end;
    }
}

/* ------------------------------------------------------------------ steps 5-6: words */

static const char rcpt_token[] = "xrcptx";

static bool
is_recipient_word (const struct fp_recipient *r, const char *p, size_t n)
{
  if (!r)
    return false;
  for (size_t i = 0; i < r->n; i++)
    if (strlen (r->words[i]) == n && memcmp (r->words[i], p, n) == 0)
      return true;
  return false;
}

/* Word-break classes of the characters the fast path handles (UAX #29, table 3). */
enum wb_class
{
  WB_OTHER, WB_ALETTER, WB_NUMERIC, WB_EXTENDNUMLET, WB_MIDLETTER, WB_MIDNUMLET, WB_MIDNUM,
  WB_SINGLE_QUOTE,
};

/* True if every character of P[0..N) is ASCII or in U+00C0..U+00FF: there the word-break
   rules reduce to a few classes, and the fast path below gives what u8_wordbreaks gives (the
   unit test compares them). */
static bool
is_latin1_line (const char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = p[i];
      if (c < 0x80)
        continue;
      if (c == 0xc3 && i + 1 < n && ((unsigned char) p[i + 1] & 0xc0) == 0x80)
        {
          i++;
          continue;
        }
      return false;
    }
  return true;
}

/* The class and byte length of the character at P (a fast-path line). */
static inline enum wb_class
wb_class_at (const char *p, int *len)
{
  unsigned char c = p[0];
  *len = 1;
  if (c >= 0x80)
    {
      *len = 2;
      unsigned char d = p[1];
      /* U+00D7 and U+00F7 (multiplication and division signs) are not letters. */
      return d == 0x97 || d == 0xb7 ? WB_OTHER : WB_ALETTER;
    }
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
    return WB_ALETTER;
  if (c >= '0' && c <= '9')
    return WB_NUMERIC;
  switch (c)
    {
    case '_':
      return WB_EXTENDNUMLET;
    case ':':
      return WB_MIDLETTER;
    case '.':
      return WB_MIDNUMLET;
    case '\'':
      return WB_SINGLE_QUOTE;
    case ',':
    case ';':
      return WB_MIDNUM;
    default:
      return WB_OTHER;
    }
}

static bool
wb_is_word (enum wb_class c)
{
  return c == WB_ALETTER || c == WB_NUMERIC || c == WB_EXTENDNUMLET;
}

/* Append the token S[I..J) to T (the recipient token if it is one of R's words). */
static int
emit_token (char *s, size_t n, size_t i, size_t j, const struct fp_recipient *r,
            struct fp_tokens *t, size_t *cap)
{
  ucs4_t c;
  if (u8_mbtouc (&c, (const uint8_t *) s + i, j - i) <= 0 || !(uc_is_alpha (c) || uc_is_digit (c)))
    return 0;
  if (t->n == *cap)
    {
      *cap *= 2;
      uint32_t *no = realloc (t->off, *cap * sizeof *no);
      if (!no)
        return -1;
      t->off = no;
      uint32_t *nl = realloc (t->len, *cap * sizeof *nl);
      if (!nl)
        return -1;
      t->len = nl;
    }
  if (is_recipient_word (r, s + i, j - i))
    {
      /* The recipient token lives after the text's terminating NUL. */
      t->off[t->n] = n + 1;
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

/* Segment the fast-path line S[A..B) by the UAX #29 rules WB5-WB13b into tokens. */
static int
split_latin1_line (char *s, size_t n, size_t a, size_t b, const struct fp_recipient *r,
                   struct fp_tokens *t, size_t *cap)
{
  size_t i = a;
  while (i < b && t->n < FP_MAX_TOKENS)
    {
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
      if (emit_token (s, n, start, i, r, t, cap) < 0)
        return -1;
    }
  return 0;
}

/* Split S (N bytes) into UAX #29 words that start with a letter or digit, into T.  Lines of
   ASCII and Latin-1 letters take the fast path; others go through u8_wordbreaks. */
static int
split_words (char *s, size_t n, const struct fp_recipient *r, struct fp_tokens *t)
{
  size_t cap = 64;
  t->off = malloc (cap * sizeof *t->off);
  t->len = malloc (cap * sizeof *t->len);
  char *breaks = NULL;
  size_t breaks_cap = 0;
  int status = 0;
  if (!t->off || !t->len)
    return -1;
  size_t line = 0;
  while (line < n && t->n < FP_MAX_TOKENS && status == 0)
    {
      const char *nl = memchr (s + line, '\n', n - line);
      size_t end = nl ? (size_t) (nl - s) : n;
      if (is_latin1_line (s + line, end - line))
        status = split_latin1_line (s, n, line, end, r, t, &cap);
      else
        {
          size_t len = end - line;
          if (len > breaks_cap)
            {
              char *nb = realloc (breaks, len);
              if (!nb)
                {
                  status = -1;
                  break;
                }
              breaks = nb;
              breaks_cap = len;
            }
          u8_wordbreaks ((const uint8_t *) s + line, len, breaks);
          size_t i = 0;
          while (i < len && t->n < FP_MAX_TOKENS && status == 0)
            {
              size_t j = i + 1;
              while (j < len && !breaks[j])
                j++;
              status = emit_token (s, n, line + i, line + j, r, t, &cap);
              i = j;
            }
        }
      line = end + 1;
    }
  free (breaks);
  return status;
}

/* ------------------------------------------------------------------ normalisation */

/* NFKC and full case folding of B into OUT, line by line; B must be valid UTF-8.  Lines of
   ASCII and U+00C0..U+00FF take a fast path: there NFKC changes nothing and case folding maps
   A-Z and U+00C0..U+00DE (but U+00D7) down by 0x20 and U+00DF to "ss" (the unit test compares
   it with u8_casefold). */
static int
fold (const struct buf *b, struct buf *out)
{
  const char *s = b->s ? b->s : "";
  size_t len = b->n, i = 0;
  while (i < len)
    {
      const char *nl = memchr (s + i, '\n', len - i);
      size_t end = nl ? (size_t) (nl - s) : len;
      if (is_latin1_line (s + i, end - i))
        {
          /* Folding keeps the length here (ß is two bytes, so is "ss"). */
          char *w = buf_reserve (out, end - i);
          if (!w)
            return -1;
          for (size_t k = i; k < end; k++)
            {
              unsigned char c = s[k];
              if (c < 0x80)
                {
                  *w++ = c >= 'A' && c <= 'Z' ? (char) (c + 32) : (char) c;
                  continue;
                }
              unsigned char d = s[++k];
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
            }
          buf_commit (out, w);
        }
      else
        {
          size_t n = 0;
          uint8_t *f = u8_casefold ((const uint8_t *) s + i, end - i, NULL, UNINORM_NFKC, NULL, &n);
          if (!f)
            return -1;
          buf_put (out, (const char *) f, n);
          free (f);
        }
      if (nl)
        buf_put (out, "\n", 1);
      i = end + 1;
    }
  buf_put (out, "", 0);
  return out->err ? -1 : 0;
}

int
fp_normalise (const char *s, size_t len, const uint8_t *mask, const struct fp_recipient *r,
              struct fp_tokens *out)
{
  memset (out, 0, sizeof *out);
  struct buf own = { 0 }, folded = { 0 }, trimmed = { 0 }, classed = { 0 };
  int status = -1;
  copy_own_lines (s ? s : "", s ? len : 0, mask, &own);
  buf_put (&own, "", 0);
  if (own.err)
    goto out;
  if (fold (&own, &folded) < 0)
    goto out;
  strip_greeting_closing (&folded, &trimmed);
  buf_put (&trimmed, "", 0);
  if (trimmed.err)
    goto out;
  class_tokens (&trimmed, &classed);
  /* Room for the terminating NUL and the recipient token behind it. */
  size_t text_len = classed.n;
  buf_put (&classed, "", 1);
  buf_put (&classed, rcpt_token, sizeof rcpt_token);
  if (classed.err)
    goto out;
  if (split_words (classed.s, text_len, r, out) < 0)
    goto out;
  out->buf = classed.s;
  classed.s = NULL;
  status = 0;
out:
  if (status < 0)
    {
      fp_tokens_free (out);
      errno = ENOMEM;
    }
  free (own.s);
  free (folded.s);
  free (trimmed.s);
  free (classed.s);
  return status;
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

int
fp_recipient_add (struct fp_recipient *r, const char *s)
{
  if (!s)
    return 0;
  struct fp_tokens t;
  /* Normalise like a body, but without class tokens: a handle "@brandt_cc" must stay words. */
  struct buf raw = { 0 }, folded = { 0 };
  for (const char *p = s; *p; p++)
    {
      char c = *p;
      if (c == '@' || c == '_' || c == '.' || c == '+' || c == '-')
        c = ' ';
      buf_put (&raw, &c, 1);
    }
  buf_put (&raw, "", 0);
  struct buf clean = { 0 };
  copy_own_lines (raw.s ? raw.s : "", raw.n, NULL, &clean);
  buf_put (&clean, "", 0);
  int status = -1;
  if (raw.err || clean.err || fold (&clean, &folded) < 0)
    goto out;
  buf_put (&folded, "", 1);
  if (folded.err)
    goto out;
  memset (&t, 0, sizeof t);
  if (split_words (folded.s, folded.n - 1, NULL, &t) < 0)
    {
      free (t.off);
      free (t.len);
      goto out;
    }
  status = 0;
  for (size_t i = 0; i < t.n && status == 0; i++)
    {
      const char *w = folded.s + t.off[i];
      size_t n = t.len[i];
      if (u8_mbsnlen ((const uint8_t *) w, n) < 3 || is_recipient_word (r, w, n))
        continue;
      char **nv = realloc (r->words, (r->n + 1) * sizeof *nv);
      char *copy = nv ? strndup (w, n) : NULL;
      if (nv)
        r->words = nv;
      if (!copy)
        {
          status = -1;
          break;
        }
      r->words[r->n++] = copy;
    }
  free (t.off);
  free (t.len);
out:
  free (raw.s);
  free (clean.s);
  free (folded.s);
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

/* Per-slot keyed permutations of a feature hash folded to 32 bits: xor a slot seed, multiply
   by an odd slot multiplier, xor-shift.  Each step is a bijection of 32-bit words, so distinct
   features stay distinct and a slot's minimum identifies its feature; 32-bit lanes let the
   compiler vectorise the loop over the 64 slots. */
struct slot_params
{
  uint32_t seed[FP_SLOTS], mult[FP_SLOTS];
};

static void
slot_params_init (const struct fp_key *key, struct slot_params *sp)
{
  for (int j = 0; j < FP_SLOTS; j++)
    {
      uint8_t tag[5] = { 's', 'l', 'o', 't', (uint8_t) j };
      uint64_t h = fp_siphash24 (key->bytes, tag, sizeof tag);
      sp->seed[j] = (uint32_t) h;
      sp->mult[j] = (uint32_t) (h >> 32) | 1;
    }
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

void
fp_band_keys (const uint16_t sig[FP_SLOTS], const struct fp_key *key, uint64_t band[FP_BANDS])
{
  for (int b = 0; b < FP_BANDS; b++)
    {
      uint8_t m[1 + 2 * FP_ROWS];
      m[0] = (uint8_t) b;
      for (int r = 0; r < FP_ROWS; r++)
        {
          m[1 + 2 * r] = sig[b * FP_ROWS + r] >> 8;
          m[2 + 2 * r] = sig[b * FP_ROWS + r] & 0xff;
        }
      /* Keys are stored as SQLite integers: keep them in the signed 63-bit range. */
      band[b] = fp_siphash24 (key->bytes, m, sizeof m) >> 1;
    }
}

/* The 64 slots of a feature are independent 32-bit multiplications: with AVX2 the compiler
   does eight at a time, with SSE2 it has no 32-bit lane multiply and emulates it.  Where the
   loader can pick a clone at run time (x86-64, GNU ifunc), build both; the integer arithmetic
   and so the fingerprint are the same in either. */
#if defined __x86_64__ && defined __GLIBC__ && defined __has_attribute
# if __has_attribute (target_clones)
#  define FP_VECTOR_CLONES __attribute__ ((target_clones ("avx2", "default")))
# endif
#endif
#ifndef FP_VECTOR_CLONES
# define FP_VECTOR_CLONES
#endif

FP_VECTOR_CLONES
void
fp_compute (const struct fp_tokens *tok, const struct fp_key *key, struct fingerprint *fp)
{
  struct slot_params sp;
  slot_params_init (key, &sp);
  uint32_t min[FP_SLOTS];
  for (int j = 0; j < FP_SLOTS; j++)
    min[j] = UINT32_MAX;
  uint64_t prev = 0;
  for (size_t i = 0; i < tok->n; i++)
    {
      uint64_t h = fp_siphash24 (key->bytes, tok->buf + tok->off[i], tok->len[i]);
      minhash_feature (h, &sp, min);
      if (i > 0)
        {
          /* A bigram: the two keyed word hashes mixed (murmur3's finaliser), in order, and
             apart from unigrams. */
          uint64_t b = prev * UINT64_C (0x9e3779b97f4a7c15) ^ rotl64 (h, 31) ^ 2;
          b ^= b >> 33;
          b *= UINT64_C (0xff51afd7ed558ccd);
          b ^= b >> 33;
          b *= UINT64_C (0xc4ceb9fe1a85ec53);
          b ^= b >> 33;
          minhash_feature (b, &sp, min);
        }
      prev = h;
    }
  for (int j = 0; j < FP_SLOTS; j++)
    fp->sig[j] = (uint16_t) min[j];
  fp->ntok = tok->n > UINT32_MAX ? UINT32_MAX : (uint32_t) tok->n;
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
  int w = snprintf (buf, size, "%s@%s", local, domain);
  if (w < 0 || (size_t) w >= size)
    return NULL;
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
